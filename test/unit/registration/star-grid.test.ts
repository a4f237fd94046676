import { describe, expect, it } from 'vitest';
import { applyAffine, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { refineWithAllStars } from '../../../shared/pipeline/registration/star-grid';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const W = 256;
const H = 192;

/** Max distance over the frame corners and centre between two moving -> reference maps. */
function maxError(got: Affine2x3, want: Affine2x3): number {
  let e = 0;
  for (const [x, y] of [[0, 0], [W, 0], [0, H], [W, H], [W / 2, H / 2]]) {
    const [a, b] = applyAffine(got, x, y);
    const [c, d] = applyAffine(want, x, y);
    e = Math.max(e, Math.hypot(a - c, b - d));
  }
  return e;
}

/**
 * A pair of star lists that share only a third of their stars (bad seeing, cloud, another depth):
 * the rest of each list has no partner, so chance neighbours sit within a pixel or two of many
 * mapped stars.
 */
function lists(seed: number, shared: number, own: number) {
  const r = mulberry32(seed);
  const g = gaussianSource(mulberry32(seed + 1));
  const truth: Affine2x3 = [1, 0, 0.4, 0, 1, -0.3]; // moving -> reference
  const ref: { x: number; y: number }[] = [];
  const mov: { x: number; y: number }[] = [];
  for (let i = 0; i < shared; i++) {
    const x = 5 + r() * (W - 10);
    const y = 5 + r() * (H - 10);
    const [rx, ry] = applyAffine(truth, x, y);
    mov.push({ x: x + 0.08 * g(), y: y + 0.08 * g() });
    ref.push({ x: rx + 0.08 * g(), y: ry + 0.08 * g() });
  }
  for (let i = 0; i < own; i++) {
    ref.push({ x: r() * W, y: r() * H });
    mov.push({ x: r() * W, y: r() * H });
  }
  return { ref, mov, truth };
}

describe('refineWithAllStars', () => {
  it('converges to the true transform from a start 1 px off when only a third of the stars are shared', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { ref, mov, truth } = lists(seed, 30, 60);
      // a rotated, scaled start: ~1 px off at the corners
      const start: Affine2x3 = [1.003, 0.002, 0.4 - 0.2, -0.002, 1.003, -0.3 + 0.3];
      const r = refineWithAllStars(start, mov, ref, 3, true);
      expect(r).not.toBeNull();
      expect(maxError(r!.matrix, truth), `seed ${seed}`).toBeLessThan(0.15);
    }
  });

  it('returns null when fewer than three pairs fall within the tolerance', () => {
    const far = refineWithAllStars([1, 0, 50, 0, 1, 50], [{ x: 10, y: 10 }, { x: 20, y: 30 }], [{ x: 10, y: 10 }, { x: 20, y: 30 }], 3, true);
    expect(far).toBeNull();
  });
});
