import { describe, expect, it } from 'vitest';
import { applyAffine, rotationAbout, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { prepareReference, registerFrame, type RegistrationResult } from '../../../shared/pipeline/registration/cascade';
import { nccPlane } from '../../../shared/pipeline/registration/high-pass';
import { nccUnderTransform } from '../../../shared/pipeline/registration/ncc';
import { postCheckRegistrations } from '../../../shared/pipeline/registration/post-checks';
import { DEFAULT_REGISTRATION_CONFIG as CFG, type RegistrationConfig } from '../../../shared/pipeline/registration/config';
import { detectStars } from '../../../shared/pipeline/registration/stars';
import { mulberry32 } from '../../../shared/util/seed';
import { moveStars, randomStars, renderStars, type TestStar } from './sky';

const W = 256;
const H = 192;
const RUN_KEY = 'test-run';
// the sky extends beyond the reference frame so shifted frames show new stars at their edges
const SKY: TestStar[] = randomStars(150, W + 80, H + 80, 21).map((s) => ({ ...s, x: s.x - 40, y: s.y - 40 }));

function frame(M: Affine2x3, opts: { seed: number; stars?: TestStar[]; noise?: number; topK?: number; edit?: (img: Float32Array) => void }) {
  const proxy = renderStars(W, H, moveStars(opts.stars ?? SKY, M), { noise: opts.noise ?? 3, seed: opts.seed });
  opts.edit?.(proxy);
  return { proxy, w: W, h: H, stars: detectStars(proxy, W, H, { topK: opts.topK ?? CFG.star_topk }) };
}

const refFrame = frame([1, 0, 0, 0, 1, 0], { seed: 1 });
const REF = prepareReference(refFrame.proxy, W, H, refFrame.stars, 0);

/** RMS over a grid covering the frame of |M_fit(p) - M_true(p)|, proxy px. */
function rmsError(got: Affine2x3, want: Affine2x3): number {
  let s = 0;
  let n = 0;
  for (let y = 0; y < H; y += 8) for (let x = 0; x < W; x += 8) {
    const [a, b] = applyAffine(got, x, y);
    const [c, d] = applyAffine(want, x, y);
    s += (a - c) ** 2 + (b - d) ** 2;
    n++;
  }
  return Math.sqrt(s / n);
}

function register(M: Affine2x3, seed: number, cfg: RegistrationConfig = CFG, extra: Parameters<typeof frame>[1] = { seed }): RegistrationResult {
  return registerFrame(REF, frame(M, { ...extra, seed }), cfg, seed, RUN_KEY);
}

describe('registerFrame: triangle matching', () => {
  const cases: [string, Affine2x3][] = [
    ['+20 px shift', [1, 0, 20, 0, 1, -13]],
    ['-20 px shift', [1, 0, -20, 0, 1, 17.5]],
    ['+1° rotation with a sub-pixel shift', rotationAbout((1 * Math.PI) / 180, W / 2, H / 2, 3.3, -2.7)],
    ['-1° rotation', rotationAbout((-1 * Math.PI) / 180, W / 2 - 20, H / 2 + 10, -4.1, 0.6)],
    ['180° meridian flip', rotationAbout(Math.PI, (W - 1) / 2, (H - 1) / 2, 2.2, -1.4)],
  ];
  it.each(cases)('recovers a %s by star matching with RMS < 0.1 px', (_name, M) => {
    const r = register(M, 7);
    expect(['triangles', 'star_pairs']).toContain(r.method);
    expect(r.accepted).toBe(true);
    expect(rmsError(r.proxyMatrix, M)).toBeLessThan(0.1);
    expect(r.inliers).toBeGreaterThanOrEqual(CFG.star_min_inliers);
    expect(r.residualPx).toBeLessThan(0.3);
    expect(r.ncc).toBeGreaterThan(r.nccIdentity);
  });

  it('registers 99 % of a sequence of random dithers by star matching, with cloud over 20 % of the stars in some', () => {
    const u = mulberry32(77);
    let byStars = 0;
    let worst = 0;
    const n = 12;
    for (let f = 1; f <= n; f++) {
      const M = rotationAbout(((u() - 0.5) * 2 * Math.PI) / 180, W / 2, H / 2, (u() - 0.5) * 40, (u() - 0.5) * 40);
      // cloud: every third frame loses a random 20 % of its stars
      const stars = f % 3 === 0 ? SKY.filter(() => u() >= 0.2) : SKY;
      const r = registerFrame(REF, frame(M, { seed: 100 + f, stars }), CFG, f, RUN_KEY);
      if (r.accepted && (r.method === 'triangles' || r.method === 'star_pairs')) byStars++;
      worst = Math.max(worst, rmsError(r.proxyMatrix, M));
    }
    expect(byStars).toBe(n);
    expect(worst).toBeLessThan(0.1);
  });

  it('registers a frame crossed by a satellite trail correctly', () => {
    const M: Affine2x3 = [1, 0, 6.4, 0, 1, -3.2];
    const r = register(M, 9, CFG, {
      seed: 9,
      edit: (img) => {
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const d = Math.abs(0.6 * x - y + 20) / Math.hypot(0.6, 1);
          img[y * W + x] += 150 * Math.exp(-(d * d) / 0.7);
        }
      },
    });
    expect(r.accepted).toBe(true);
    expect(rmsError(r.proxyMatrix, M)).toBeLessThan(0.1);
  });

  it('is deterministic: the same frame and run key give the same result', () => {
    const M: Affine2x3 = [1, 0, 4, 0, 1, 5];
    expect(register(M, 11)).toEqual(register(M, 11));
  });

  it('returns the identity for the reference frame itself', () => {
    const r = registerFrame(REF, refFrame, CFG, 0, RUN_KEY);
    expect(r.method).toBe('identity_reference');
    expect(r.proxyMatrix).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('keeps theta = 0 when rotation is not allowed', () => {
    const r = register(rotationAbout(0.002, W / 2, H / 2, 5, 5), 12, { ...CFG, allow_rotation: false });
    expect(r.accepted).toBe(true);
    expect(r.proxyMatrix[1]).toBeCloseTo(0, 12);
    expect(r.proxyMatrix[3]).toBeCloseTo(0, 12);
  });
});

describe('registerFrame: NCC acceptance and fallbacks', () => {
  it('accepts an undithered frame (near-identity fit, NCC equal to identity)', () => {
    const r = register([1, 0, 0, 0, 1, 0], 13);
    expect(r.accepted).toBe(true);
    expect(r.method).toBe('triangles');
    expect(Math.abs(r.ncc - r.nccIdentity)).toBeLessThan(0.01);
    expect(rmsError(r.proxyMatrix, [1, 0, 0, 0, 1, 0])).toBeLessThan(0.1);
  });

  it('falls back to star pairs when the brightest stars are not shared (triangles cannot match)', () => {
    // reference: bright set A + faint set B; moving: another bright set C + the same B.
    // Triangles use the 30 brightest (A vs C: nothing in common); star pairs use all of them.
    // fluxes close enough that the shared faint stars still dominate the NCC of the true fit
    const bright = (seed: number) => randomStars(30, W, H, seed).map((s, i) => ({ ...s, flux: 3600 + 10 * i }));
    const faint = randomStars(80, W, H, 33).map((s, i) => ({ ...s, flux: 3000 - 5 * i }));
    const ref = frame([1, 0, 0, 0, 1, 0], { seed: 30, stars: [...bright(31), ...faint] });
    const R = prepareReference(ref.proxy, W, H, ref.stars, 0);
    const M: Affine2x3 = [1, 0, 2.5, 0, 1, -1.5];
    const r = registerFrame(R, frame(M, { seed: 34, stars: [...bright(32), ...faint] }), CFG, 3, RUN_KEY);
    expect(r.attempts[0].method).toBe('triangles');
    expect(r.attempts[0].ok).toBe(false);
    expect(r.method).toBe('star_pairs');
    expect(rmsError(r.proxyMatrix, M)).toBeLessThan(0.1);
  });

  it('starts the cascade at star pairs when the engine says so', () => {
    const r = register([1, 0, 3, 0, 1, 3], 14, { ...CFG, engine: 'star_similarity' });
    expect(r.method).toBe('star_pairs');
    expect(r.attempts[0].method).toBe('star_pairs');
  });

  it('reports a blank frame as failed', () => {
    const blank = { proxy: new Float32Array(W * H).fill(100), w: W, h: H, stars: [] };
    const r = registerFrame(REF, blank, CFG, 5, RUN_KEY);
    expect(r.accepted).toBe(false);
    expect(r.method).toBe('failed');
    expect(r.attempts.map((a) => a.method)).toEqual(['triangles', 'star_pairs', 'robust_phase_ecc', 'hybrid_phase_ecc', 'identity']);
  });

  it('rejects a mirrored frame (no reflection is ever fitted; the post-checks drop what is left)', () => {
    const mirror: Affine2x3 = [-1, 0, W - 1, 0, 1, 0];
    const r = register(mirror, 15);
    expect(r.method === 'triangles' || r.method === 'star_pairs').toBe(false);
    expect(r.proxyMatrix[0] * r.proxyMatrix[4] - r.proxyMatrix[1] * r.proxyMatrix[3]).toBeGreaterThan(0);
    const [checked] = postCheckRegistrations([r], CFG, { w: W, h: H });
    expect(checked.accepted).toBe(false);
  });

  it('rejects a candidate that is worse than identity (NCC rule), recording the reason', () => {
    // a frame with its own unrelated star field: any star "match" is spurious
    const other = randomStars(150, W, H, 999);
    const r = register([1, 0, 0, 0, 1, 0], 16, CFG, { seed: 16, stars: other });
    expect(r.method === 'triangles' || r.method === 'star_pairs').toBe(false);
    expect(r.attempts.length).toBeGreaterThan(1);
  });
});

describe('registerFrame: the reported NCC values', () => {
  const M: Affine2x3 = rotationAbout((0.6 * Math.PI) / 180, W / 2, H / 2, 4.3, -2.6);
  const moving = frame(M, { seed: 41 });
  const I: Affine2x3 = [1, 0, 0, 0, 1, 0];

  it('are the NCCs of the plain proxies and of their high-passed planes, under the fit and at identity, to the last bit', () => {
    const r = registerFrame(REF, moving, CFG, 4, RUN_KEY);
    expect(r.accepted).toBe(true);
    const movingHp = nccPlane(moving.proxy, W, H);
    expect(Object.is(r.ncc, nccUnderTransform(REF.proxy, W, H, moving.proxy, W, H, r.proxyMatrix))).toBe(true);
    expect(Object.is(r.nccIdentity, nccUnderTransform(REF.proxy, W, H, moving.proxy, W, H, I))).toBe(true);
    expect(Object.is(r.nccHighPass, nccUnderTransform(REF.highPass, W, H, movingHp, W, H, r.proxyMatrix))).toBe(true);
    expect(Object.is(r.nccHighPassIdentity, nccUnderTransform(REF.highPass, W, H, movingHp, W, H, I))).toBe(true);
    expect(REF.highPass).toEqual(nccPlane(REF.proxy, W, H));
  });

  it('are NaN for the candidate of a failed frame, while identity keeps its measured values', () => {
    const other = frame(I, { seed: 42, stars: randomStars(150, W, H, 4242) });
    const r = registerFrame(REF, other, { ...CFG, engine: 'star_similarity' }, 6, RUN_KEY);
    expect(r.accepted).toBe(false);
    expect(r.ncc).toBeNaN();
    expect(r.nccHighPass).toBeNaN();
    expect(Object.is(r.nccIdentity, nccUnderTransform(REF.proxy, W, H, other.proxy, W, H, I))).toBe(true);
    expect(Object.is(r.nccHighPassIdentity, nccUnderTransform(REF.highPass, W, H, nccPlane(other.proxy, W, H), W, H, I))).toBe(true);
  });
});

describe('registerFrame with registration.transform_model', () => {
  // a shear of 0.4 % (e.g. differential refraction) that no similarity can represent
  const sheared: Affine2x3 = [1.004, 0.004, 6.3, -0.002, 0.997, -4.1];

  it('fits an affine transform when asked, and only a similarity by default', () => {
    const affine = register(sheared, 71, { ...CFG, transform_model: 'affine' });
    const similarity = register(sheared, 71);
    expect(affine.accepted).toBe(true);
    expect(rmsError(affine.proxyMatrix, sheared)).toBeLessThan(0.05);
    expect(rmsError(similarity.proxyMatrix, sheared)).toBeGreaterThan(2 * rmsError(affine.proxyMatrix, sheared));
  });

  it('still returns a pure similarity for a similarity sky when the model is affine', () => {
    const M = rotationAbout(0.4 * (Math.PI / 180), W / 2, H / 2, 3.2, -1.7);
    const r = register(M, 72, { ...CFG, transform_model: 'affine' });
    expect(rmsError(r.proxyMatrix, M)).toBeLessThan(0.05);
  });
});

describe('registerFrame under sensor-fixed vignetting and hot pixels', () => {
  // light pollution and vignetting are fixed to the sensor, not to the sky: every frame carries the
  // same large-scale shape in frame coordinates, which correlates best at identity
  const hotRandom = mulberry32(5);
  const HOT: Array<[number, number]> = Array.from({ length: 40 }, () => [Math.floor(hotRandom() * W), Math.floor(hotRandom() * H)]);
  const gradient = (img: Float32Array) => {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) img[y * W + x] += 1200 * (1 - (((x - W / 2) / W) ** 2 + ((y - H / 2) / H) ** 2) * 2) + 300 * (x / W);
    }
    // and hot pixels, as fixed to the sensor as the vignetting
    for (const [x, y] of HOT) img[y * W + x] += 5000;
  };
  const ref = frame([1, 0, 0, 0, 1, 0], { seed: 31, edit: gradient });
  const REF_G = prepareReference(ref.proxy, W, H, ref.stars, 0);

  it('keeps the star transform although identity aligns vignetting and hot pixels better on the plain proxy', () => {
    const M: Affine2x3 = [1, 0, 11.5, 0, 1, -7.25];
    const r = registerFrame(REF_G, frame(M, { seed: 32, edit: gradient }), CFG, 1, RUN_KEY);
    // the trap is real: on the plain proxies identity correlates better than the true transform
    expect(r.nccIdentity).toBeGreaterThan(r.ncc);
    expect(r.method).toBe('triangles');
    expect(r.accepted).toBe(true);
    expect(rmsError(r.proxyMatrix, M)).toBeLessThan(0.1);
    expect(r.nccHighPass).toBeGreaterThan(r.nccHighPassIdentity + CFG.delta_ncc);
  });

  it('refuses a chance star match on another field: its stars do not correlate with the reference', () => {
    const M: Affine2x3 = [1, 0, 11.5, 0, 1, -7.25];
    // a frame of a different star field: whatever the stars match, it cannot correlate
    const other = frame(M, { seed: 33, stars: randomStars(150, W + 80, H + 80, 99).map((s) => ({ ...s, x: s.x - 40, y: s.y - 40 })), edit: gradient });
    const r = registerFrame(REF_G, other, CFG, 2, RUN_KEY);
    expect(['triangles', 'star_pairs']).not.toContain(r.method);
  });

  it('refuses identity for a frame whose stars do not line up with the reference, instead of stacking it unaligned', () => {
    const M: Affine2x3 = [1, 0, 11.5, 0, 1, -7.25];
    const other = frame(M, { seed: 34, stars: randomStars(150, W + 80, H + 80, 77).map((s) => ({ ...s, x: s.x - 40, y: s.y - 40 })), edit: gradient });
    const r = registerFrame(REF_G, other, { ...CFG, engine: 'hybrid_phase_ecc' }, 3, RUN_KEY);
    expect(r.accepted).toBe(false);
    expect(r.method).toBe('failed');
    expect(r.attempts.at(-1)?.reason).toMatch(/identity refused: high-passed NCC .* below reject_cc_highpass_min/);
  });

  it('keeps identity for an undithered frame of the same field', () => {
    const r = registerFrame(REF_G, frame([1, 0, 0, 0, 1, 0], { seed: 35, edit: gradient }), CFG, 4, RUN_KEY);
    expect(r.accepted).toBe(true);
    expect(rmsError(r.proxyMatrix, [1, 0, 0, 0, 1, 0])).toBeLessThan(0.1);
  });
});
