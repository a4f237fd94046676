import { describe, expect, it } from 'vitest';
import { sampleBilinear } from '../../../shared/image/warp';
import type { Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { nccUnderTransform } from '../../../shared/pipeline/registration/ncc';
import { mulberry32 } from '../../../shared/util/seed';

/**
 * The definition nccUnderTransform is a faster form of: every reference pixel, the moving proxy
 * sampled bilinearly at M*q by repeated addition along the row, sums over pixels valid in both.
 */
function nccByDefinition(ref: Float32Array, rw: number, rh: number, mov: Float32Array, mw: number, mh: number, M: Affine2x3): number {
  const [a, b, tx, c, d, ty] = M;
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let y = 0; y < rh; y++) {
    let sx = b * y + tx;
    let sy = d * y + ty;
    for (let x = 0; x < rw; x++, sx += a, sy += c) {
      const u = ref[y * rw + x];
      if (u !== u) continue;
      const v = sampleBilinear(mov, mw, mh, sx, sy);
      if (v !== v) continue;
      n++;
      sa += u;
      sb += v;
      saa += u * u;
      sbb += v * v;
      sab += u * v;
    }
  }
  if (n < 16) return Number.NaN;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (!(va > 0 && vb > 0)) return Number.NaN;
  return (sab - (sa * sb) / n) / Math.sqrt(va * vb);
}

function field(w: number, h: number, seed: number, nanEvery = 0): Float32Array {
  const u = mulberry32(seed);
  const d = Float32Array.from({ length: w * h }, (_, i) => 50 + 20 * Math.sin(i / 13) + 10 * u());
  if (nanEvery > 0) for (let i = 3; i < d.length; i += nanEvery) d[i] = Number.NaN;
  return d;
}

const TRANSFORMS: [string, Affine2x3][] = [
  ['identity', [1, 0, 0, 0, 1, 0]],
  ['a whole-pixel shift', [1, 0, -3, 0, 1, 5]],
  ['a half-pixel shift along x', [1, 0, 0.5, 0, 1, 0]],
  ['a shift along y only', [1, 0, 0, 0, 1, -2.25]],
  ['a rotation with a sub-pixel shift', [0.9986295, -0.0523360, 1.7, 0.0523360, 0.9986295, -0.4]],
  ['a shift moving most pixels outside', [1, 0, 50.5, 0, 1, -30]],
];

describe('nccUnderTransform', () => {
  it.each(TRANSFORMS)('equals the per-pixel definition to the last bit for %s, NaN pixels included', (_, M) => {
    const ref = field(67, 45, 1, 41);
    const mov = field(61, 47, 2, 37);
    expect(Object.is(nccUnderTransform(ref, 67, 45, mov, 61, 47, M), nccByDefinition(ref, 67, 45, mov, 61, 47, M))).toBe(true);
  });

  it('is 1 for a frame against its own shifted copy, on the overlap', () => {
    const w = 40;
    const h = 30;
    const mov = field(w, h, 3);
    const ref = new Float32Array(w * h).fill(Number.NaN);
    for (let y = 0; y < h - 2; y++) for (let x = 3; x < w; x++) ref[y * w + x] = mov[(y + 2) * w + x - 3];
    expect(nccUnderTransform(ref, w, h, mov, w, h, [1, 0, -3, 0, 1, 2])).toBeCloseTo(1, 12);
  });

  it('is NaN when the overlap is tiny or one side is flat', () => {
    const ref = field(20, 20, 4);
    expect(nccUnderTransform(ref, 20, 20, field(20, 20, 5), 20, 20, [1, 0, 17, 0, 1, 17])).toBeNaN();
    expect(nccUnderTransform(ref, 20, 20, new Float32Array(400).fill(3), 20, 20, [1, 0, 0, 0, 1, 0])).toBeNaN();
    expect(nccUnderTransform(ref, 20, 20, new Float32Array(400).fill(3), 20, 20, [1, 0, 0.5, 0, 1, 0.5])).toBeNaN();
  });
});
