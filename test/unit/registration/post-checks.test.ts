import { describe, expect, it } from 'vitest';
import { rotationAbout, similarity, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { prepareReference, verifyPrediction, type RegistrationResult } from '../../../shared/pipeline/registration/cascade';
import { computeCanvas, ditherShare } from '../../../shared/pipeline/registration/canvas';
import { DEFAULT_REGISTRATION_CONFIG as CFG } from '../../../shared/pipeline/registration/config';
import { checkSuccessFraction, postCheckRegistrations } from '../../../shared/pipeline/registration/post-checks';
import { predictFailed } from '../../../shared/pipeline/registration/predict';
import { randomStars, renderStars, moveStars } from './sky';

function result(frameIndex: number, M: Affine2x3, ncc = 0.9, accepted = true, method: RegistrationResult['method'] = 'triangles'): RegistrationResult {
  return {
    frameIndex, accepted, method, proxyMatrix: M, ncc, nccIdentity: 0.1, nccHighPass: ncc, nccHighPassIdentity: 0.1, inliers: 20, residualPx: 0.05,
    scale: 1, rotationDeg: (Math.atan2(M[3] - M[1], M[0] + M[4]) * 180) / Math.PI, tx: 0, ty: 0, stars: 50, attempts: [],
  };
}
const SIZE = { w: 200, h: 150 };

describe('postCheckRegistrations', () => {
  const good = [0, 1, 2, 3, 4].map((f) => result(f, [1, 0, f, 0, 1, -f], 0.9 + 0.01 * f));

  it('keeps a consistent sequence untouched', () => {
    expect(postCheckRegistrations(good, CFG, SIZE)).toEqual(good);
  });

  it('rejects a mirrored transform (det < 0)', () => {
    const out = postCheckRegistrations([...good, result(5, [-1, 0, 199, 0, 1, 0])], CFG, SIZE);
    expect(out[5].accepted).toBe(false);
    expect(out[5].rejection?.code).toBe('MIRRORED');
  });

  it('rejects a scale outside [reject_scale_min, reject_scale_max]', () => {
    const out = postCheckRegistrations([...good, result(5, similarity(1.1, 0, 0, 0))], CFG, SIZE);
    expect(out[5].rejection?.code).toBe('SCALE');
  });

  it('rejects an NCC below the absolute floor or, for transforms without star evidence, far below the median', () => {
    const out = postCheckRegistrations(
      [...good, result(5, [1, 0, 1, 0, 1, 1], 0.3), result(6, [1, 0, 1, 0, 1, 1], 0.5, true, 'robust_phase_ecc')],
      CFG,
      SIZE,
    );
    expect(out[5].rejection?.code).toBe('LOW_NCC');
    expect(out[6].rejection?.code).toBe('LOW_NCC');
  });

  it('keeps a star-matched frame whose NCC is only low because it is worse (seeing, cloud)', () => {
    const out = postCheckRegistrations([...good, result(5, [1, 0, 1, 0, 1, 1], 0.5)], CFG, SIZE);
    expect(out[5].accepted).toBe(true);
    const fewStars = { ...result(6, [1, 0, 1, 0, 1, 1], 0.5), inliers: 6 };
    expect(postCheckRegistrations([...good, fewStars], CFG, SIZE)[5].rejection?.code).toBe('LOW_NCC');
  });

  it('rejects a shift far beyond the family median but accepts a meridian flip about the centre', () => {
    const flip = rotationAbout(Math.PI, (SIZE.w - 1) / 2, (SIZE.h - 1) / 2, 1, 1);
    const out = postCheckRegistrations([...good, result(5, [1, 0, 40, 0, 1, 0]), result(6, flip)], CFG, SIZE);
    expect(out[5].rejection?.code).toBe('SHIFT');
    expect(out[6].accepted).toBe(true);
  });

  it('never rejects the reference frame and does nothing with reject_outliers off', () => {
    const ref = result(0, [1, 0, 0, 0, 1, 0], 1, true, 'identity_reference');
    const bad = result(1, [-1, 0, 199, 0, 1, 0]);
    expect(postCheckRegistrations([ref, bad], CFG, SIZE)[0]).toBe(ref);
    expect(postCheckRegistrations([ref, bad], { ...CFG, reject_outliers: false }, SIZE)[1].accepted).toBe(true);
  });
});

describe('checkSuccessFraction', () => {
  it('fails below min_success_fraction', () => {
    const rs = [result(0, [1, 0, 0, 0, 1, 0]), result(1, [1, 0, 0, 0, 1, 0], 0, false, 'failed'), result(2, [1, 0, 0, 0, 1, 0], 0, false, 'failed')];
    expect(checkSuccessFraction(rs, CFG)).toEqual({ share: 1 / 3, ok: false });
    expect(checkSuccessFraction(rs.slice(0, 2), CFG).ok).toBe(true);
  });
});

describe('predictFailed', () => {
  it('interpolates angle and shift linearly between accepted neighbours, constant beyond the ends', () => {
    const rs = [
      result(0, similarity(1, 0.01, 0, 0)),
      result(1, [1, 0, 0, 0, 1, 0], 0, false, 'failed'),
      result(2, similarity(1, 0.03, 4, -2)),
      result(3, [1, 0, 0, 0, 1, 0], 0, false, 'failed'),
    ];
    const p = predictFailed(rs);
    expect(p.map((x) => x.frameIndex)).toEqual([1, 3]);
    const m1 = p[0].matrix;
    expect(Math.atan2(m1[3], m1[0])).toBeCloseTo(0.02, 12);
    expect(m1[2]).toBeCloseTo(2, 12);
    expect(m1[5]).toBeCloseTo(-1, 12);
    expect(p[1].matrix[2]).toBeCloseTo(4, 12);
  });

  it('unwraps the angle across ±180°', () => {
    const rs = [result(0, similarity(1, Math.PI - 0.02, 0, 0)), result(1, [1, 0, 0, 0, 1, 0], 0, false, 'failed'), result(2, similarity(1, -Math.PI + 0.02, 0, 0))];
    const m = predictFailed(rs)[0].matrix;
    expect(Math.abs(Math.atan2(m[3], m[0]))).toBeCloseTo(Math.PI, 9);
  });

  it('does not predict frames rejected as mirrored, and predicts nothing without accepted frames', () => {
    const mirrored = { ...result(1, [-1, 0, 0, 0, 1, 0]), accepted: false, rejection: { code: 'MIRRORED' as const, message: '' } };
    expect(predictFailed([result(0, [1, 0, 0, 0, 1, 0]), mirrored])).toEqual([]);
    expect(predictFailed([result(0, [1, 0, 0, 0, 1, 0], 0, false, 'failed')])).toEqual([]);
  });
});

describe('verifyPrediction', () => {
  const W = 128;
  const stars = randomStars(60, W, W, 5);
  const refImg = renderStars(W, W, stars, { noise: 2, seed: 1 });
  const R = prepareReference(refImg, W, W, [], 0);
  const M: Affine2x3 = [1, 0, 3, 0, 1, -2];
  const mov = { proxy: renderStars(W, W, moveStars(stars, M), { noise: 2, seed: 2 }), w: W, h: W, stars: [] };

  it('accepts a correct prediction as "predicted"', () => {
    const r = verifyPrediction(R, mov, M, CFG, 4);
    expect(r.accepted).toBe(true);
    expect(r.method).toBe('predicted');
  });

  it('refuses a wrong prediction', () => {
    const r = verifyPrediction(R, mov, [1, 0, -6, 0, 1, 5], CFG, 4);
    expect(r.accepted).toBe(false);
    expect(r.method).toBe('failed');
  });

  it('refuses to rescue a blank frame with a near-identity prediction', () => {
    const blank = { proxy: renderStars(W, W, [], { noise: 2, seed: 3 }), w: W, h: W, stars: [] };
    expect(verifyPrediction(R, blank, [1, 0, 0.1, 0, 1, 0], CFG, 4).accepted).toBe(false);
  });
});

describe('computeCanvas', () => {
  it('keeps the reference grid for framing "reference"', () => {
    const c = computeCanvas('reference', [[1, 0, 5, 0, 1, 5]], 100, 80, false);
    expect([c.width, c.height, c.offsetX, c.offsetY]).toEqual([100, 80, 0, 0]);
    expect(c.matrices[0]).toEqual([1, 0, 5, 0, 1, 5]);
  });

  it('covers all frames for framing "union", even-sized, with M2 = M*T(-o)', () => {
    // a frame shifted so that its content lies at reference x - 7.5 .. and y + 3
    const M: Affine2x3 = [1, 0, 7.5, 0, 1, -3];
    const c = computeCanvas('union', [M], 100, 80, false);
    expect(c.offsetX).toBe(8);
    expect(c.offsetY).toBe(0);
    expect(c.width % 2).toBe(0);
    expect(c.width).toBeGreaterThanOrEqual(108);
    expect(c.height).toBe(84);
    // canvas pixel (offsetX, offsetY) is reference pixel (0, 0)
    expect(c.matrices[0][2]).toBeCloseTo(7.5 - 8, 12);
  });

  it('keeps the Bayer phase for OSC: even offsets', () => {
    const c = computeCanvas('union', [[1, 0, 7, 0, 1, 3]], 100, 80, true);
    expect(c.offsetX % 2).toBe(0);
    expect(c.offsetY % 2).toBe(0);
  });

  it('rejects an unknown framing and a singular matrix', () => {
    expect(() => computeCanvas('bogus' as 'union', [], 10, 10, false)).toThrow(RangeError);
    expect(() => computeCanvas('union', [[0, 0, 0, 0, 0, 0]], 10, 10, false)).toThrow(RangeError);
  });

  it('reports the dithered share', () => {
    expect(ditherShare([[1, 0, 0.1, 0, 1, 0], [1, 0, 2, 0, 1, 0]], 0.5)).toBe(0.5);
  });
});
