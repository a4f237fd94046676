import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxMean, boxResidual, dilateDisk, laplacian3x3, median3x3, reflect101, sobelMagnitudeSq } from '../../../shared/image/filters';
import { mulberry32 } from '../../../shared/util/seed';

const FC = { seed: 20240601, numRuns: 50 };

/** Direct k x k reflect-101 NaN-aware box mean, the definition the fast version must match. */
function boxMeanNaive(p: ArrayLike<number>, w: number, h: number, k: number): number[] {
  const half = (k - 1) / 2;
  const out: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      let c = 0;
      for (let dy = -half; dy <= half; dy++)
        for (let dx = -half; dx <= half; dx++) {
          const v = p[reflect101(y + dy, h) * w + reflect101(x + dx, w)];
          if (Number.isFinite(v)) {
            s += v;
            c++;
          }
        }
      out.push(c ? s / c : NaN);
    }
  return out;
}

describe('reflect101', () => {
  it('mirrors about the edge pixel without repeating it', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflect101(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
  });
  it('stays in range for offsets wider than the array and for n = 1', () => {
    expect([-9, 9, 20].map((i) => reflect101(i, 3))).toEqual([1, 1, 0]);
    expect(reflect101(-5, 1)).toBe(0);
  });
});

describe('boxMean', () => {
  it('matches a hand-computed 3x3 mean with reflect-101 padding at the corner', () => {
    // 3x3 plane 1..9; at (0,0) the reflected window is rows [1,0,1], cols [1,0,1]
    const p = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = boxMean(p, 3, 3, 3);
    expect(out[0]).toBeCloseTo((5 + 4 + 5 + 2 + 1 + 2 + 5 + 4 + 5) / 9, 6);
    expect(out[4]).toBeCloseTo(5, 6);
  });
  it('averages only the valid pixels of a window that holds NaN', () => {
    const p = Float32Array.from([NaN, 2, 2, 2, 2, 2, 2, 2, 2]);
    const out = boxMean(p, 3, 3, 3);
    expect(Array.from(out).every((v) => v === 2)).toBe(true);
  });
  it('is NaN where a window holds no valid pixel (all-NaN input)', () => {
    const out = boxMean(new Float32Array(16).fill(NaN), 4, 4, 3);
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
  });
  it('equals the direct definition for random planes, sizes and odd k (incl. k wider than the plane)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (w, h, kh, s) => {
        const k = 2 * kh + 1;
        const p = new Float32Array(w * h);
        let a = s;
        for (let i = 0; i < p.length; i++) {
          a = (a * 1103515245 + 12345) % 2147483648;
          p[i] = a % 7 === 0 ? NaN : (a % 1000) / 10;
        }
        const fast = boxMean(p, w, h, k);
        const slow = boxMeanNaive(p, w, h, k);
        for (let i = 0; i < p.length; i++) {
          if (Number.isNaN(slow[i])) expect(fast[i]).toBeNaN();
          else expect(fast[i]).toBeCloseTo(slow[i], 3);
        }
      }),
      FC,
    );
  });
  it('does not mutate its input and rejects an even box size', () => {
    const p = Float32Array.from([1, 2, 3, 4]);
    boxMean(p, 2, 2, 3);
    expect(Array.from(p)).toEqual([1, 2, 3, 4]);
    expect(() => boxMean(p, 2, 2, 4)).toThrow(RangeError);
  });
});

/** A w x h float32 plane of noise with every `nanEvery`-th pixel NaN (0: none). */
function noisePlane(w: number, h: number, seed: number, nanEvery = 0): Float32Array {
  const rnd = mulberry32(seed);
  return Float32Array.from({ length: w * h }, (_, i) => (nanEvery > 0 && i % nanEvery === 3 ? NaN : 100 + 10 * rnd()));
}

describe('boxMean into a caller buffer, and boxResidual', () => {
  it('writes the same values into a given (larger) buffer as into a fresh one, with and without NaN', () => {
    for (const nanEvery of [0, 11]) {
      const p = noisePlane(37, 23, 1, nanEvery);
      const out = new Float32Array(37 * 23 + 10).fill(-1);
      expect(boxMean(p, 37, 23, 31, out)).toBe(out);
      expect(out.subarray(0, 37 * 23)).toEqual(boxMean(p, 37, 23, 31));
      expect(out[37 * 23]).toBe(-1);
    }
  });
  it('boxResidual is the plane minus its float32 box mean, NaN where either is NaN', () => {
    for (const nanEvery of [0, 7]) {
      const p = noisePlane(40, 33, 2, nanEvery);
      const mean = boxMean(p, 40, 33, 31);
      const want = Float32Array.from(p, (v, i) => v - mean[i]);
      expect(boxResidual(p, 40, 33, 31)).toEqual(want);
    }
  });
  it('rejects an output buffer too small for the plane', () => {
    const p = noisePlane(8, 8, 3);
    expect(() => boxMean(p, 8, 8, 3, new Float32Array(63))).toThrow(RangeError);
    expect(() => boxResidual(p, 8, 8, 3, new Float32Array(10))).toThrow(RangeError);
  });
});

