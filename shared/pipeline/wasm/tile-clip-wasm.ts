import { align16, ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import type { SigmaClipParams } from '../sigma-clip';
import { TILE_CLIP_WASM } from './tile-clip.wasm';

/**
 * P9 tile rows through the WebAssembly SIMD kernel tile-clip.wat: R_t, the mean tile, the
 * coverage and the synthetic tiles of TileReconstructor.addRows, the same bytes and statistics,
 * two pixels per vector, reading the stack in its own layout [frame][plane][row][x] (no
 * transpose). About 6x faster than the JS code on the 60-frame benchmark's tiles (110 x 110,
 * clip + tile_weighted synthetic tiles: ~7.5 ms against ~45 ms a tile on one core).
 *
 * The strip is copied into the kernel memory in bands of rows (one copy per frame and plane: a
 * frame's rows of a plane are contiguous in the stack), at most BAND_BYTES for all frames, so the
 * kernel memory stays small whatever the tile stack: ~1 MB for the band, plus ~200 bytes per frame
 * of records and weights and the band's output rows (3 + K blocks). It is grown once and kept for
 * the process (one instance per process or worker thread); nothing in it outlives a call, so
 * reconstructors may interleave their calls. The frame stride inside a band is an
 * odd number of cache lines so that the frames' rows of one column do not compete for the same
 * cache set.
 *
 * Where WebAssembly or SIMD is missing (instantiation throws) tileRowsWasm returns false and the
 * caller runs the JS code, which gives the same bytes.
 */

/** What the kernel computes for a tile (fixed between start and finish). */
export interface TileRowsJob {
  readonly frames: number;
  readonly width: number;
  /** Tile height: the outputs are planes x height x width. */
  readonly height: number;
  /** stacking.method average: R is the weighted mean and no clip statistics are counted. */
  readonly average: boolean;
  /** Synthetic tiles by the weighted sigma clip over the members (tile_weighted with rej). */
  readonly synthClip: boolean;
  readonly clip: SigmaClipParams;
  /** Per eligible cluster its member frames, ascending. */
  readonly members: readonly Int32Array[];
  /**
   * The prepared weights (length frames, 0 = invalid) of a pixel of plane c in a row of parity py
   * and a column of parity px: R's and each cluster's.
   */
  readonly laneWeights: (c: number, py: number, px: number) => { readonly r: Float64Array; readonly clusters: readonly Float64Array[] };
}

/** A row strip of the tile stack, as TileStack of tile-reconstruction.ts. */
export interface TileRowsStrip {
  readonly data: Float32Array;
  readonly offset: number;
  readonly frameStride: number;
  readonly planes: number;
  readonly rows: number;
}

/** Outputs (written at tile rows y0..) and the statistics added up over the calls. */
export interface TileRowsOutput {
  readonly R: Float32Array;
  readonly mean: Float32Array;
  /** Number of non-NaN samples per pixel. */
  readonly coverage: Float32Array;
  readonly synth: readonly Float32Array[];
  /** Set to 1 for frames with a valid sample (finite, weight > 0) of R. */
  readonly frameUsed: Uint8Array;
  samplesIn: number;
  samplesKept: number;
  clipFallbackPixels: number;
}

type BandFn = (...args: number[]) => void;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly band: BandFn;
}

/** Upper bound of a band of the strip in the kernel memory (all frames). */
export const BAND_BYTES = 1 << 20;
const REC = 64;
const CACHE_LINE = 64;

const loadKernel = lazyWasmKernel(TILE_CLIP_WASM, (w): Kernel => ({ memory: w.memory, band: w.exports.band as BandFn, ...w.views }));

/** Whether the WebAssembly kernel runs here (instantiated on first call). */
export function wasmTileClipAvailable(): boolean {
  return loadKernel() !== null;
}

/** Rows per band for n frames of width w, and the band's frame stride in bytes. */
export function bandShape(n: number, w: number, rows: number, bandBytes = BAND_BYTES): { rows: number; stride: number } {
  const b = Math.max(1, Math.min(rows, Math.floor(bandBytes / (n * w * 4))));
  let lines = Math.ceil((b * w * 4) / CACHE_LINE);
  if (lines % 2 === 0) lines++;
  return { rows: b, stride: lines * CACHE_LINE };
}

/** Byte addresses of the kernel memory areas for a job (see tile-clip.wat). */
interface Layout {
  readonly crec: number;
  readonly wR: number;
  readonly mem: readonly number[];
  readonly kw: number;
  readonly ktab: number;
  readonly out: number;
  readonly block: number;
  readonly input: number;
  readonly band: { rows: number; stride: number };
  readonly totalMembers: number;
}

function layoutOf(job: TileRowsJob, bandRows: number): Layout {
  const n = job.frames;
  const crec = REC + 64 * n;
  const wR = crec + 64 * n;
  let at = wR + 2 * 16 * n;
  const mem: number[] = [];
  let totalMembers = 0;
  for (const m of job.members) {
    mem.push(at);
    at += align16(4 * m.length);
    totalMembers += m.length;
  }
  const kw = at;
  const ktab = kw + 2 * 16 * totalMembers;
  const out = ktab + 2 * 16 * job.members.length;
  const band = bandShape(n, job.width, bandRows);
  const block = align16(band.rows * job.width * 4);
  const input = out + (3 + job.members.length) * block;
  return { crec, wR, mem, kw, ktab, out, block, input, band, totalMembers };
}

