import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createLocalMetricsTable, setFrameMetrics, type TileMetrics } from '../../../shared/pipeline/local-metrics';
import { channelMeanWeights, computeLocalWeights, DEFAULT_LOCAL_WEIGHTS, type LocalWeights, type LocalWeightsConfig } from '../../../shared/pipeline/local-weights';

/** METHOD.md's reference values: the hand computations below are written for them. */
const CFG: LocalWeightsConfig = {
  tile: { star_min_count: 10 },
  local_metrics: {
    clamp: [-3, 3],
    weight_exponent_scale: 1,
    z_floor_rel: 0.05,
    star_mode: { weights: { fwhm: 0.6, roundness: 0.2, contrast: 0.2 } },
    structure_mode: { metric_weight: 0.7, background_weight: 0.3 },
  },
};

const FC = { seed: 777, numRuns: 80 };

function tile(p: Partial<TileMetrics>): TileMetrics {
  return { fwhm: 3, roundness: 0.9, contrast: 2, nstar: 20, B: 1, sigma: 0.01, E: 1, S: 10000, ...p };
}

/** Table of one tile over frames. */
function oneTile(rows: (TileMetrics | null)[]) {
  const t = createLocalMetricsTable(rows.length, 1);
  rows.forEach((r, f) => setFrameMetrics(t, f, [r]));
  return t;
}

const ones = (n: number) => new Array<number>(n).fill(1);
const zeroFloor = { ...CFG, local_metrics: { ...CFG.local_metrics, z_floor_rel: 0 } };

describe('computeLocalWeights', () => {
  it('computes the STAR-tile Q by hand: 0.6*(-z FWHM) + 0.2*z Rnd + 0.2*z C', () => {
    const fwhm = [2, 3, 4, 3, 3];
    const r = computeLocalWeights(oneTile(fwhm.map((f) => tile({ fwhm: f }))), ones(5), zeroFloor);
    expect(r.tileType).toEqual(['STAR']);
    // median 3, MAD 0 -> s = 0 -> all z 0? MAD of [1,0,1,0,0] = 0: yes, so Q = 0 everywhere
    expect(Array.from(r.Q)).toEqual([0, 0, 0, 0, 0]);
    const fwhm2 = [2, 3, 4, 5, 6]; // median 4, MAD 1 -> s 1.4826
    const r2 = computeLocalWeights(oneTile(fwhm2.map((f) => tile({ fwhm: f }))), ones(5), zeroFloor);
    fwhm2.forEach((f, i) => expect(r2.Q[i]).toBeCloseTo(-0.6 * ((f - 4) / 1.4826), 5));
    expect(r2.L[0]).toBeCloseTo(Math.exp(r2.Q[0]), 5);
  });
  it('computes the STRUCTURE-tile Q by hand: 0.7*z S - 0.3*z B', () => {
    const S = [10, 20, 30, 40, 50];
    const B = [1, 1, 1, 1, 3];
    const r = computeLocalWeights(oneTile(S.map((s, i) => tile({ nstar: 2, S: s, B: B[i] }))), ones(5), zeroFloor);
    expect(r.tileType).toEqual(['STRUCTURE']);
    S.forEach((s, i) => expect(r.Q[i]).toBeCloseTo(0.7 * ((s - 30) / (1.4826 * 10)), 5));
  });
  it('gives a frame without measurable stars in a STAR tile Q = clamp_lo, and a missing tile L = W = 0', () => {
    const rows = [tile({}), tile({ fwhm: NaN, roundness: NaN, contrast: NaN, nstar: 0 }), null, tile({}), tile({})];
    const r = computeLocalWeights(oneTile(rows), [2, 2, 2, 2, 2], CFG);
    expect(r.Q[1]).toBe(-3);
    expect(r.L[1]).toBeCloseTo(Math.exp(-3), 6);
    expect([r.Q[2], r.L[2], r.W[2]]).toEqual([NaN, 0, 0]);
    expect(r.W[0]).toBeCloseTo(2 * r.L[0], 6);
  });
  it('types a tile by the median nstar over the frames where it is present', () => {
    const rows = [tile({ nstar: 12 }), tile({ nstar: 9 }), tile({ nstar: 10 }), null];
    expect(computeLocalWeights(oneTile(rows), ones(4), CFG).tileType).toEqual(['STAR']);
    const fewer = [tile({ nstar: 12 }), tile({ nstar: 9 }), tile({ nstar: 9 }), null];
    expect(computeLocalWeights(oneTile(fewer), ones(4), CFG).tileType).toEqual(['STRUCTURE']);
  });
  it('reports per-tile ESS, median Q and median FWHM', () => {
    const r = computeLocalWeights(oneTile([tile({ fwhm: 2 }), tile({ fwhm: 2 }), tile({ fwhm: 4 })]), ones(3), CFG);
    expect(r.medianFwhm[0]).toBe(2);
    expect(r.ess[0]).toBeGreaterThan(1);
    expect(r.ess[0]).toBeLessThanOrEqual(3);
    expect(r.medianQ[0]).toBeCloseTo(r.Q[0], 6);
  });
  it('handles N = 1 (all z = 0, L = 1) and a tile missing in every frame (STRUCTURE, W = 0)', () => {
    const one = computeLocalWeights(oneTile([tile({})]), [1.5], CFG);
    expect([one.L[0], one.W[0]]).toEqual([1, 1.5]);
    const none = computeLocalWeights(oneTile([null, null]), ones(2), CFG);
    expect(none.tileType).toEqual(['STRUCTURE']);
    expect(Array.from(none.W)).toEqual([0, 0]);
    expect(none.ess[0]).toBe(0);
  });
  it('refuses a G vector of the wrong length', () => {
    expect(() => computeLocalWeights(oneTile([tile({})]), [1, 1], CFG)).toThrow(RangeError);
  });

  const pos = fc.double({ min: 0.5, max: 20, noNaN: true });
  const row = fc.record({ fwhm: pos, roundness: fc.double({ min: 0.2, max: 1, noNaN: true }), contrast: pos, B: pos, S: pos });
  it('keeps L finite, > 0 and within exp(k*(hi - lo)); W > 0 wherever the tile has data (properties 2, 8)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(row, { freq: 5 }), { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 30 }), (rows, nstar) => {
        const r = computeLocalWeights(oneTile(rows.map((x) => (x ? tile({ ...x, nstar }) : null))), ones(rows.length), CFG);
        const L = rows.flatMap((x, f) => (x ? [r.L[f]] : []));
        rows.forEach((x, f) => expect(x ? r.W[f] > 0 && Number.isFinite(r.W[f]) : r.W[f] === 0).toBe(true));
        if (L.length) expect(Math.max(...L) / Math.min(...L)).toBeLessThanOrEqual(Math.exp(6) * (1 + 1e-6));
      }),
      FC,
    );
  });
  it('gives the better of two otherwise identical frames a weight >= the other (property 4: FWHM, roundness, contrast, S, B)', () => {
    const metrics = ['fwhm', 'roundness', 'contrast', 'S', 'B'] as const;
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 20 }), row, fc.integer({ min: 0, max: 4 }), fc.double({ min: 0.01, max: 5, noNaN: true }), (others, base, which, delta) => {
        const key = metrics[which];
        const lowerIsBetter = key === 'fwhm' || key === 'B';
        const better = { ...base, [key]: lowerIsBetter ? base[key] / (1 + delta) : base[key] * (1 + delta) };
        // STAR tile for the star metrics, STRUCTURE tile for S and B
        const nstar = key === 'S' || key === 'B' ? 0 : 20;
        const rows = [...others, base, better].map((x) => tile({ ...x, nstar }));
        const r = computeLocalWeights(oneTile(rows), ones(rows.length), CFG);
        expect(r.W[rows.length - 1]).toBeGreaterThanOrEqual(r.W[rows.length - 2]);
      }),
      FC,
    );
  });
});

