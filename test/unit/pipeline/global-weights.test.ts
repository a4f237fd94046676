import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adaptiveWeights,
  combineChannelG,
  computeGlobalWeights,
  DEFAULT_GLOBAL_METRICS,
  type GlobalMetricsConfig,
  effectiveSampleSize,
  seeingOf,
  selectReferenceFrame,
} from '../../../shared/pipeline/global-weights';

const FC = { seed: 424242, numRuns: 100 };
const metric = fc.double({ min: 0.01, max: 1000, noNaN: true });


/** METHOD.md's reference values: the hand computations below are written for them. */
const CFG: GlobalMetricsConfig = {
  weights: { background: 0.4, noise: 0.3, gradient: 0.3 },
  clamp: [-3, 3],
  adaptive_weights: false,
  weight_exponent_scale: 1,
  z_floor_rel: 0.05,
};

describe('computeGlobalWeights', () => {
  it('matches Q, Qc and G computed by hand (z_floor_rel 0)', () => {
    // B: med 10, MAD 1 -> s 1.4826; sigma and E constant -> z = 0
    const B = [9, 10, 11, 10, 14];
    const r = computeGlobalWeights({ B, sigma: [1, 1, 1, 1, 1], E: [5, 5, 5, 5, 5] }, { ...CFG, z_floor_rel: 0 });
    const z = B.map((b) => (b - 10) / 1.4826);
    z.forEach((zi, f) => {
      expect(r.Q[f]).toBeCloseTo(-0.4 * zi, 12);
      expect(r.Qc[f]).toBeCloseTo(Math.min(3, Math.max(-3, -0.4 * zi)), 12);
      expect(r.G[f]).toBeCloseTo(Math.exp(r.Qc[f]), 12);
    });
    expect([r.alpha, r.beta, r.gamma, r.adaptiveUsed]).toEqual([0.4, 0.3, 0.3, false]);
  });
  it('clamps Q before the exponent (k = 2, clamp [-1, 1])', () => {
    const r = computeGlobalWeights(
      { B: [1, 2, 3, 4, 100], sigma: [1, 1, 1, 1, 1], E: [1, 1, 1, 1, 1] },
      { ...CFG, clamp: [-1, 1], weight_exponent_scale: 2, z_floor_rel: 0 },
    );
    expect(r.Q[4]).toBeLessThan(-1);
    expect(r.Qc[4]).toBe(-1);
    expect(r.G[4]).toBeCloseTo(Math.exp(-2), 12);
  });
  it('keeps G finite, > 0 and within exp(k*(hi - lo)) for any metrics incl. NaN (property 2)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof(metric, fc.constant(NaN)), metric, fc.oneof(metric, fc.constant(Infinity))), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.boolean(),
        (rows, k, adaptive) => {
          const r = computeGlobalWeights(
            { B: rows.map((x) => x[0]), sigma: rows.map((x) => x[1]), E: rows.map((x) => x[2]) },
            { ...CFG, weight_exponent_scale: k, adaptive_weights: adaptive },
          );
          const g = Array.from(r.G);
          expect(g.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
          expect(Math.max(...g) / Math.min(...g)).toBeLessThanOrEqual(Math.exp(k * 6) * (1 + 1e-9));
          expect(Array.from(r.Qc).every((q) => q >= -3 && q <= 3)).toBe(true);
        },
      ),
      FC,
    );
  });
  it('gives the better of two otherwise identical frames a weight >= the other (property 4: B, sigma, E)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(metric, metric, metric), { minLength: 1, maxLength: 30 }),
        fc.tuple(metric, metric, metric),
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 0.001, max: 100, noNaN: true }),
        fc.boolean(),
        (others, base, which, delta, adaptive) => {
          const better = [...base];
          // lower B, lower sigma, higher E is better
          better[which] = which === 2 ? base[which] + delta : base[which] / (1 + delta);
          const rows = [...others, base, better];
          const r = computeGlobalWeights(
            { B: rows.map((x) => x[0]), sigma: rows.map((x) => x[1]), E: rows.map((x) => x[2]) },
            { ...CFG, adaptive_weights: adaptive },
          );
          expect(r.G[rows.length - 1]).toBeGreaterThanOrEqual(r.G[rows.length - 2]);
        },
      ),
      FC,
    );
  });
  it('gives every frame G = 1 for N = 1 and for identical frames', () => {
    expect(Array.from(computeGlobalWeights({ B: [5], sigma: [1], E: [2] }, CFG).G)).toEqual([1]);
    const r = computeGlobalWeights({ B: [5, 5], sigma: [1, 1], E: [2, 2] }, { ...CFG, adaptive_weights: true });
    expect([...r.G, r.ess, r.adaptiveUsed]).toEqual([1, 1, 2, false]);
  });
  it('uses the static weights for N <= 2 even with adaptive_weights', () => {
    const r = computeGlobalWeights({ B: [1, 3], sigma: [1, 1], E: [2, 2] }, { ...CFG, adaptive_weights: true });
    expect([r.alpha, r.beta, r.gamma]).toEqual([0.4, 0.3, 0.3]);
  });
  it('adapts alpha, beta, gamma to the z variances for N > 2', () => {
    const r = computeGlobalWeights({ B: [1, 2, 3, 4, 5], sigma: [1, 1, 1, 1, 1], E: [2, 2, 2, 2, 2] }, { ...CFG, adaptive_weights: true });
    expect(r.adaptiveUsed).toBe(true);
    expect(r.alpha).toBeCloseTo(0.7, 12);
    expect(r.beta).toBeCloseTo(0.15, 12);
    expect(r.gamma).toBeCloseTo(0.15, 12);
  });
  it('flags LOW_ESS when one frame dominates', () => {
    const B = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0.001];
    const r = computeGlobalWeights({ B, sigma: B.map(() => 1), E: B.map(() => 1) }, { ...CFG, weight_exponent_scale: 3 });
    expect(r.ess).toBeLessThan(2.5);
    expect(r.lowEss).toBe(true);
  });
  it('refuses an empty clamp interval', () => {
    expect(() => computeGlobalWeights({ B: [1], sigma: [1], E: [1] }, { ...CFG, clamp: [1, 1] })).toThrow(RangeError);
  });
});