/**
 * Reconstructs the tile rows [y0, y0 + strip.rows) of every plane into `out`. Returns false
 * (nothing written) when the WebAssembly kernel is unavailable or there are no frames.
 */
export function tileRowsWasm(job: TileRowsJob, strip: TileRowsStrip, y0: number, out: TileRowsOutput): boolean {
  const k = loadKernel();
  const n = job.frames;
  if (k === null || n === 0) return false;
  const w = job.width;
  const K = job.members.length;
  const L = layoutOf(job, strip.rows);
  const { rows: B, stride: fs } = L.band;
  // 16 readable bytes after the last frame's band: an odd row's last lane reads one float past it
  ensureWasmBytes(k.memory, k, L.input + n * fs + 16);
  const { f32, f64, i32 } = k;
  i32.fill(0, 0, 8); // the statistics
  for (let c = 0; c < K; c++) i32.set(job.members[c].map((f) => f * 64), L.mem[c] / 4);
  const planeLen = strip.rows * w;
  const flags = (job.average ? 1 : 0) | (job.synthClip && !job.average ? 2 : 0);
  const { sigma_low: lo, sigma_high: hi, max_iters: maxIters, min_fraction: minFraction } = job.clip;

  for (let c = 0; c < strip.planes; c++) {
    // the weights of both row parities, interleaved by column parity (lane 0 even x, lane 1 odd x)
    for (let py = 0; py < 2; py++) {
      const even = job.laneWeights(c, py, 0);
      const odd = job.laneWeights(c, py, 1);
      const r = (L.wR + py * 16 * n) / 8;
      for (let f = 0; f < n; f++) {
        f64[r + 2 * f] = even.r[f];
        f64[r + 2 * f + 1] = odd.r[f];
      }
      let kw = (L.kw + py * 16 * L.totalMembers) / 8;
      for (let q = 0; q < K; q++) {
        const members = job.members[q];
        const t = (L.ktab + py * 16 * K + 16 * q) / 4;
        i32[t] = L.mem[q];
        i32[t + 1] = members.length;
        i32[t + 2] = kw * 8;
        i32[t + 3] = L.out + (3 + q) * L.block;
        for (let i = 0; i < members.length; i++, kw += 2) {
          f64[kw] = even.clusters[q][members[i]];
          f64[kw + 1] = odd.clusters[q][members[i]];
        }
      }
    }
    for (let yb = 0; yb < strip.rows; yb += B) {
      const rows = Math.min(B, strip.rows - yb);
      const len = rows * w;
      for (let f = 0; f < n; f++) {
        const src = strip.offset + f * strip.frameStride + c * planeLen + yb * w;
        f32.set(strip.data.subarray(src, src + len), (L.input + f * fs) / 4);
      }
      k.band(L.input, fs, n, w, rows, (y0 + yb) & 1, L.wR, L.wR + 16 * n, L.out, L.block, L.ktab, L.ktab + 16 * K, K, flags, REC, L.crec, 0, lo, hi, maxIters, minFraction);
      const dst = (c * job.height + y0 + yb) * w;
      const o = L.out / 4;
      out.R.set(f32.subarray(o, o + len), dst);
      out.mean.set(f32.subarray(o + L.block / 4, o + L.block / 4 + len), dst);
      out.coverage.set(f32.subarray(o + L.block / 2, o + L.block / 2 + len), dst);
      for (let q = 0; q < K; q++) {
        const s = o + ((3 + q) * L.block) / 4;
        out.synth[q].set(f32.subarray(s, s + len), dst);
      }
    }
  }
  // i64 counts (below 2^53)
  out.samplesIn += i32[0] + i32[1] * 2 ** 32;
  out.samplesKept += i32[2] + i32[3] * 2 ** 32;
  out.clipFallbackPixels += i32[4] + i32[5] * 2 ** 32;
  markUsedFrames(job, strip, y0, out.frameUsed);
  return true;
}

/**
 * frameUsed of the JS code: frames with a finite sample in a pixel whose weight for the frame is
 * positive. Found here rather than in the kernel (3 of its ~20 operations per sample): a frame's
 * search ends at its first such sample, the first pixel it looks at but for NaN pixels.
 */
function markUsedFrames(job: TileRowsJob, strip: TileRowsStrip, y0: number, used: Uint8Array): void {
  const w = job.width;
  const planeLen = strip.rows * w;
  const weights = Array.from({ length: strip.planes }, (_, c) => [0, 1].map((py) => [0, 1].map((px) => job.laneWeights(c, py, px).r)));
  for (let f = 0; f < job.frames; f++) {
    if (used[f] === 1) continue;
    search: for (let c = 0; c < strip.planes; c++) {
      for (let py = 0; py < 2; py++) {
        for (let px = 0; px < 2; px++) {
          if (!(weights[c][py][px][f] > 0)) continue;
          const base = strip.offset + f * strip.frameStride + c * planeLen;
          for (let y = (py - y0) & 1; y < strip.rows; y += 2) {
            for (let i = base + y * w + px, end = base + (y + 1) * w; i < end; i += 2) {
              const v = strip.data[i];
              if (v - v === 0) {
                used[f] = 1;
                break search;
              }
            }
          }
        }
      }
    }
  }
}
