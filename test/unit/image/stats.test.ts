import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allFiniteIn, mad, median, medianAndSigmaMad, medianDeviationOfFinite, medianInPlace, medianOfFinite } from '../../../shared/image/stats';
import { mulberry32 } from '../../../shared/util/seed';

function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

describe('medianInPlace', () => {
  it('equals the median of the sorted values for any finite input, ties and runs included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 200 }), (ints) => {
        expect(medianInPlace(Float64Array.from(ints))).toBe(sortedMedian(ints));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), (xs) => {
        // -0 and +0 compare equal, so which of them is the median depends on the order of the
        // equal values (fast-check found [-0, 5e-324, 0]); + 0 makes both +0
        expect(medianInPlace(Float64Array.from(xs)) + 0).toBe(sortedMedian(xs) + 0);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the smaller half before the upper centre (the even-n rule depends on it)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 13);
    const a = Float64Array.from(values);
    const m = medianInPlace(a);
    for (let i = 0; i < 500; i++) expect(a[i]).toBeLessThanOrEqual(a[500]);
    for (let i = 501; i < 1000; i++) expect(a[i]).toBeGreaterThanOrEqual(a[500]);
    expect(m).toBe(sortedMedian(values));
  });

  it('handles sorted, reversed and constant arrays', () => {
    const up = Array.from({ length: 10001 }, (_, i) => i);
    expect(medianInPlace(Float64Array.from(up))).toBe(5000);
    expect(medianInPlace(Float64Array.from(up.reverse()))).toBe(5000);
    expect(medianInPlace(new Float64Array(4096).fill(3))).toBe(3);
    expect(medianInPlace(Float32Array.from([2, 1]))).toBe(1.5);
  });

  it('returns NaN for an empty array', () => {
    expect(medianInPlace(new Float64Array(0))).toBeNaN();
  });

  it('reads each element a bounded number of times when values repeat (no quadratic partition)', () => {
    // integer ADU values and their absolute deviations have few distinct values; a partition that
    // sends every key equal to the pivot to one side needs ~n^2/distinct reads. No timing is
    // asserted: the element reads are counted through a proxy.
    const rnd = mulberry32(7);
    const n = 1 << 15;
    const raw: number[] = [];
    for (let i = 0; i < n; i++) raw.push(Math.abs(Math.round(8 * (rnd() + rnd() + rnd() - 1.5))));
    let reads = 0;
    const counted = new Proxy(Float64Array.from(raw), {
      get(target, key) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key) as unknown;
      },
    });
    expect(medianInPlace(counted)).toBe(sortedMedian(raw));
    expect(reads).toBeLessThan(30 * n);
  });
});

describe('median, mad and medianAndSigmaMad', () => {
  it('agree with a sort on values with many ties, and skip NaN', () => {
    const values = [3, 1, 2, 2, Number.NaN, 2, 9, 1, 2];
    const finite = values.filter(Number.isFinite);
    const med = sortedMedian(finite);
    expect(median(values)).toBe(med);
    const dev = finite.map((v) => Math.abs(v - med));
    expect(mad(values)).toBe(sortedMedian(dev));
    const both = medianAndSigmaMad(values);
    expect(both.median).toBe(med);
    expect(both.sigma).toBeCloseTo(1.4826 * sortedMedian(dev), 12);
    expect(both.n).toBe(finite.length);
  });

  it('returns NaN when no value is finite', () => {
    expect(median([Number.NaN, Number.POSITIVE_INFINITY])).toBeNaN();
    expect(medianAndSigmaMad([]).sigma).toBeNaN();
  });
});

describe('median on large arrays (bucket selection)', () => {
  const sortMedian = (v: ArrayLike<number>) => {
    const s = Array.from(v).sort((a, b) => a - b);
    const n = s.length;
    return n % 2 === 1 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  };
  it('equals the sorted median for continuous, tied, skewed and two-valued data, odd and even n', async () => {
    const { mulberry32 } = await import('../../../shared/util/seed');
    const r = mulberry32(3);
    const cases: Float64Array[] = [
      Float64Array.from({ length: 4097 }, () => r()),
      Float64Array.from({ length: 5000 }, () => Math.round(r() * 20)),
      Float64Array.from({ length: 3000 }, () => Math.exp(12 * r())),
      Float64Array.from({ length: 2048 }, (_, i) => (i % 3 === 0 ? 1 : 2)),
      Float64Array.from({ length: 2049 }, (_, i) => (i === 7 ? 1e300 : i === 9 ? -1e300 : r())),
    ];
    for (const c of cases) {
      expect(median(c)).toBe(sortMedian(c));
      expect(median(Float32Array.from(c.map((x) => Math.max(-3e38, Math.min(3e38, x)))))).toBe(sortMedian(Float32Array.from(c.map((x) => Math.max(-3e38, Math.min(3e38, x))))));
    }
  });
});

