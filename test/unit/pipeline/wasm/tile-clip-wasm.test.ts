import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../../fixtures/wasm';
import type { BayerPattern } from '../../../../shared/image/image';
import { reconstructTile, TileReconstructor, type TileJob, type TileReconstruction, type TileReconstructionConfig, type TileStack } from '../../../../shared/pipeline/tile-reconstruction';
import { TILE_CLIP_WASM } from '../../../../shared/pipeline/wasm/tile-clip.wasm';
import { BAND_BYTES, bandShape, wasmTileClipAvailable } from '../../../../shared/pipeline/wasm/tile-clip-wasm';
import { gaussianSource, mulberry32 } from '../../../../shared/util/seed';

// The WebAssembly kernel is a speed-up of TileReconstructor's JS code: R, the mean tile and every
// synthetic tile must hold the same float32 bit patterns (compared as uint32 words, so NaN
// payloads and signed zeros count), and the diagnostics must be equal, for any strip.

const WAT = fileURLToPath(new URL('../../../../shared/pipeline/wasm/tile-clip.wat', import.meta.url));

describeCommittedWasm(WAT, TILE_CLIP_WASM);

type Job = Omit<TileJob, 'width' | 'height' | 'planes'>;

interface Case {
  readonly stack: TileStack;
  readonly job: Job;
  readonly cfg: TileReconstructionConfig;
}

/** Both paths over the same input; strips of `stripRows` rows (0 = the whole tile in one call). */
function both(c: Case, stripRows = 0): { wasm: TileReconstruction; js: TileReconstruction } {
  const run = (kernels: 'auto' | 'js') => {
    if (stripRows === 0) return reconstructTile(c.stack, c.job, c.cfg, { kernels });
    const { stack } = c;
    const r = new TileReconstructor(c.cfg, stack.frames, { kernels });
    r.start({ ...c.job, width: stack.width, height: stack.height, planes: stack.planes });
    const plane = stack.width * stack.height;
    for (let y0 = 0; y0 < stack.height; y0 += stripRows) {
      const rows = Math.min(stripRows, stack.height - y0);
      // each strip padded by 3 floats in front and 5 between frames: offsets and strides count
      const frameStride = stack.planes * rows * stack.width + 5;
      const data = new Float32Array(3 + stack.frames * frameStride).fill(-7);
      for (let f = 0; f < stack.frames; f++) {
        for (let p = 0; p < stack.planes; p++) {
          const src = f * stack.planes * plane + p * plane + y0 * stack.width;
          data.set(stack.data.subarray(src, src + rows * stack.width), 3 + f * frameStride + p * rows * stack.width);
        }
      }
      r.addRows({ data, frames: stack.frames, planes: stack.planes, width: stack.width, height: rows, frameStride, offset: 3 }, y0);
    }
    return r.finish();
  };
  return { wasm: run('auto'), js: run('js') };
}

function expectSameBytes(wasm: TileReconstruction, js: TileReconstruction): void {
  expect(firstBitMismatch(wasm.R, js.R)).toBe(-1);
  expect(firstBitMismatch(wasm.mean, js.mean)).toBe(-1);
  expect(firstBitMismatch(wasm.coverage, js.coverage)).toBe(-1);
  expect(wasm.synthetic.length).toBe(js.synthetic.length);
  wasm.synthetic.forEach((s, k) => expect(firstBitMismatch(s, js.synthetic[k])).toBe(-1));
  expect(wasm.diagnostics).toEqual(js.diagnostics);
  expect(wasm.clusterIds).toEqual(js.clusterIds);
}

/** Frames with a non-NaN sample, per pixel, counted directly. */
function directCoverage(stack: TileStack): number[] {
  const size = stack.planes * stack.width * stack.height;
  return Array.from({ length: size }, (_, i) => {
    let c = 0;
    for (let f = 0; f < stack.frames; f++) if (!Number.isNaN(stack.data[f * size + i])) c++;
    return c;
  });
}

/** A sample value of one of several kinds, so that every branch of the clip is taken. */
function sampleSource(seed: number, kind: number): () => number {
  const u = mulberry32(seed);
  const g = gaussianSource(u);
  return () => {
    const t = u();
    if (t < 0.06) return Number.NaN;
    if (t < 0.07) return t < 0.065 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    if (t < 0.12) return 100 + (u() < 0.5 ? -1 : 1) * (50 + 500 * u()); // outliers
    if (kind === 1) return Math.round(3 * u()); // ties, many equal values (sd = 0 pixels)
    if (kind === 2) return u() < 0.5 ? -0 : 0; // signed zeros only
    if (kind === 3) return 1e-3 * g(); // values near 0, mixed signs
    if (kind === 5 && t < 0.32) return t < 0.22 ? 2 ** 50 : -(2 ** 50); // cancelling terms: the sum order shows
    return 100 + 5 * g();
  };
}