describe('adaptiveWeights', () => {
  it('keeps every weight in [0.1, 0.7] and their sum at 1 (property 1)', () => {
    fc.assert(
      fc.property(fc.tuple(fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })), (v) => {
        const w = adaptiveWeights(v);
        if (v[0] + v[1] + v[2] <= 1e-12) {
          expect(w).toBeNull();
          return;
        }
        expect(w!.every((x) => x >= 0.1 && x <= 0.7)).toBe(true);
        expect(Math.abs(w![0] + w![1] + w![2] - 1)).toBeLessThan(1e-9);
      }),
      FC,
    );
  });
  it('is proportional to the variances when none needs clipping, and null for zero variance', () => {
    const w = adaptiveWeights([2, 3, 5])!;
    expect(w[0]).toBeCloseTo(0.2, 12);
    expect(w[2]).toBeCloseTo(0.5, 12);
    expect(adaptiveWeights([0, 0, 0])).toBeNull();
  });
});

describe('effectiveSampleSize', () => {
  it('is N for equal weights, 1 for a single non-zero weight and 0 for none', () => {
    expect(effectiveSampleSize([2, 2, 2, 2])).toBe(4);
    expect(effectiveSampleSize([0, 5, 0])).toBe(1);
    expect(effectiveSampleSize([0, 0])).toBe(0);
  });
});

