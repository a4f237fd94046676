import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allPixels, radixMedian, radixMedianAndSigmaMad } from '../../../shared/image/radix-median';
import { medianAndSigmaMad, medianInPlace } from '../../../shared/image/stats';
import { mulberry32 } from '../../../shared/util/seed';

/**
 * The radix path starts at 65536 values (below it the stats.ts path is taken), so most arrays here
 * are a little larger than that. The reference is the definition: sort the finite values.
 */
const N = 70_001;

function sortedStats(values: number[]): { median: number; sigma: number; n: number } {
  const finite = values.filter((v) => Number.isFinite(v));
  const centre = (s: number[]) => {
    s.sort((a, b) => a - b);
    const n = s.length;
    return n % 2 === 1 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  };
  if (finite.length === 0) return { median: NaN, sigma: NaN, n: 0 };
  const m = centre([...finite]);
  return { median: m, sigma: 1.4826 * centre(finite.map((v) => Math.abs(v - m))), n: finite.length };
}

function float32Of(n: number, value: (i: number) => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = value(i);
  return a;
}

const rnd = mulberry32(20241126);
const gauss = () => rnd() + rnd() + rnd() - 1.5;
const samples: Array<[string, (i: number) => number]> = [
  ['integer ADU with many ties', () => Math.round(1000 + 40 * gauss())],
  ['normalized floats near 1', () => 1 + 0.04 * gauss()],
  ['negative values', () => -5 + gauss()],
  ['values of both signs around 0', () => 1e-3 * gauss()],
  ['a heavy tail over 9 decades', () => Math.exp(20 * rnd())],
  ['NaN and infinities among the values', () => (rnd() < 0.2 ? NaN : rnd() < 0.05 ? Infinity : rnd() < 0.05 ? -Infinity : 100 * rnd())],
  ['two distinct values', () => (rnd() < 0.5 ? 1 : 2)],
  ['one value', () => 7],
  ['subnormal floats', () => 1e-40 * gauss()],
];

describe('radixMedianAndSigmaMad', () => {
  for (const [name, value] of samples) {
    it(`equals the sorted definition and stats.ts bit for bit: ${name}`, () => {
      // odd and even counts (the even one takes the mean of the two central values)
      const data = float32Of(N + 1, value);
      for (const n of [N, N + 1]) {
        const got = radixMedianAndSigmaMad(data, allPixels(n));
        expect(got).toEqual(medianAndSigmaMad(data.subarray(0, n)));
        if (n === N) expect(got).toEqual(sortedStats(Array.from(data.subarray(0, n))));
      }
    });
  }

  it('leaves masked pixels out, by pixel index', () => {
    const data = float32Of(N, () => Math.round(1000 + 40 * gauss()));
    const mask = new Uint8Array(N);
    for (let i = 0; i < N; i++) mask[i] = data[i] > 1030 ? 1 : 0;
    const kept = Array.from(data).filter((_, i) => !mask[i]);
    expect(radixMedianAndSigmaMad(data, allPixels(N), mask)).toEqual(sortedStats(kept));
    expect(radixMedian(data, allPixels(N), mask)).toBe(sortedStats(kept).median);
    // the mask matters: the bright side is gone, so the median moves down
    expect(radixMedian(data, allPixels(N), mask)).toBeLessThan(radixMedian(data, allPixels(N)));
  });

  it('visits strided runs with separate data and pixel offsets (one CFA colour of a plane)', () => {
    // 2 planes of 400 x 200: the runs take every other pixel of the odd rows of plane 1
    const w = 400;
    const h = 200;
    const data = float32Of(2 * w * h, (i) => (i < w * h ? 0 : 1 + 0.1 * gauss()));
    const mask = new Uint8Array(w * h);
    mask[w + 1] = 1;
    const runs: number[] = [];
    const picked: number[] = [];
    for (let y = 1; y < h; y += 2) {
      runs.push(w * h + y * w + 1, y * w + 1, 2, w / 2);
      for (let x = 1; x < w; x += 2) if (!mask[y * w + x]) picked.push(data[w * h + y * w + x]);
    }
    // too few for the radix path: also check a larger selection of the same shape
    expect(radixMedianAndSigmaMad(data, Int32Array.from(runs), mask)).toEqual(sortedStats(picked));
    const big = float32Of(2 * N, (i) => (i % 2 === 0 ? 1 + 0.1 * gauss() : -1));
    const evenRuns = Int32Array.of(0, 0, 2, N);
    const evens = Array.from(big).filter((_, i) => i % 2 === 0);
    expect(radixMedianAndSigmaMad(big, evenRuns)).toEqual(sortedStats(evens));
  });

  it('agrees with stats.ts on random arrays of any size, below and above the radix threshold', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom(1, 1e-3, 1e6),
        (n, seed, scale) => {
          const r = mulberry32(seed);
          const data = float32Of(n, () => Math.round(scale * 50 * (r() - 0.3)) / 8);
          expect(radixMedianAndSigmaMad(data, allPixels(n))).toEqual(medianAndSigmaMad(data));
        },
      ),
      { seed: 7, numRuns: 8 },
    );
  });

  it('returns NaN and n = 0 when no value is finite', () => {
    const data = new Float32Array(N).fill(NaN);
    expect(radixMedianAndSigmaMad(data, allPixels(N))).toEqual({ median: NaN, sigma: NaN, n: 0 });
    expect(radixMedian(data, allPixels(N))).toBeNaN();
  });

  it('rejects runs that leave the data or the mask, and run lists that are not quadruples', () => {
    const data = new Float32Array(100);
    expect(() => radixMedian(data, Int32Array.of(0, 0, 1, 101))).toThrow(RangeError);
    expect(() => radixMedian(data, Int32Array.of(0, 0, 2, 51))).toThrow(RangeError);
    expect(() => radixMedian(data, Int32Array.of(0, 0, 0, 5))).toThrow(RangeError);
    expect(() => radixMedian(data, Int32Array.of(0, 0, 1))).toThrow(RangeError);
    expect(() => radixMedian(data, allPixels(100), new Uint8Array(50))).toThrow(RangeError);
  });
});

describe('radixMedian', () => {
  it('equals medianInPlace of the finite values for every sample kind', () => {
    for (const [, value] of samples) {
      const data = float32Of(N + 1, value);
      const finite = Float64Array.from(Array.from(data).filter((v) => Number.isFinite(v)));
      expect(radixMedian(data, allPixels(data.length))).toBe(medianInPlace(finite));
    }
  });
});
