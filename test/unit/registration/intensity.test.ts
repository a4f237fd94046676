import { describe, expect, it } from 'vitest';
import { applyAffine, rotationAbout, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { prepareReference, registerFrame } from '../../../shared/pipeline/registration/cascade';
import { DEFAULT_REGISTRATION_CONFIG as CFG } from '../../../shared/pipeline/registration/config';
import { eccAlign } from '../../../shared/pipeline/registration/ecc';
import { buildIntensityPyramid, registerByIntensity } from '../../../shared/pipeline/registration/intensity';
import { estimateRotation, phaseCorrelate } from '../../../shared/pipeline/registration/phase-correlation';
import { smoothScene } from './sky';

const W = 128;
const H = 96;

function rms(got: Affine2x3, want: Affine2x3): number {
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

const prep = (img: Float32Array, w: number, h: number) => buildIntensityPyramid(img, w, h, 'robust_phase_ecc').levels[0].phase;

describe('phaseCorrelate', () => {
  it('recovers a sub-pixel shift of a starless structured image (Laplacian-preprocessed, as in P4.5)', () => {
    // M maps ref -> mov, so mov(x) = ref(x - t): the measured displacement is t itself
    const s = phaseCorrelate(prep(smoothScene(W, H), W, H), prep(smoothScene(W, H, [1, 0, -5.3, 0, 1, 2.6]), W, H), W, H);
    expect(Math.abs(s.dx + 5.3)).toBeLessThan(0.25);
    expect(Math.abs(s.dy - 2.6)).toBeLessThan(0.25);
  });

});

describe('estimateRotation', () => {
  it.each([4, -7, 30])('measures a %s° rotation with the sign of the reference -> moving matrix', (deg) => {
    const M = rotationAbout((deg * Math.PI) / 180, W / 2, W / 2);
    const r = estimateRotation(prep(smoothScene(W, W), W, W), prep(smoothScene(W, W, M), W, W), W, W);
    expect(Math.abs(r.thetaDeg - deg)).toBeLessThan(0.5);
  });

  it('cannot tell 170° from -10° (the magnitude spectrum is symmetric): callers test both', () => {
    const M = rotationAbout((170 * Math.PI) / 180, W / 2, W / 2);
    const r = estimateRotation(prep(smoothScene(W, W), W, W), prep(smoothScene(W, W, M), W, W), W, W);
    expect(Math.abs(r.thetaDeg + 10)).toBeLessThan(0.5);
  });
});

describe('eccAlign', () => {
  it('refines a rough translation to the true sub-pixel rotation and shift', () => {
    const ref = smoothScene(W, H);
    const M = rotationAbout(0.01, W / 2, H / 2, 1.7, -0.8);
    const mov = smoothScene(W, H, M);
    const e = eccAlign(ref, mov, W, H, [1, 0, 1, 0, 1, -1], { maxIterations: 200, eps: 1e-8, rotation: true })!;
    expect(rms(e.matrix, M)).toBeLessThan(0.02);
    expect(e.rho).toBeGreaterThan(0.999);
  });

  it('returns null for a flat image (no correlation to maximize)', () => {
    const flat = new Float32Array(W * H).fill(1);
    expect(eccAlign(smoothScene(W, H), flat, W, H, [1, 0, 0, 0, 1, 0], { maxIterations: 10, eps: 1e-6, rotation: true })).toBeNull();
  });
});

describe('registerByIntensity', () => {
  it.each(['robust_phase_ecc', 'hybrid_phase_ecc'] as const)('registers a starless frame with shift and rotation (%s)', (method) => {
    const M = rotationAbout((0.8 * Math.PI) / 180, W / 2, H / 2, -6.4, 3.1);
    const r = registerByIntensity(buildIntensityPyramid(smoothScene(W, H), W, H, method), buildIntensityPyramid(smoothScene(W, H, M, 0.5), W, H, method), true);
    expect(r.ok).toBe(true);
    if (r.ok) expect(rms(r.matrix, M)).toBeLessThan(0.1);
  });

  it('picks theta + 180° when the frame is flipped (robust_phase_ecc)', () => {
    const M = rotationAbout(Math.PI + 0.01, (W - 1) / 2, (H - 1) / 2, 2.2, -1.3);
    const m = 'robust_phase_ecc';
    const r = registerByIntensity(buildIntensityPyramid(smoothScene(W, H), W, H, m), buildIntensityPyramid(smoothScene(W, H, M, 0.5), W, H, m), true);
    expect(r.ok && rms(r.matrix, M)).toBeLessThan(0.1);
  });
});

describe('registerFrame on a starless frame', () => {
  it('takes the intensity fallback and reports it', () => {
    const refImg = smoothScene(W, H, null, 0.5, 1);
    // the blobs' maxima are "stars" to the detector; they cannot be matched as stars reliably
    const R = prepareReference(refImg, W, H, [], 0);
    const M: Affine2x3 = [1, 0, 3.25, 0, 1, -2.5];
    const movImg = smoothScene(W, H, M, 0.5, 2);
    const r = registerFrame(R, { proxy: movImg, w: W, h: H, stars: [] }, CFG, 1, 'k');
    expect(r.accepted).toBe(true);
    expect(['robust_phase_ecc', 'hybrid_phase_ecc']).toContain(r.method);
    expect(r.attempts[0].ok).toBe(false);
    expect(rms(r.proxyMatrix, M)).toBeLessThan(0.1);
  });
});
