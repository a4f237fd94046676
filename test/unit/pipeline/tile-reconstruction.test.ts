import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  eligibleClusters,
  packTileBlocks,
  reconstructTile,
  tileBlock,
  TileReconstructor,
  type TileReconstructionConfig,
  type TileStack,
} from '../../../shared/pipeline/tile-reconstruction';
import { bayerColorAt } from '../../../shared/image/image';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const AVERAGE: TileReconstructionConfig = { stacking: { method: 'average', sigma_clip: { sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 } } };
const REJ: TileReconstructionConfig = { stacking: { method: 'rej', sigma_clip: { sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 } } };

/** A stack [frames][planes][h][w] of gaussian noise around `level`, with a share of NaN pixels. */
function noiseStack(frames: number, planes: number, w: number, h: number, seed: number, nanShare = 0, level = 100): TileStack {
  const u = mulberry32(seed);
  const g = gaussianSource(u);
  const data = new Float32Array(frames * planes * w * h);
  for (let i = 0; i < data.length; i++) data[i] = u() < nanShare ? Number.NaN : level + 5 * g();
  return { data, frames, planes, width: w, height: h };
}

function plainMean(stack: TileStack, i: number): number {
  const size = stack.planes * stack.width * stack.height;
  let s = 0;
  let n = 0;
  for (let f = 0; f < stack.frames; f++) {
    const v = stack.data[f * size + i];
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

describe('reconstructTile', () => {
  it('reduces to the plain per-pixel mean when all weights are equal (average)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (frames, seed, w) => {
          const stack = noiseStack(frames, 1, 9, 7, seed, 0.2);
          const r = reconstructTile(stack, { tileWeights: [new Float64Array(frames).fill(w)] }, AVERAGE);
          for (let i = 0; i < r.R.length; i++) {
            const m = plainMean(stack, i);
            if (Number.isNaN(m)) expect(r.R[i]).toBeNaN();
            else expect(Math.abs(r.R[i] - m)).toBeLessThanOrEqual(1e-6 * Math.abs(m));
            if (!Number.isNaN(m)) expect(Math.abs(r.mean[i] - r.R[i])).toBeLessThanOrEqual(1e-6 * Math.abs(m));
          }
          expect(r.diagnostics.fallbackUsed).toBe(false);
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it('falls back to the plain mean with fallback_used when all W are 0, leaving no NaN where data exists', () => {
    const stack = noiseStack(6, 1, 8, 8, 3);
    const r = reconstructTile(stack, { tileWeights: [new Float64Array(6)] }, REJ);
    expect(r.diagnostics.fallbackUsed).toBe(true);
    expect(r.diagnostics.sumWeights).toBe(0);
    for (let i = 0; i < r.R.length; i++) {
      expect(Number.isFinite(r.R[i])).toBe(true);
      expect(r.R[i]).toBeCloseTo(plainMean(stack, i), 4);
    }
  });

  it('also falls back when the weights are NaN or negative', () => {
    const stack = noiseStack(3, 1, 4, 4, 4);
    const r = reconstructTile(stack, { tileWeights: [[Number.NaN, -1, 0]] }, AVERAGE);
    expect(r.diagnostics.fallbackUsed).toBe(true);
    expect(r.R[5]).toBeCloseTo(plainMean(stack, 5), 4);
  });

  it('computes the weighted mean sum(w*v)/sum(w) and ignores frames with W = 0 (the mean tile keeps them)', () => {
    const data = Float32Array.from([1, 1, 5, 5, 1000, 1000]); // 3 frames of a 2x1 tile
    const r = reconstructTile({ data, frames: 3, planes: 1, width: 2, height: 1 }, { tileWeights: [[1, 3, 0]] }, AVERAGE);
    expect(Array.from(r.R)).toEqual([4, 4]);
    expect(r.mean[0]).toBeCloseTo(1006 / 3, 4);
    expect(r.diagnostics.nValidFrames).toBe(2);
    expect(r.diagnostics.sumWeights).toBe(4);
    expect(r.diagnostics.ess).toBeCloseTo(16 / 10, 12);
  });

  it('rejects a cosmic ray inside the tile with method rej and counts the clipped share', () => {
    const stack = noiseStack(30, 1, 6, 6, 11);
    const hit = 2 * 36 + 14; // frame 2, pixel 14
    stack.data[hit] = 100 + 50 * 5;
    const w = new Float64Array(30).fill(1);
    const rej = reconstructTile(stack, { tileWeights: [w] }, REJ);
    const avg = reconstructTile(stack, { tileWeights: [w] }, AVERAGE);
    expect(avg.R[14] - 100).toBeGreaterThan(5);
    expect(Math.abs(rej.R[14] - 100)).toBeLessThan(3);
    expect(rej.diagnostics.clippedShare).toBeGreaterThan(0);
    expect(avg.diagnostics.clippedShare).toBe(0);
  });

  it('counts over-clipped pixels (clip_fallback) and returns their unclipped mean', () => {
    // 10 frames: four 0s and six 10s with sigma 0.5 -> everything clipped -> unclipped mean 6
    const data = Float32Array.from([0, 0, 0, 0, 10, 10, 10, 10, 10, 10]);
    const cfg: TileReconstructionConfig = { stacking: { method: 'rej', sigma_clip: { sigma_low: 0.5, sigma_high: 0.5, max_iters: 3, min_fraction: 0.5 } } };
    const r = reconstructTile({ data, frames: 10, planes: 1, width: 1, height: 1 }, { tileWeights: [new Float64Array(10).fill(1)] }, cfg);
    expect(r.R[0]).toBeCloseTo(6, 6);
    expect(r.diagnostics.clipFallbackPixels).toBe(1);
  });

  it('gives identical results from row strips and from the whole stack', () => {
    const stack = noiseStack(9, 3, 11, 10, 21, 0.1);
    const w = Float64Array.from({ length: 9 }, (_, i) => 0.5 + i);
    const labels = [0, 1, 0, 1, 0, 1, 0, 1, 2];
    const job = { tileWeights: [w], globalWeights: [w], clusters: { labels, ids: [0, 1] } };
    const whole = reconstructTile(stack, job, REJ);
    const r = new TileReconstructor(REJ, 9);
    r.start({ ...job, width: 11, height: 10, planes: 3 });
    // strips of 4, 4 and 2 rows, each its own [frames][planes][rows][w] buffer
    for (const [y0, rows] of [[0, 4], [4, 4], [8, 2]] as const) {
      const strip = new Float32Array(9 * 3 * rows * 11);
      for (let f = 0; f < 9; f++) for (let c = 0; c < 3; c++) for (let y = 0; y < rows; y++) {
        const src = ((f * 3 + c) * 10 + y0 + y) * 11;
        strip.set(stack.data.subarray(src, src + 11), ((f * 3 + c) * rows + y) * 11);
      }
      r.addRows({ data: strip, frames: 9, planes: 3, width: 11, height: rows }, y0);
    }
    const strips = r.finish();
    expect(strips.R).toEqual(whole.R);
    expect(strips.mean).toEqual(whole.mean);
    expect(strips.synthetic).toEqual(whole.synthetic);
    expect(strips.diagnostics).toEqual(whole.diagnostics);
  });

  it('reads a strided view (frames further apart than one tile)', () => {
    const stack = noiseStack(4, 1, 5, 5, 8);
    const padded = new Float32Array(3 + 4 * 40);
    for (let f = 0; f < 4; f++) padded.set(stack.data.subarray(f * 25, f * 25 + 25), 3 + f * 40);
    const w = [[1, 2, 3, 4]];
    const a = reconstructTile(stack, { tileWeights: w }, AVERAGE);
    const b = reconstructTile({ ...stack, data: padded, frameStride: 40, offset: 3 }, { tileWeights: w }, AVERAGE);
    expect(b.R).toEqual(a.R);
  });

  it('strict RGB: plane c uses W[.,c], so changing the R input never changes G or B', () => {
    const stack = noiseStack(5, 3, 6, 6, 31);
    const weights = [[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [1, 1, 9, 1, 1]];
    const a = reconstructTile(stack, { tileWeights: weights }, REJ);
    const changed = { ...stack, data: stack.data.slice() };
    for (let f = 0; f < 5; f++) for (let i = 0; i < 36; i++) changed.data[f * 108 + i] *= 3;
    const b = reconstructTile(changed, { tileWeights: weights }, REJ);
    expect(b.R.subarray(36)).toEqual(a.R.subarray(36));
    expect(b.R.subarray(0, 36)).not.toEqual(a.R.subarray(0, 36));
    // plane 2 is the W[.,2]-weighted mean (no clipping on this data? compare with average)
    const avg = reconstructTile(stack, { tileWeights: weights }, AVERAGE);
    let s = 0;
    for (let f = 0; f < 5; f++) s += weights[2][f] * stack.data[f * 108 + 72];
    expect(avg.R[72]).toBeCloseTo(s / 13, 4);
    expect(avg.diagnostics.channels.length).toBe(3);
  });

  it('strict OSC: each mosaic pixel takes the weights of its CFA colour from the canvas origin', () => {
    // two frames; frame 0 = 0 everywhere, frame 1 = 10; W_R = [1,0], W_G = [0,1], W_B = [1,1]
    const data = new Float32Array(2 * 16);
    data.fill(10, 16);
    const job = { tileWeights: [[1, 0], [0, 1], [1, 1]], cfa: { pattern: 'RGGB' as const, originX: 3, originY: 0 } };
    const r = reconstructTile({ data, frames: 2, planes: 1, width: 4, height: 4 }, job, AVERAGE);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      const col = bayerColorAt('RGGB', 3 + x, y);
      expect(r.R[y * 4 + x]).toBe(col === 0 ? 0 : col === 1 ? 10 : 5);
    }
  });

  it('builds synthetic tiles per eligible cluster: global weighting divides by G of frames valid at the pixel', () => {
    // 4 frames, one pixel: values 1, NaN, 3, 7; clusters [0, 0, 1, 1]; G = [1, 5, 2, 6]
    const data = Float32Array.from([1, Number.NaN, 3, 7]);
    const job = { tileWeights: [[1, 1, 1, 1]], globalWeights: [[1, 5, 2, 6]], clusters: { labels: [0, 0, 1, 1], ids: [0, 1] } };
    const cfg = { ...REJ, synthetic: { weighting: 'global' as const } };
    const r = reconstructTile({ data, frames: 4, planes: 1, width: 1, height: 1 }, job, cfg);
    expect(r.synthetic[0][0]).toBe(1); // not 1*1/(1+5)
    expect(r.synthetic[1][0]).toBeCloseTo((2 * 3 + 6 * 7) / 8, 6);
    expect(r.clusterIds).toEqual([0, 1]);
  });

  it('tile_weighted synthetic tiles use W[f,t] inside the cluster', () => {
    const data = Float32Array.from([1, 2, 3, 7]);
    const job = { tileWeights: [[1, 3, 2, 6]], globalWeights: [[9, 9, 9, 9]], clusters: { labels: [0, 0, 1, 1], ids: [1] } };
    const cfg = { ...AVERAGE, synthetic: { weighting: 'tile_weighted' as const } };
    const r = reconstructTile({ data, frames: 4, planes: 1, width: 1, height: 1 }, job, cfg);
    expect(r.synthetic.length).toBe(1);
    expect(r.synthetic[0][0]).toBeCloseTo((2 * 3 + 6 * 7) / 8, 6);
  });

  it('reports bg_t = median(R_t), m_t = median|R_t - bg_t| and the REF SNR proxy', () => {
    const data = Float32Array.from([1, 2, 3, 4, 100]);
    const r = reconstructTile({ data, frames: 1, planes: 1, width: 5, height: 1 }, { tileWeights: [[1]] }, AVERAGE);
    const d = r.diagnostics;
    expect(d.channels[0].bg).toBe(3);
    expect(d.channels[0].m).toBe(1);
    expect(d.bgLuminance).toBe(3);
    // p99 of 5 values = element round(0.99*4) = 4 -> 100
    expect(d.snr).toBeCloseTo((100 - 3) / (1.4826 + 1e-6), 6);
  });

  it('returns NaN tiles and NaN statistics for an all-NaN stack without throwing', () => {
    const data = new Float32Array(3 * 16).fill(Number.NaN);
    const r = reconstructTile({ data, frames: 3, planes: 1, width: 4, height: 4 }, { tileWeights: [[1, 1, 1]] }, REJ);
    expect(r.R.every(Number.isNaN)).toBe(true);
    expect(r.mean.every(Number.isNaN)).toBe(true);
    expect(r.diagnostics.nValidFrames).toBe(0);
    expect(r.diagnostics.channels[0].bg).toBeNaN();
  });

  it('works with a single frame and with two frames (no clipping possible)', () => {
    const one = reconstructTile({ data: Float32Array.from([4, 5]), frames: 1, planes: 1, width: 2, height: 1 }, { tileWeights: [[2]] }, REJ);
    expect(Array.from(one.R)).toEqual([4, 5]);
    const two = reconstructTile({ data: Float32Array.from([0, 100]), frames: 2, planes: 1, width: 1, height: 1 }, { tileWeights: [[1, 1]] }, REJ);
    expect(two.R[0]).toBe(50);
  });

  it('refuses inconsistent jobs', () => {
    const stack = noiseStack(3, 1, 4, 4, 1);
    expect(() => reconstructTile(stack, { tileWeights: [[1, 1]] }, REJ)).toThrow(RangeError);
    expect(() => reconstructTile(stack, { tileWeights: [[1, 1, 1], [1, 1, 1]] }, REJ)).toThrow(RangeError);
    expect(() => reconstructTile(stack, { tileWeights: [[1, 1, 1], [1, 1, 1], [1, 1, 1]] }, REJ)).toThrow(/CFA/);
    const r = new TileReconstructor(REJ, 3);
    expect(() => r.addRows(stack, 0)).toThrow(/start/);
    r.start({ width: 4, height: 4, planes: 1, tileWeights: [[1, 1, 1]] });
    expect(() => r.addRows(stack, 1)).toThrow(RangeError);
  });

  it('is deterministic: the same inputs give byte-identical tiles', () => {
    const stack = noiseStack(20, 1, 16, 16, 99, 0.05);
    const w = Float64Array.from({ length: 20 }, (_, i) => Math.exp(Math.sin(i)));
    const a = packTileBlocks(reconstructTile(stack, { tileWeights: [w] }, REJ), { synthetic: true, stacked: null }).file;
    const b = packTileBlocks(reconstructTile(stack, { tileWeights: [w] }, REJ), { synthetic: true, stacked: null }).file;
    expect(new Uint8Array(a.buffer)).toEqual(new Uint8Array(b.buffer));
  });
});

describe('eligibleClusters', () => {
  it('keeps clusters with >= frames_min frames, the first frames_max by id', () => {
    const labels = [0, 0, 0, 1, 2, 2, 2, 3, 3, 3, 3];
    expect(eligibleClusters(labels, 4, 3, 30)).toEqual([0, 2, 3]);
    expect(eligibleClusters(labels, 4, 3, 2)).toEqual([0, 2]);
    expect(eligibleClusters(labels, 4, 5, 30)).toEqual([]);
  });
});

describe('packTileBlocks', () => {
  const data = Float32Array.from([1, 3, 5, 7]);
  const job = { tileWeights: [[1, 1]], globalWeights: [[1, 1]], clusters: { labels: [0, 0], ids: [0] } };
  const r = reconstructTile({ data, frames: 2, planes: 1, width: 2, height: 1 }, job, AVERAGE);
  const stacked = Float32Array.from([9, 8]);

  it('writes R, mean, the S_k blocks, the combined stack and the coverage in that order', () => {
    const { file, stackedBlock } = packTileBlocks(r, { synthetic: true, stacked });
    expect(Array.from(file)).toEqual([3, 5, 3, 5, 3, 5, 9, 8, 2, 2]);
    expect(stackedBlock).toBe(3);
    expect(tileBlock(file, 1, 2, 1, 2)).toEqual(r.synthetic[0]);
    expect(() => tileBlock(file, 1, 2, 1, 5)).toThrow(RangeError);
  });

  it('leaves the S_k blocks out unless the synthetic frames are written, and has no combination outside full mode', () => {
    const lean = packTileBlocks(r, { synthetic: false, stacked });
    expect(Array.from(lean.file)).toEqual([3, 5, 3, 5, 9, 8, 2, 2]);
    expect(lean.stackedBlock).toBe(2);
    const reduced = packTileBlocks(r, { synthetic: false, stacked: null });
    expect(Array.from(reduced.file)).toEqual([3, 5, 3, 5, 2, 2]);
    expect(reduced.stackedBlock).toBeNull();
  });
});
