import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterQualities, clusterWeights, stackClusterBand, type FinalStackConfig } from '../../../shared/pipeline/final-stack';

function cfg(over: Partial<FinalStackConfig['stacking']['cluster_quality_weighting']> = {}, method: 'rej' | 'average' = 'rej'): FinalStackConfig {
  return {
    stacking: {
      method,
      sigma_clip: { sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 },
      cluster_quality_weighting: { enabled: true, kappa_cluster: 1, cap_enabled: false, cap_ratio: 20, ...over },
    },
  };
}

describe('clusterQualities', () => {
  it('takes Q_k as the median of Qc_f over the frames of cluster k', () => {
    const q = clusterQualities([0, 2, 5], [0, 0, 0, 2, 2, 1], [1, 3, 2, -1, 0.5, 9]);
    expect(q[0]).toBe(2);
    expect(q[1]).toBe(-0.25);
    expect(q[2]).toBeNaN();
  });
});

describe('clusterWeights', () => {
  it('is exp(kappa*Q_k); non-finite -> 1', () => {
    const w = clusterWeights([0, 1, Number.NaN], cfg({ kappa_cluster: 2 }))!;
    expect(w[0]).toBe(1);
    expect(w[1]).toBeCloseTo(Math.exp(2), 12);
    expect(w[2]).toBe(1);
  });

  it('caps w_k at cap_ratio times the median weight when cap_enabled', () => {
    const w = clusterWeights([0, 0, 5], cfg({ cap_enabled: true, cap_ratio: 3 }))!;
    expect(Array.from(w)).toEqual([1, 1, 3]);
    expect(clusterWeights([0, 0, 5], cfg())![2]).toBeCloseTo(Math.exp(5), 9);
  });

  it('is null when cluster quality weighting is disabled', () => {
    expect(clusterWeights([1, 2], cfg({ enabled: false }))).toBeNull();
  });
});

describe('stackClusterBand', () => {
  it('equals sum w_k*S_k / sum w_k over valid S_k, with and without the cap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (qk, cap, seed) => {
          const c = cfg({ cap_enabled: cap, cap_ratio: 2 });
          const w = clusterWeights(qk, c)!;
          const size = 12;
          const bands = qk.map((_, k) => Float32Array.from({ length: size }, (_, i) => ((i * 7 + k * 13 + seed) % 11 === 0 ? Number.NaN : 100 + ((i * 31 + k * 17 + seed) % 23))));
          const out = stackClusterBand(bands, w, c);
          for (let i = 0; i < size; i++) {
            let sw = 0;
            let swv = 0;
            for (let k = 0; k < qk.length; k++) {
              if (Number.isNaN(bands[k][i])) continue;
              sw += w[k];
              swv += w[k] * bands[k][i];
            }
            if (sw === 0) expect(out[i]).toBeNaN();
            else expect(Math.abs(out[i] - swv / sw)).toBeLessThanOrEqual(1e-6 * Math.abs(swv / sw));
          }
          const raw = clusterWeights(qk, cfg({ cap_enabled: false }))!;
          const sorted = [...raw].sort((a, b) => a - b);
          const n = sorted.length;
          const med = n % 2 ? sorted[(n - 1) / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
          raw.forEach((r, k) => expect(w[k]).toBeCloseTo(cap ? Math.min(r, 2 * med) : r, 12));
        },
      ),
      { seed: 99, numRuns: 100 },
    );
  });

  it('sigma-clips S_k with w = 1 when weighting is off and method is rej, else takes the plain mean', () => {
    const bands = [...Array.from({ length: 14 }, () => Float32Array.of(10)), Float32Array.of(1000)];
    bands[0] = Float32Array.of(11);
    bands[1] = Float32Array.of(9);
    expect(stackClusterBand(bands, null, cfg({ enabled: false }))[0]).toBe(10);
    expect(stackClusterBand(bands, null, cfg({ enabled: false }, 'average'))[0]).toBeCloseTo((10 * 14 + 1000) / 15, 4);
  });

  it('returns NaN where no synthetic frame is valid, and refuses mismatched inputs', () => {
    expect(stackClusterBand([Float32Array.of(Number.NaN), Float32Array.of(Number.NaN)], [1, 2], cfg())[0]).toBeNaN();
    expect(() => stackClusterBand([], null, cfg())).toThrow(RangeError);
    expect(() => stackClusterBand([new Float32Array(2), new Float32Array(3)], null, cfg())).toThrow(RangeError);
    expect(() => stackClusterBand([new Float32Array(2)], [1, 2], cfg())).toThrow(RangeError);
  });
});
