import { describe, expect, it } from 'vitest';
import { tileClusterWeights } from '../../../shared/pipeline/final-stack';
import { clusterWeightSums } from '../../../shared/pipeline/tasks/tile-task';

describe('full-mode P11 weights per tile', () => {
  it('sums the tile weights of each cluster\'s frames (valid positive weights only)', () => {
    const W = [Float32Array.from([1, 2, 3, Number.NaN, -1, 4])];
    expect(clusterWeightSums(W, [0, 0, 1, 1, 1, 2], [0, 1, 2])).toEqual([3, 3, 4]);
  });

  it('averages the channels in the strict profile', () => {
    const W = [Float32Array.from([1, 1]), Float32Array.from([3, 3]), Float32Array.from([2, 2])];
    expect(clusterWeightSums(W, [5, 5], [5])).toEqual([4]);
  });

  it('multiplies the cluster quality weights by the tile sums', () => {
    expect(Array.from(tileClusterWeights([2, 1], [3, 4], 2)!)).toEqual([6, 4]);
    expect(Array.from(tileClusterWeights(null, [3, 4], 2)!)).toEqual([3, 4]);
  });

  it('keeps w_k for records without sums, or with sums of the wrong length or all zero', () => {
    expect(Array.from(tileClusterWeights([2, 1], undefined, 2)!)).toEqual([2, 1]);
    expect(Array.from(tileClusterWeights([2, 1], [1], 2)!)).toEqual([2, 1]);
    expect(Array.from(tileClusterWeights([2, 1], [0, 0], 2)!)).toEqual([2, 1]);
    expect(tileClusterWeights(null, undefined, 2)).toBeNull();
  });
});