describe('sobelMagnitudeSq', () => {
  it('gives float32 planes (written-out interior) the values of the generic window path', () => {
    // a Float64Array input takes the per-pixel window path; both must agree bit for bit
    for (const nanEvery of [0, 13]) {
      const p = noisePlane(29, 17, 4, nanEvery);
      p[40] = Infinity;
      const out = new Float32Array(29 * 17);
      expect(sobelMagnitudeSq(p, 29, 17, out)).toBe(out);
      expect(out).toEqual(sobelMagnitudeSq(Float64Array.from(p), 29, 17));
    }
    expect(() => sobelMagnitudeSq(noisePlane(5, 5, 1), 5, 5, new Float32Array(24))).toThrow(RangeError);
  });
  it('gives (8a)^2 on a ramp of slope a inside and 4x smaller at replicated edges', () => {
    const w = 5;
    const p = new Float32Array(w * 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < w; x++) p[y * w + x] = 3 * x;
    const out = sobelMagnitudeSq(p, w, 4);
    expect(out[1 * w + 2]).toBeCloseTo(24 * 24, 4);
    // at x = 0 the replicated left column halves the difference: Gx = 4*3
    expect(out[1 * w + 0]).toBeCloseTo(12 * 12, 4);
  });
  it('is zero on a constant image', () => {
    expect(Array.from(sobelMagnitudeSq(new Float32Array(25).fill(7), 5, 5)).every((v) => v === 0)).toBe(true);
  });
  it('is NaN wherever a NaN lies in the 3x3 window and finite elsewhere', () => {
    const p = new Float32Array(25).fill(1);
    p[12] = NaN;
    const out = sobelMagnitudeSq(p, 5, 5);
    expect(out[6]).toBeNaN();
    expect(out[18]).toBeNaN();
    expect(out[0]).toBe(0);
  });
});

describe('laplacian3x3', () => {
  it('is 2a on a quadratic a*x^2 and 0 on a ramp', () => {
    const w = 6;
    const q = new Float32Array(w * 3);
    const r = new Float32Array(w * 3);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < w; x++) {
        q[y * w + x] = 1.5 * x * x;
        r[y * w + x] = 2 * x + y;
      }
    expect(laplacian3x3(q, w, 3)[w + 3]).toBeCloseTo(3, 5);
    expect(laplacian3x3(r, w, 3)[w + 3]).toBeCloseTo(0, 5);
  });
  it('is NaN next to a NaN pixel', () => {
    const p = new Float32Array(9).fill(1);
    p[0] = NaN;
    expect(laplacian3x3(p, 3, 3)[4]).toBeNaN();
  });
});

describe('median3x3', () => {
  it('removes a single hot pixel and keeps a constant background', () => {
    const p = new Float32Array(25).fill(2);
    p[12] = 1000;
    expect(Array.from(median3x3(p, 5, 5)).every((v) => v === 2)).toBe(true);
  });
  it('returns the middle of nine distinct values', () => {
    const p = Float32Array.from([9, 1, 8, 2, 7, 3, 6, 4, 5]);
    expect(median3x3(p, 3, 3)[4]).toBe(5);
  });
  it('is NaN where the window holds a NaN', () => {
    const p = new Float32Array(9).fill(1);
    p[8] = NaN;
    const out = median3x3(p, 3, 3);
    expect(out[4]).toBeNaN();
    expect(out[0]).toBe(1);
  });
});

describe('dilateDisk', () => {
  it('grows one pixel into the 29-pixel disk of radius 3', () => {
    const w = 11;
    const m = new Uint8Array(w * w);
    m[5 * w + 5] = 1;
    const out = dilateDisk(m, w, w, 3);
    let n = 0;
    for (let y = 0; y < w; y++)
      for (let x = 0; x < w; x++) {
        const inside = (x - 5) ** 2 + (y - 5) ** 2 <= 9;
        expect(out[y * w + x]).toBe(inside ? 1 : 0);
        n += out[y * w + x];
      }
    expect(n).toBe(29);
  });
  it('clips the disk at the array edge and keeps an empty mask empty', () => {
    const m = new Uint8Array(16);
    m[0] = 1;
    const out = dilateDisk(m, 4, 4, 1);
    expect(Array.from(out)).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(dilateDisk(new Uint8Array(16), 4, 4, 3)).every((v) => v === 0)).toBe(true);
  });
  it('matches a direct stamp of the disk on random masks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 4 }), fc.array(fc.boolean(), { minLength: 144, maxLength: 144 }), (w, h, r, bits) => {
        const m = new Uint8Array(w * h);
        for (let i = 0; i < m.length; i++) m[i] = bits[i] && i % 5 === 0 ? 1 : 0;
        const want = new Uint8Array(w * h);
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            if (m[y * w + x])
              for (let dy = -r; dy <= r; dy++)
                for (let dx = -r; dx <= r; dx++)
                  if (dx * dx + dy * dy <= r * r && x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h) want[(y + dy) * w + x + dx] = 1;
        expect(Array.from(dilateDisk(m, w, h, r))).toEqual(Array.from(want));
      }),
      FC,
    );
  });
});