/** A weight of one of the kinds prepareWeights sees: positive, zero, negative, NaN, tiny. */
function weightSource(seed: number, tiny: boolean): () => number {
  const u = mulberry32(seed);
  return () => {
    const t = u();
    if (tiny) return t < 0.5 ? 1e-9 * u() : 0; // sum W < eps_weight: the all-ones fallback
    if (t < 0.08) return 0;
    if (t < 0.12) return Number.NaN;
    if (t < 0.15) return -1;
    return 0.1 + 3 * u();
  };
}

const PATTERNS: BayerPattern[] = ['RGGB', 'BGGR', 'GRBG', 'GBRG'];

const caseArb = fc
  .record({
    frames: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.integer({ min: 4, max: 40 })),
    planes: fc.constantFrom(1, 3),
    w: fc.integer({ min: 1, max: 13 }),
    h: fc.integer({ min: 1, max: 6 }),
    kind: fc.integer({ min: 0, max: 5 }),
    cfa: fc.boolean(),
    pattern: fc.constantFrom(...PATTERNS),
    originX: fc.integer({ min: 0, max: 5 }),
    originY: fc.integer({ min: 0, max: 5 }),
    perChannel: fc.boolean(),
    tiny: fc.constantFrom(false, false, false, true),
    method: fc.constantFrom('rej' as const, 'average' as const),
    weighting: fc.constantFrom('global' as const, 'tile_weighted' as const),
    sigmaLow: fc.constantFrom(0.5, 1, 1.5, 3),
    sigmaHigh: fc.constantFrom(0.5, 1, 2, 3),
    maxIters: fc.integer({ min: 0, max: 6 }),
    minFraction: fc.constantFrom(0, 0.3, 0.5, 0.8, 1),
    clusters: fc.integer({ min: 0, max: 4 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((p): Case => {
    const next = sampleSource(p.seed, p.kind);
    const data = Float32Array.from({ length: p.frames * p.planes * p.w * p.h }, next);
    const cfa = p.planes === 1 && p.cfa ? { pattern: p.pattern, originX: p.originX, originY: p.originY } : undefined;
    const nw = p.perChannel && (p.planes === 3 || cfa) ? 3 : 1;
    const wNext = weightSource(p.seed + 1, p.tiny);
    const tileWeights = Array.from({ length: nw }, () => Float64Array.from({ length: p.frames }, wNext));
    const gNext = weightSource(p.seed + 2, false);
    const globalWeights = Array.from({ length: nw }, () => Float64Array.from({ length: p.frames }, gNext));
    const u = mulberry32(p.seed + 3);
    const labels = Array.from({ length: p.frames }, () => Math.floor(u() * Math.max(1, p.clusters)));
    const ids = Array.from({ length: p.clusters }, (_, k) => k).filter(() => u() < 0.8);
    return {
      stack: { data, frames: p.frames, planes: p.planes, width: p.w, height: p.h },
      job: { tileWeights, globalWeights, cfa, ...(p.clusters > 0 ? { clusters: { labels, ids } } : {}) },
      cfg: {
        stacking: { method: p.method, sigma_clip: { sigma_low: p.sigmaLow, sigma_high: p.sigmaHigh, max_iters: p.maxIters, min_fraction: p.minFraction } },
        synthetic: { weighting: p.weighting },
      },
    };
  });

describe('the WebAssembly tile kernel (tile-clip.wat)', () => {
  it('runs in this Node (so the comparisons below test the kernel, not the fallback)', () => {
    expect(wasmTileClipAvailable()).toBe(true);
  });

  it('gives the bytes and diagnostics of the JS code on random strips (NaN, Inf, zero weights, n = 0..40, clipping, CFA, clusters)', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(0, 0, 1, 2, 4), (c, stripRows) => {
        const { wasm, js } = both(c, stripRows);
        expectSameBytes(wasm, js);
        expect(Array.from(js.coverage)).toEqual(directCoverage(c.stack));
      }),
      { numRuns: 400 },
    );
  });

  it('covers the branches the property is about: clipping, the min_fraction fallback, sd = 0 and empty pixels all occur', () => {
    // one fixed tile where each kind of pixel is present, checked through the JS statistics
    const frames = 12;
    const w = 7;
    const data = new Float32Array(frames * w);
    for (let f = 0; f < frames; f++) {
      data[f * w + 0] = 100 + (f % 3); // clipped: outlier below
      data[f * w + 1] = 5; // constant: sd = 0
      data[f * w + 2] = Number.NaN; // no sample
      data[f * w + 3] = f < 2 ? 1 : Number.NaN; // n = 2
      data[f * w + 4] = f < 6 ? 0 : 1000; // two equal groups: over-clipping with sigma 0.5
      data[f * w + 5] = f % 2 === 0 ? -0 : 0;
      data[f * w + 6] = 100 + f;
    }
    data[0] = -1000;
    const stack = { data, frames, planes: 1, width: w, height: 1 };
    const clip = (minFraction: number): TileReconstructionConfig => ({ stacking: { method: 'rej', sigma_clip: { sigma_low: 2, sigma_high: 2, max_iters: 5, min_fraction: minFraction } } });
    const job = { tileWeights: [new Float64Array(frames).fill(1)] };
    // min_fraction 0.5: pixel 0 loses its outlier and keeps the rest
    const a = both({ stack, job, cfg: clip(0.5) });
    expectSameBytes(a.wasm, a.js);
    expect(a.js.diagnostics.clippedShare).toBeGreaterThan(0);
    expect(a.js.R[0]).toBeCloseTo(1112 / 11, 4);
    // min_fraction 0.95: dropping 1 of 12 is over-clipping, the unclipped mean comes back
    const b = both({ stack, job, cfg: clip(0.95) });
    expectSameBytes(b.wasm, b.js);
    expect(b.js.diagnostics.clipFallbackPixels).toBeGreaterThan(0);
    for (const { js } of [a, b]) {
      expect(Number.isNaN(js.R[2])).toBe(true);
      expect(js.R[1]).toBe(5);
      expect(js.R[3]).toBe(1);
      expect([js.coverage[0], js.coverage[2], js.coverage[3]]).toEqual([frames, 0, 2]);
      expect(Object.is(js.R[5], 0)).toBe(true); // signed zeros average to +0 on both paths
    }
  });

  it('matches over several bands of a strip (frames x width beyond the band size)', () => {
    const frames = 150;
    const w = 251; // odd: the last pixel of each row has no partner
    const h = 9;
    const { rows } = bandShape(frames, w, h);
    expect(rows).toBeLessThan(h);
    const next = sampleSource(99, 0);
    const data = Float32Array.from({ length: frames * w * h }, next);
    const u = mulberry32(5);
    const tileWeights = [Float64Array.from({ length: frames }, () => 0.5 + u())];
    const labels = Array.from({ length: frames }, (_, f) => f % 4);
    const job: Job = { tileWeights, globalWeights: tileWeights, clusters: { labels, ids: [0, 2, 3] }, cfa: { pattern: 'GBRG', originX: 1, originY: 0 } };
    for (const weighting of ['global', 'tile_weighted'] as const) {
      const cfg: TileReconstructionConfig = { stacking: { method: 'rej', sigma_clip: { sigma_low: 2, sigma_high: 2, max_iters: 4, min_fraction: 0.5 } }, synthetic: { weighting } };
      const { wasm, js } = both({ stack: { data, frames, planes: 1, width: w, height: h }, job, cfg }, 5);
      expectSameBytes(wasm, js);
    }
  });

  it('has inputs where the order of the sums shows in the bits (a reordered kernel would fail above)', () => {
    // the reverse-order weighted mean of these samples differs from the frame-order one in many
    // pixels, so a kernel summing in another order than the JS code cannot pass the property
    const next = sampleSource(7, 5);
    const u = mulberry32(8);
    let differ = 0;
    for (let p = 0; p < 200; p++) {
      const v = Array.from({ length: 30 }, next).filter((x) => Number.isFinite(x));
      const wt = v.map(() => Math.ceil(4 * u()));
      let a = 0;
      let aw = 0;
      for (let i = 0; i < v.length; i++) {
        a += wt[i] * v[i];
        aw += wt[i];
      }
      let b = 0;
      let bw = 0;
      for (let i = v.length - 1; i >= 0; i--) {
        b += wt[i] * v[i];
        bw += wt[i];
      }
      if (Math.fround(a / aw) !== Math.fround(b / bw)) differ++;
    }
    expect(differ).toBeGreaterThan(10);
  });
});

describe('bandShape', () => {
  it('fits a band of all frames in the band budget with a frame stride of an odd number of cache lines', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 600 }), (n, w, rows) => {
        const b = bandShape(n, w, rows);
        expect(b.rows).toBeGreaterThanOrEqual(1);
        expect(b.rows).toBeLessThanOrEqual(rows);
        if (b.rows > 1) expect(n * b.rows * w * 4).toBeLessThanOrEqual(BAND_BYTES);
        expect(b.stride).toBeGreaterThanOrEqual(b.rows * w * 4);
        expect((b.stride / 64) % 2).toBe(1);
      }),
    );
  });

  it('takes a single row when one row of all frames exceeds the budget', () => {
    expect(bandShape(1000, 1000, 50).rows).toBe(1);
    expect(bandShape(1, 10, 50, 1 << 20).rows).toBe(50);
  });
});
