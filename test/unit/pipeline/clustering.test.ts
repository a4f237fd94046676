import { describe, expect, it } from 'vitest';
import {
  clusterCount,
  clusterFrames,
  kmeansLabels,
  quantileLabels,
  standardizeColumns,
  stateVectors,
} from '../../../shared/pipeline/clustering';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const KMEANS = { mode: 'kmeans' as const, cluster_count_range: [5, 30] as const };

/** N frames in `groups` well separated states, with small deterministic scatter. */
function frames(n: number, groups: number, seed = 1) {
  const g = gaussianSource(mulberry32(seed));
  const G: number[] = [];
  const B: number[] = [];
  const sigma: number[] = [];
  const Q: number[] = [];
  for (let f = 0; f < n; f++) {
    const k = f % groups;
    G.push(1 + 2 * k + 0.05 * g());
    B.push(100 + 50 * k + g());
    sigma.push(0.01 + 0.004 * k + 0.0002 * g());
    const spread = 0.2 * (k + 1) + 0.01 * g();
    Q.push(k - spread, k + 0.02 * g(), k + spread);
  }
  return { G, B, sigma, Q };
}

describe('clusterCount', () => {
  it('is min(N, clip(floor(N/10), K_min, K_max))', () => {
    const table: [number, [number, number], number][] = [
      [800, [5, 30], 30],
      [200, [5, 30], 20],
      [120, [5, 30], 12],
      [30, [5, 30], 5],
      [3, [5, 30], 3],
      [1, [5, 30], 1],
      [100, [3, 12], 10],
    ];
    for (const [n, range, k] of table) expect(clusterCount(n, range)).toBe(k);
  });
});

describe('stateVectors and standardizeColumns', () => {
  it('uses the population mean and variance of Q over defined tiles', () => {
    const v = stateVectors([2], [1, NaN, 3], 3, [10], [0.5]);
    expect(Array.from(v)).toEqual([2, 2, 1, 10, 0.5]);
  });
  it('standardizes by mean and population SD and zeroes a constant column', () => {
    const s = standardizeColumns(Float64Array.from([1, 5, 3, 5]), 2);
    expect(Array.from(s)).toEqual([-1, 0, 1, 0]);
  });
});

describe('quantileLabels', () => {
  it('labels frames by their G rank: floor(rank*K/N), ties by index', () => {
    expect(Array.from(quantileLabels([5, 1, 3, 1, 9, 7], 3))).toEqual([1, 0, 1, 0, 2, 2]);
  });
});

describe('kmeansLabels', () => {
  it('starts from frame floor(N/2) and separates well separated groups', () => {
    const x = Float64Array.from([0, 0, 10, 10, 0.1, 0, 10, 10.1, 0, 0.1]); // 5 points in 2-D
    const labels = kmeansLabels(x, 2, 2)!;
    // frame 2 = (0.1, 0) seeds cluster 0; the farthest frame seeds cluster 1
    expect(Array.from(labels)).toEqual([0, 1, 0, 1, 0]);
  });
  it('returns null when a cluster runs empty (duplicate frames)', () => {
    expect(kmeansLabels(new Float64Array(10), 2, 3)).toBeNull();
  });
});

describe('clusterFrames', () => {
  it('recovers four frame states and gives identical labels on a second run (property 14)', () => {
    const { G, B, sigma, Q } = frames(40, 4);
    const state = stateVectors(G, Q, 3, B, sigma);
    const a = clusterFrames(state, G, { ...KMEANS, cluster_count_range: [4, 4] });
    const b = clusterFrames(state.slice(), G.slice(), { ...KMEANS, cluster_count_range: [4, 4] });
    expect(a.mode).toBe('kmeans');
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    for (let f = 4; f < 40; f++) expect(a.labels[f]).toBe(a.labels[f % 4]);
    expect(new Set(a.labels).size).toBe(4);
  });
  it('falls back to quantile labels when kmeans leaves a cluster empty (property 14)', () => {
    const n = 12;
    const G = new Array<number>(n).fill(1);
    const r = clusterFrames(stateVectors(G, new Array(n * 2).fill(0), 2, G, G), G, KMEANS);
    expect([r.mode, r.emptyClusterFallback, r.K]).toEqual(['quantile', true, 5]);
    expect(Array.from(r.labels)).toEqual(Array.from(quantileLabels(G, 5)));
  });
  it('uses quantile labels when asked and handles N = 1, N = 2 and N = 0', () => {
    const { G, B, sigma, Q } = frames(10, 2);
    const q = clusterFrames(stateVectors(G, Q, 3, B, sigma), G, { ...KMEANS, mode: 'quantile' });
    expect([q.mode, q.emptyClusterFallback]).toEqual(['quantile', false]);
    const one = clusterFrames(stateVectors([1], [0], 1, [1], [1]), [1], KMEANS);
    expect([one.K, Array.from(one.labels)]).toEqual([1, [0]]);
    const two = clusterFrames(stateVectors([1, 2], [0, 1], 1, [1, 1], [1, 1]), [1, 2], KMEANS);
    expect([two.K, Array.from(two.labels)]).toEqual([2, [1, 0]]); // frame floor(2/2) = 1 seeds cluster 0
    expect(clusterFrames(new Float64Array(0), [], KMEANS).K).toBe(0);
  });
  it('refuses state vectors that do not match the frame count', () => {
    expect(() => clusterFrames(new Float64Array(4), [1], KMEANS)).toThrow(RangeError);
  });
});