describe('medianOfFinite and medianDeviationOfFinite (sampled bracket selection)', () => {
  const sorted = (v: ArrayLike<number>) => Array.from(v).filter(Number.isFinite).sort((a, b) => a - b);
  const centre = (s: number[]) => (s.length === 0 ? NaN : s.length % 2 === 1 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]));
  const sortMedian = (v: ArrayLike<number>) => centre(sorted(v));
  const sortMad = (v: ArrayLike<number>, c: number) => centre(sorted(Array.from(v).filter(Number.isFinite).map((x) => Math.abs(x - c))));

  it('equal a sort on every size around the sampling threshold, for smooth, tied, skewed and invalid-laced data', () => {
    const rnd = mulberry32(11);
    const kinds: Array<(i: number) => number> = [
      () => rnd() + rnd() + rnd(),
      () => Math.round(6 * rnd()),
      () => Math.exp(20 * rnd()),
      (i) => (i % 5 === 0 ? Number.NaN : rnd()),
      (i) => (i % 97 === 3 ? Number.POSITIVE_INFINITY : i % 89 === 1 ? Number.NEGATIVE_INFINITY : rnd()),
    ];
    for (const kind of kinds) {
      for (const n of [0, 1, 2, 511, 512, 513, 1024, 3001, 12100, 20001]) {
        const a = Float32Array.from({ length: n }, (_, i) => kind(i));
        const copy = a.slice();
        const m = sortMedian(a);
        expect(medianOfFinite(a)).toBe(m);
        expect(medianOfFinite(Float64Array.from(a))).toBe(m);
        expect(medianDeviationOfFinite(a, m)).toBe(sortMad(a, m));
        expect(medianDeviationOfFinite(a, 0.25)).toBe(sortMad(a, 0.25));
        expect(a).toEqual(copy);
      }
    }
  });

  it('stays exact when the stride sample sees only outliers (the bracket misses the median)', () => {
    // 4*sqrt(10000) = 400 samples at stride 25 from index 12: make exactly those values huge
    const n = 10000;
    const rnd = mulberry32(5);
    const a = Float64Array.from({ length: n }, (_, i) => (i % 25 === 12 ? 1e6 + i : rnd()));
    expect(medianOfFinite(a)).toBe(sortMedian(a));
    expect(medianDeviationOfFinite(a, 0.5)).toBe(sortMad(a, 0.5));
    const b = Float64Array.from({ length: n + 1 }, (_, i) => (i % 25 === 12 ? -1e6 - i : rnd()));
    expect(medianOfFinite(b)).toBe(sortMedian(b));
  });

  it('looks only at the first n values and trusts allFinite only for them', () => {
    const a = Float32Array.from([5, 1, 4, 2, 3, 100, 200, 300]);
    expect(medianOfFinite(a, 5)).toBe(3);
    expect(medianOfFinite(a, 5, true)).toBe(3);
    expect(medianOfFinite(a)).toBe(4.5);
    const big = Float32Array.from({ length: 3000 }, (_, i) => (i < 2000 ? i : Number.NaN));
    expect(medianOfFinite(big, 2000, true)).toBe(999.5);
    expect(medianDeviationOfFinite(big, 999.5, 2000, true)).toBe(500);
  });

  it('returns NaN without finite values, and for a deviation about a centre that is not finite', () => {
    expect(medianOfFinite(new Float32Array(0))).toBeNaN();
    expect(medianOfFinite(new Float64Array(2000).fill(Number.NaN))).toBeNaN();
    expect(medianDeviationOfFinite(Float64Array.from({ length: 2000 }, (_, i) => i), Number.NaN)).toBeNaN();
    expect(medianDeviationOfFinite(Float64Array.from({ length: 2000 }, (_, i) => i), Number.POSITIVE_INFINITY, 2000, true)).toBeNaN();
  });

  it('gives median, mad and medianAndSigmaMad the same values for typed arrays as for plain arrays', () => {
    const rnd = mulberry32(8);
    const values = Array.from({ length: 5001 }, (_, i) => (i % 50 === 0 ? Number.NaN : Math.round(100 * rnd()) / 7));
    const typed = Float64Array.from(values);
    expect(median(typed)).toBe(median(values));
    expect(mad(typed)).toBe(mad(values));
    expect(mad(typed, 3)).toBe(mad(values, 3));
    expect(medianAndSigmaMad(typed)).toEqual(medianAndSigmaMad(values));
  });
});

describe('allFiniteIn', () => {
  it('is true for finite values and false for a NaN or an infinity anywhere, the last value included', () => {
    for (const n of [1, 3, 4, 5, 8, 1001]) {
      const a = Float64Array.from({ length: n }, (_, i) => i - 2.5);
      expect(allFiniteIn(a)).toBe(true);
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        for (const at of [0, n >> 1, n - 1]) {
          const b = a.slice();
          b[at] = bad;
          expect(allFiniteIn(b)).toBe(false);
          expect(allFiniteIn(b, at)).toBe(true);
        }
      }
    }
  });
});