describe('selectReferenceFrame', () => {
  it('picks, among the top max(16, N/5) G, the frame nearest to floor(N/2)', () => {
    // N = 40: 16 candidates; frame 20 is not among them (lowest G), 19 and 21 tie on distance
    const G: number[] = Array.from({ length: 40 }, (_, i) => (i >= 12 && i <= 27 ? 2 : 1));
    G[20] = 0.5;
    G[19] = 2;
    G[21] = 3;
    G[28] = 2.5;
    expect(selectReferenceFrame(G)).toBe(21);
    G[21] = 2;
    expect(selectReferenceFrame(G)).toBe(19);
  });
  it('with the frames\' seeing: the sharpest of the G candidates, not the one nearest the middle', () => {
    const G = Array.from({ length: 40 }, (_, i) => (i >= 12 && i <= 27 ? 2 : 1));
    const fwhm: Array<number | null> = G.map(() => 4);
    const stars = G.map(() => 100);
    fwhm[14] = 2.1;
    fwhm[25] = 2.0;
    fwhm[3] = 1.5; // sharper, but not a G candidate (G 1)
    expect(selectReferenceFrame(G, { fwhm, stars })).toBe(25);
    // a frame with too few stars (cloud) does not qualify however small its FWHM
    stars[25] = 40;
    expect(selectReferenceFrame(G, { fwhm, stars })).toBe(14);
    // equal FWHM: more stars wins, then the REF rule (nearest the middle)
    fwhm[14] = 2.0;
    stars[25] = 100;
    stars[14] = 120;
    expect(selectReferenceFrame(G, { fwhm, stars })).toBe(14);
    stars[14] = 100;
    expect(selectReferenceFrame(G, { fwhm, stars })).toBe(25);
  });

  it('falls back to the REF rule when no candidate has a FWHM', () => {
    const G = Array.from({ length: 40 }, (_, i) => (i >= 12 && i <= 27 ? 2 : 1));
    expect(selectReferenceFrame(G, { fwhm: G.map(() => null), stars: G.map(() => 0) })).toBe(selectReferenceFrame(G));
  });

  it('uses the single best frame when N is small and a tie goes to the lower index', () => {
    expect(selectReferenceFrame([1])).toBe(0);
    expect(selectReferenceFrame([1, 1])).toBe(1);
    expect(selectReferenceFrame([3, 1, 1])).toBe(1); // all 3 are candidates; index 1 is the centre
    expect(selectReferenceFrame([])).toBe(-1);
  });
});

describe('combineChannelG', () => {
  it('is the per-frame geometric mean of the channel weights', () => {
    const g = combineChannelG([[1, 4], [4, 1], [2, 2]]);
    expect(g[0]).toBeCloseTo(2, 12);
    expect(g[1]).toBeCloseTo(2, 12);
  });
});

describe('seeingOf', () => {
  it('is the median of the defined FWHM and 3.0 when none is defined', () => {
    expect(seeingOf([2, null, 4, 3])).toBe(3);
    expect(seeingOf([null, null])).toBe(3);
    expect(seeingOf([2.5, 3.5])).toBe(3);
    expect(seeingOf([-1, 0, NaN, 2.2])).toBeCloseTo(2.2, 12);
  });
});

describe('the global weight defaults', () => {
  it('are the configuration defaults', async () => {
    const { loadConfig } = await import('../../../shared/config');
    const { config } = loadConfig('', 'defaults');
    const g = config!.global_metrics;
    expect(DEFAULT_GLOBAL_METRICS).toEqual({ weights: g.weights, clamp: g.clamp, adaptive_weights: g.adaptive_weights, weight_exponent_scale: g.weight_exponent_scale, z_floor_rel: g.z_floor_rel });
  });

  it('follow the noise part of the yardstick to a third (ln G ~ -(1/3) d ln B - (2/3) d ln sigma) and ignore E', () => {
    // spreads below the z floor: z = relative deviation / 0.5, so ln G = 0.5 * Q = relative deviations / 1
    const B = [1000, 1050, 1100];
    const sigma = [0.04, 0.041, 0.042];
    const r = computeGlobalWeights({ B, sigma, E: [1, 5, 25] }, DEFAULT_GLOBAL_METRICS);
    const third = (f: number) => -(1 / 3) * ((B[f] - 1050) / 1050) - (2 / 3) * ((sigma[f] - 0.041) / 0.041);
    for (const f of [0, 1, 2]) expect(Math.log(r.G[f])).toBeCloseTo(third(f), 3);
    expect(r.G[0]).toBeGreaterThan(r.G[2]);
  });
});