describe('the local weight defaults', () => {
  it('are the configuration defaults', async () => {
    const { loadConfig } = await import('../../../shared/config');
    const { config } = loadConfig('', 'defaults');
    const l = config!.local_metrics;
    expect(DEFAULT_LOCAL_WEIGHTS).toEqual({
      tile: { star_min_count: config!.tile.star_min_count },
      local_metrics: { clamp: l.clamp, weight_exponent_scale: l.weight_exponent_scale, z_floor_rel: l.z_floor_rel, star_mode: l.star_mode, structure_mode: l.structure_mode },
    });
  });

  it('weight a tile about as FWHM^-3 while the FWHM spread stays below the z floor, and type every tile STAR', () => {
    const rows = [3, 3.3, 3.6].map((fwhm) => tile({ fwhm, nstar: 0 }));
    const r = computeLocalWeights(oneTile(rows), ones(3), DEFAULT_LOCAL_WEIGHTS);
    expect(r.tileType).toEqual(['STAR']);
    // ln L = 1.5 * 0.8 * -(F - 3.3)/(0.4 * 3.3) = -3 * relative deviation
    expect(Math.log(r.L[0])).toBeCloseTo(3 * (0.3 / 3.3), 5);
    expect(Math.log(r.L[2])).toBeCloseTo(-3 * (0.3 / 3.3), 5);
  });

  it('still gives a frame without any FWHM in a STAR tile the lowest quality', () => {
    const r = computeLocalWeights(oneTile([tile({ fwhm: 3 }), tile({ fwhm: 3 }), tile({ fwhm: Number.NaN, nstar: 0 })]), ones(3), DEFAULT_LOCAL_WEIGHTS);
    expect(r.Q[2]).toBe(-3);
    expect(r.L[2]).toBeLessThan(r.L[0]);
  });
});

describe('channelMeanWeights (strict profile summary)', () => {
  const table = (nFrames: number, nTiles: number, w: number[], type: 'STAR' | 'STRUCTURE'): LocalWeights => ({
    nFrames,
    nTiles,
    tileType: Array.from({ length: nTiles }, () => type),
    Q: Float32Array.from(w, (v) => Math.log(v)),
    L: Float32Array.from(w),
    W: Float32Array.from(w),
    ess: new Float64Array(nTiles).fill(nFrames),
    medianQ: new Float64Array(nTiles),
    medianFwhm: new Float64Array(nTiles).fill(3),
  });

  it('averages W, L and Q over the channels element by element', () => {
    const m = channelMeanWeights([table(2, 2, [1, 2, 3, 4], 'STAR'), table(2, 2, [3, 2, 1, 0], 'STAR'), table(2, 2, [2, 2, 2, 2], 'STAR')]);
    expect(Array.from(m.W)).toEqual([2, 2, 2, 2]);
    expect(Array.from(m.L)).toEqual([2, 2, 2, 2]);
  });

  it('types a tile STAR when any channel does', () => {
    const m = channelMeanWeights([table(1, 2, [1, 1], 'STRUCTURE'), table(1, 2, [1, 1], 'STAR')]);
    expect(m.tileType).toEqual(['STAR', 'STAR']);
    expect(channelMeanWeights([table(1, 1, [1], 'STRUCTURE')]).tileType).toEqual(['STRUCTURE']);
  });

  it('refuses channels of different sizes and an empty list', () => {
    expect(() => channelMeanWeights([table(1, 2, [1, 1], 'STAR'), table(2, 1, [1, 1], 'STAR')])).toThrow(/differ in size/);
    expect(() => channelMeanWeights([])).toThrow(/at least one/);
  });
});
