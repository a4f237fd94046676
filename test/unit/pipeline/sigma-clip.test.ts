import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmaClippedMean, weightedMean, WeightedSigmaClipper, type SigmaClipParams } from '../../../shared/pipeline/sigma-clip';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const P = (lo: number, hi: number, iters = 3, minFraction = 0.5): SigmaClipParams => ({ sigma_low: lo, sigma_high: hi, max_iters: iters, min_fraction: minFraction });

describe('WeightedSigmaClipper', () => {
  it('uses the reliability-weighted variance sum(w(v-mu)^2)/(V1 - V2/V1)', () => {
    // mu = 2.25, var = 4.75/2.5 = 1.9, sd = 1.378: at 1 sigma the 4 goes, [1,2] w [1,2] remain -> 5/3
    const c = new WeightedSigmaClipper(P(1, 1));
    expect(c.clip([1, 2, 4], [1, 2, 1], 3)).toBeCloseTo(5 / 3, 12);
    expect(c.lastKept).toBe(2);
    expect(c.lastClipFallback).toBe(false);
    // at 1.4 sigma the upper bound is 4.18: nothing is clipped
    expect(new WeightedSigmaClipper(P(1.4, 1.4)).clip([1, 2, 4], [1, 2, 1], 3)).toBeCloseTo(2.25, 12);
  });

  it('clips iteratively until nothing changes (equal weights)', () => {
    // 1.5 sigma drops 100 (mean 22, sd 43.6), then [1..4] is stable
    const c = new WeightedSigmaClipper(P(1.5, 1.5));
    expect(c.clip([1, 2, 3, 4, 100], null, 5)).toBeCloseTo(2.5, 12);
    expect(c.lastKept).toBe(4);
  });

  it('applies sigma_low and sigma_high separately', () => {
    const lowOnly = new WeightedSigmaClipper(P(1.5, 100));
    expect(lowOnly.clip([-100, 1, 2, 3, 4], null, 5)).toBeCloseTo(2.5, 12);
    expect(lowOnly.clip([1, 2, 3, 4, 100], null, 5)).toBeCloseTo(22, 12);
  });

  it('rejects a +50 sigma cosmic ray among gaussian samples', () => {
    // An outlier's z in its own sample cannot exceed (n-1)/sqrt(n): a 3-sigma clip needs n >= 12.
    fc.assert(
      fc.property(fc.integer({ min: 15, max: 80 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, seed) => {
        const u = mulberry32(seed);
        const g = gaussianSource(u);
        const vals = new Float64Array(n + 1);
        const wts = new Float64Array(n + 1);
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < n; i++) {
          vals[i] = 10 + g();
          wts[i] = 0.5 + 1.5 * u();
          lo = Math.min(lo, vals[i]);
          hi = Math.max(hi, vals[i]);
        }
        const ray = n >> 1;
        vals[n] = vals[ray];
        wts[n] = wts[ray];
        vals[ray] = 10 + 50;
        wts[ray] = 1;
        const c = new WeightedSigmaClipper(P(3, 3));
        const r = c.clip(vals, wts, n + 1);
        expect(c.lastKept).toBeLessThanOrEqual(n);
        expect(r).toBeGreaterThanOrEqual(lo);
        expect(r).toBeLessThanOrEqual(hi);
      }),
      { seed: 13, numRuns: 200 },
    );
  });

  it('returns the unclipped weighted mean when over-clipping leaves fewer than ceil(min_fraction*n)', () => {
    // 0.5 sigma around mean 6 (sd 5.16) drops every sample
    const c = new WeightedSigmaClipper(P(0.5, 0.5));
    const v = [0, 0, 0, 0, 10, 10, 10, 10, 10, 10];
    expect(c.clip(v, null, 10)).toBeCloseTo(6, 12);
    expect(c.lastClipFallback).toBe(true);
    expect(c.lastKept).toBe(10);
    // at 1 sigma the six 10s remain: 6 >= ceil(0.5*10) -> clipped result 10
    const c1 = new WeightedSigmaClipper(P(1, 1));
    expect(c1.clip(v, null, 10)).toBe(10);
    expect(c1.lastClipFallback).toBe(false);
    // with min_fraction 0.7 the same 6 survivors are too few -> unclipped
    const c2 = new WeightedSigmaClipper(P(1, 1, 3, 0.7));
    expect(c2.clip(v, null, 10)).toBeCloseTo(6, 12);
    expect(c2.lastClipFallback).toBe(true);
  });

  it('cannot reject an outlier among too few samples (the sample sd contains it)', () => {
    const c = new WeightedSigmaClipper(P(3, 3));
    expect(c.clip([10, 10.5, 9.5, 10.2, 60], null, 5)).toBeCloseTo(20.04, 10);
    expect(c.lastKept).toBe(5);
  });

  it('treats everything clipped as over-clipping even with min_fraction 0', () => {
    const c = new WeightedSigmaClipper(P(0.5, 0.5, 3, 0));
    expect(c.clip([0, 0, 0, 0, 10, 10, 10, 10, 10, 10], null, 10)).toBeCloseTo(6, 12);
    expect(c.lastClipFallback).toBe(true);
  });

  it('takes the plain weighted mean for n <= 2 and NaN for n = 0', () => {
    const c = new WeightedSigmaClipper(P(0.1, 0.1));
    expect(c.clip([1, 100], [1, 3], 2)).toBeCloseTo(75.25, 12);
    expect(c.clip([7], [2], 1)).toBe(7);
    expect(c.clip([], [], 0)).toBeNaN();
  });

  it('stops on zero spread and honours max_iters', () => {
    const c = new WeightedSigmaClipper(P(1, 1));
    expect(c.clip([5, 5, 5, 5], null, 4)).toBe(5);
    // one iteration only: the second round that would drop 4 never runs
    const one = new WeightedSigmaClipper(P(1.5, 1.5, 1));
    expect(one.clip([1, 2, 3, 4, 100], null, 5)).toBeCloseTo(2.5, 12);
  });

  it('grows its scratch beyond the initial capacity', () => {
    const c = new WeightedSigmaClipper(P(3, 3), 2);
    const v = Array.from({ length: 100 }, (_, i) => i % 7);
    expect(c.clip(v, null, 100)).toBeCloseTo(weightedMean(v, null, 100), 12);
  });
});

describe('sigmaClippedMean', () => {
  it('skips non-finite values and clips with weights 1', () => {
    const r = sigmaClippedMean([1, Number.NaN, 2, 3, Number.POSITIVE_INFINITY, 4, 100], P(1.5, 1.5));
    expect(r.n).toBe(5);
    expect(r.value).toBeCloseTo(2.5, 12);
    expect(r.kept).toBe(4);
  });

  it('returns NaN for an all-NaN input', () => {
    expect(sigmaClippedMean([Number.NaN, Number.NaN], P(3, 3)).value).toBeNaN();
  });
});
