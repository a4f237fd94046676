import { bayerColorAt, type BayerPattern } from '../image/image';
import { medianInPlace, MAD_TO_SIGMA, selectInPlace } from '../image/stats';
import { WeightedSigmaClipper, type SigmaClipParams } from './sigma-clip';
import { tileRowsWasm, type TileRowsJob } from './wasm/tile-clip-wasm';

/**
 * P9 tile task (METHOD.md): one tile over all usable frames -> R_t, the equal-weight mean tile
 * (QA baseline) and one synthetic tile S_kt per eligible cluster, plus diagnostics.
 *
 * Deterministic: reductions run in frame order per pixel, float64 accumulation. The stack may
 * arrive in row strips (addRows) when the worker permit is smaller than the whole tile stack;
 * every pixel depends only on its own samples, so strips give the same result.
 */

export const EPS_WEIGHT = 1e-6;

export interface TileReconstructionConfig {
  readonly stacking: { readonly method: 'rej' | 'average'; readonly sigma_clip: SigmaClipParams };
  readonly synthetic?: { readonly weighting: 'global' | 'tile_weighted' };
}

/** Tile pixels of all frames: [frames][planes][height][width] float32, optionally strided. */
export interface TileStack {
  readonly data: Float32Array;
  readonly frames: number;
  readonly planes: number;
  readonly width: number;
  readonly height: number;
  /** Elements between consecutive frames (default planes*height*width). */
  readonly frameStride?: number;
  /** Element offset of frame 0 (default 0). */
  readonly offset?: number;
}

export interface TileJob {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  /**
   * W[f,t] for this tile: one vector (practical profile: shared by every pixel) or one per colour
   * channel (strict: RGB planes, or OSC colours R, G, B selected by `cfa`).
   */
  readonly tileWeights: readonly ArrayLike<number>[];
  /** G_f (one vector, or one per channel in strict); needed for synthetic.weighting = global. */
  readonly globalWeights?: readonly ArrayLike<number>[];
  /** Full mode: cluster label per usable frame and the eligible cluster ids, in output order. */
  readonly clusters?: { readonly labels: ArrayLike<number>; readonly ids: readonly number[] };
  /** OSC mosaic: pattern and the tile origin on the canvas, so each pixel knows its CFA colour. */
  readonly cfa?: { readonly pattern: BayerPattern; readonly originX: number; readonly originY: number };
}

export interface ChannelTileStats {
  /** sum_f W[f,t] before the fallback. */
  readonly sumWeights: number;
  /** (sum W)^2 / sum W^2 (0 when sum W = 0). */
  readonly ess: number;
  readonly fallbackUsed: boolean;
  /** bg_t = median(R_t) over the pixels of this channel. */
  readonly bg: number;
  /** m_t = median |R_t - bg_t|. */
  readonly m: number;
}

export interface TileDiagnostics {
  readonly nFrames: number;
  /** Frames that contributed at least one finite, positively weighted pixel to R_t. */
  readonly nValidFrames: number;
  /** Channel means of the per-channel values (one channel in the practical profile). */
  readonly sumWeights: number;
  readonly ess: number;
  readonly fallbackUsed: boolean;
  /** Dropped samples / samples entering the clip (R_t only; 0 for average). */
  readonly clippedShare: number;
  /** Pixels where over-clipping returned the unclipped mean (R_t only). */
  readonly clipFallbackPixels: number;
  /** Per channel: planes (mono/RGB) or CFA colours R, G, B (OSC with cfa). */
  readonly channels: readonly ChannelTileStats[];
  /** bg and m of the luminance view (RGB: plane mean; mono/OSC: the tile itself). */
  readonly bgLuminance: number;
  readonly mLuminance: number;
  /** (p99 - median)/(sigma_MAD + 1e-6) of the luminance [REF]. */
  readonly snr: number;
}

export interface TileReconstruction {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly R: Float32Array;
  readonly mean: Float32Array;
  /** Number of frames with a non-NaN sample (+-Inf count), per pixel (the coverage block of the tile's data). */
  readonly coverage: Float32Array;
  /** One tile per entry of clusters.ids. */
  readonly synthetic: Float32Array[];
  readonly clusterIds: readonly number[];
  readonly diagnostics: TileDiagnostics;
}

/**
 * Which code computes the pixels: 'auto' = the WebAssembly SIMD kernel (wasm/tile-clip.wat) where
 * it instantiates, else JS; 'js' = always the JS reference code below. Both give the same bytes.
 */
export interface TileReconstructionOptions {
  readonly kernels?: 'auto' | 'js';
}

interface PreparedWeights {
  readonly w: Float64Array;
  readonly sum: number;
  readonly ess: number;
  readonly fallback: boolean;
}

/** Zero for invalid/non-positive W; all ones (and fallback) when sum W < eps_weight. */
function prepareWeights(raw: ArrayLike<number>, n: number, member?: (f: number) => boolean): PreparedWeights {
  const w = new Float64Array(n);
  let s = 0;
  let s2 = 0;
  for (let f = 0; f < n; f++) {
    if (member && !member(f)) continue;
    const v = raw[f];
    if (Number.isFinite(v) && v > 0) {
      w[f] = v;
      s += v;
      s2 += v * v;
    }
  }
  const fallback = !(s >= EPS_WEIGHT);
  if (fallback) for (let f = 0; f < n; f++) w[f] = member && !member(f) ? 0 : 1;
  return { w, sum: s, ess: s2 > 0 ? (s * s) / s2 : 0, fallback };
}

export class TileReconstructor {
  private readonly nFrames: number;
  private readonly method: 'rej' | 'average';
  private readonly weighting: 'global' | 'tile_weighted';
  private readonly clipper: WeightedSigmaClipper;
  private readonly sigmaClip: SigmaClipParams;
  private readonly vals: Float64Array;
  private readonly wts: Float64Array;
  private rowBuf = new Float32Array(0);
  private readonly useWasm: boolean;
  private wasmJob: TileRowsJob | null = null;

  private job: TileJob | null = null;
  private chanOf: (c: number, x: number, y: number) => number = () => 0;
  private nChannels = 1;
  private weights: PreparedWeights[] = [];
  private clusterMembers: Int32Array[] = [];
  private clusterWeights: Float64Array[][] = [];
  private R = new Float32Array(0);
  private meanTile = new Float32Array(0);
  private coverage = new Float32Array(0);
  private synth: Float32Array[] = [];
  private frameUsed = new Uint8Array(0);
  private samplesIn = 0;
  private samplesKept = 0;
  private clipFallbackPixels = 0;

  constructor(cfg: TileReconstructionConfig, nFrames: number, options: TileReconstructionOptions = {}) {
    this.useWasm = (options.kernels ?? 'auto') === 'auto';
    this.sigmaClip = cfg.stacking.sigma_clip;
    this.nFrames = nFrames;
    this.method = cfg.stacking.method;
    this.weighting = cfg.synthetic?.weighting ?? 'global';
    this.clipper = new WeightedSigmaClipper(cfg.stacking.sigma_clip, Math.max(1, nFrames));
    this.vals = new Float64Array(Math.max(1, nFrames));
    this.wts = new Float64Array(Math.max(1, nFrames));
  }

  start(job: TileJob): void {
    const n = this.nFrames;
    const nw = job.tileWeights.length;
    if (nw !== 1 && nw !== 3) throw new RangeError(`reconstructTile: expected 1 or 3 weight vectors, got ${nw}`);
    for (const w of job.tileWeights) if (w.length < n) throw new RangeError(`reconstructTile: weight vector shorter than ${n} frames`);
    if (nw === 3 && job.planes !== 3 && !job.cfa) throw new RangeError('reconstructTile: per-channel weights on a mosaic need the CFA pattern');
    this.job = job;
    // colour channel of a pixel: its statistics, and its weight vector in the strict profile
    if (job.planes === 3) {
      this.nChannels = 3;
      this.chanOf = (c) => c;
    } else if (job.cfa) {
      const { pattern, originX, originY } = job.cfa;
      const lut = [0, 1, 2, 3].map((i) => bayerColorAt(pattern, originX + (i & 1), originY + (i >> 1)));
      this.nChannels = 3;
      this.chanOf = (_c, x, y) => lut[((y & 1) << 1) | (x & 1)];
    } else {
      this.nChannels = job.planes;
      this.chanOf = (c) => c;
    }
    this.weights = job.tileWeights.map((w) => prepareWeights(w, n));

    this.clusterMembers = [];
    this.clusterWeights = [];
    if (job.clusters) {
      const { labels, ids } = job.clusters;
      const source = this.weighting === 'global' ? job.globalWeights : job.tileWeights;
      if (!source || (source.length !== 1 && source.length !== nw && source.length !== 3)) {
        throw new RangeError(`reconstructTile: synthetic.weighting = ${this.weighting} needs ${this.weighting === 'global' ? 'globalWeights' : 'tileWeights'}`);
      }
      for (const k of ids) {
        const members: number[] = [];
        for (let f = 0; f < n; f++) if (labels[f] === k) members.push(f);
        this.clusterMembers.push(Int32Array.from(members));
        this.clusterWeights.push(source.map((w) => prepareWeights(w, n, (f) => labels[f] === k).w));
      }
    }

    const size = job.planes * job.width * job.height;
    this.R = new Float32Array(size);
    this.meanTile = new Float32Array(size);
    this.coverage = new Float32Array(size);
    this.synth = this.clusterMembers.map(() => new Float32Array(size));
    this.frameUsed = new Uint8Array(n);
    this.samplesIn = 0;
    this.samplesKept = 0;
    this.clipFallbackPixels = 0;
    if (this.rowBuf.length < job.width * n) this.rowBuf = new Float32Array(job.width * n);
    this.wasmJob = this.useWasm ? this.kernelJob(job) : null;
  }

  /** The tile as the WebAssembly kernel takes it: a pixel's weights from its plane and parities. */
  private kernelJob(job: TileJob): TileRowsJob {
    const single = this.weights.length === 1;
    return {
      frames: this.nFrames,
      width: job.width,
      height: job.height,
      average: this.method === 'average',
      synthClip: this.weighting === 'tile_weighted',
      clip: this.sigmaClip,
      members: this.clusterMembers,
      laneWeights: (c, py, px) => {
        const ch = this.chanOf(c, px, py);
        return { r: this.weights[single ? 0 : ch].w, clusters: this.clusterWeights.map((cw) => cw[cw.length === 1 ? 0 : ch]) };
      },
    };
  }

  /** Adds a row strip of the tile stack covering tile rows [y0, y0 + stack.height). */
  addRows(stack: TileStack, y0: number): void {
    const job = this.job;
    if (!job) throw new Error('reconstructTile: start() first');
    const n = this.nFrames;
    if (stack.frames !== n || stack.planes !== job.planes || stack.width !== job.width || y0 < 0 || y0 + stack.height > job.height) {
      throw new RangeError('reconstructTile: stack strip does not match the tile job');
    }
    const w = job.width;
    const planeLen = stack.height * w;
    const frameStride = stack.frameStride ?? job.planes * planeLen;
    const offset = stack.offset ?? 0;
    if (this.wasmJob) {
      const out = { R: this.R, mean: this.meanTile, coverage: this.coverage, synth: this.synth, frameUsed: this.frameUsed, samplesIn: 0, samplesKept: 0, clipFallbackPixels: 0 };
      if (tileRowsWasm(this.wasmJob, { data: stack.data, offset, frameStride, planes: job.planes, rows: stack.height }, y0, out)) {
        this.samplesIn += out.samplesIn;
        this.samplesKept += out.samplesKept;
        this.clipFallbackPixels += out.clipFallbackPixels;
        return;
      }
    }
    const data = stack.data;
    const rowBuf = this.rowBuf;
    const vals = this.vals;
    const wts = this.wts;
    const average = this.method === 'average';
    const synthGlobal = this.weighting === 'global';
    const weightsByChannel = this.weights;
    const single = weightsByChannel.length === 1;

    for (let c = 0; c < job.planes; c++) {
      for (let ys = 0; ys < stack.height; ys++) {
        const y = y0 + ys;
        // Transpose the row to [x][frame] so each pixel's samples are contiguous.
        const rowOff = offset + c * planeLen + ys * w;
        for (let f = 0; f < n; f++) {
          const src = rowOff + f * frameStride;
          for (let x = 0; x < w; x++) rowBuf[x * n + f] = data[src + x];
        }
        const outRow = (c * job.height + y) * w;
        for (let x = 0; x < w; x++) {
          const ch = this.chanOf(c, x, y);
          const wv = weightsByChannel[single ? 0 : ch].w;
          const base = x * n;
          let cnt = 0;
          let msum = 0;
          let mcount = 0;
          let cover = 0;
          for (let f = 0; f < n; f++) {
            const v = rowBuf[base + f];
            if (v === v) cover++;
            if (v - v !== 0) continue; // NaN or +-Inf
            msum += v;
            mcount++;
            const wf = wv[f];
            if (wf > 0) {
              vals[cnt] = v;
              wts[cnt] = wf;
              cnt++;
              this.frameUsed[f] = 1;
            }
          }
          let r: number;
          if (cnt === 0) r = Number.NaN;
          else if (average) {
            let sw = 0;
            let swv = 0;
            for (let i = 0; i < cnt; i++) {
              sw += wts[i];
              swv += wts[i] * vals[i];
            }
            r = swv / sw;
          } else {
            r = this.clipper.clip(vals, wts, cnt);
            this.samplesIn += cnt;
            this.samplesKept += this.clipper.lastKept;
            if (this.clipper.lastClipFallback) this.clipFallbackPixels++;
          }
          this.R[outRow + x] = r;
          this.meanTile[outRow + x] = mcount === 0 ? Number.NaN : msum / mcount;
          this.coverage[outRow + x] = cover;

          for (let k = 0; k < this.clusterMembers.length; k++) {
            const members = this.clusterMembers[k];
            const cw = this.clusterWeights[k];
            const wk = cw[cw.length === 1 ? 0 : ch];
            let kc = 0;
            for (let i = 0; i < members.length; i++) {
              const f = members[i];
              const v = rowBuf[base + f];
              const wf = wk[f];
              if (v - v === 0 && wf > 0) {
                vals[kc] = v;
                wts[kc] = wf;
                kc++;
              }
            }
            let s: number;
            if (kc === 0) s = Number.NaN;
            else if (synthGlobal || average) {
              let sw = 0;
              let swv = 0;
              for (let i = 0; i < kc; i++) {
                sw += wts[i];
                swv += wts[i] * vals[i];
              }
              s = swv / sw;
            } else s = this.clipper.clip(vals, wts, kc);
            this.synth[k][outRow + x] = s;
          }
        }
      }
    }
  }

  finish(): TileReconstruction {
    const job = this.job;
    if (!job) throw new Error('reconstructTile: start() first');
    this.job = null;
    let nValid = 0;
    for (let f = 0; f < this.nFrames; f++) nValid += this.frameUsed[f];
    const chanStats = this.channelStats(job);
    // a mono tile's luminance is R itself (R is never -0: its sums start at +0), so bg and m are
    // those of its one channel: the medians are not computed twice
    const lum = this.luminanceStats(job, job.planes === 1 && this.nChannels === 1 ? chanStats[0] : undefined);
    const ws = this.weights;
    const avg = (g: (p: PreparedWeights) => number) => ws.reduce((a, p) => a + g(p), 0) / ws.length;
    return {
      width: job.width,
      height: job.height,
      planes: job.planes,
      R: this.R,
      mean: this.meanTile,
      coverage: this.coverage,
      synthetic: this.synth,
      clusterIds: job.clusters ? [...job.clusters.ids] : [],
      diagnostics: {
        nFrames: this.nFrames,
        nValidFrames: nValid,
        sumWeights: avg((p) => p.sum),
        ess: avg((p) => p.ess),
        fallbackUsed: ws.some((p) => p.fallback),
        clippedShare: this.samplesIn > 0 ? (this.samplesIn - this.samplesKept) / this.samplesIn : 0,
        clipFallbackPixels: this.clipFallbackPixels,
        channels: chanStats,
        bgLuminance: lum.bg,
        mLuminance: lum.m,
        snr: lum.snr,
      },
    };
  }

  private channelStats(job: TileJob): ChannelTileStats[] {
    const { width: w, height: h } = job;
    const out: ChannelTileStats[] = [];
    for (let ch = 0; ch < this.nChannels; ch++) {
      const buf = new Float64Array(job.planes * w * h);
      let n = 0;
      for (let c = 0; c < job.planes; c++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            if (this.chanOf(c, x, y) !== ch && this.nChannels > 1) continue;
            const v = this.R[(c * h + y) * w + x];
            if (Number.isFinite(v)) buf[n++] = v;
          }
        }
      }
      const { bg, m } = bgAndM(buf.subarray(0, n));
      const p = this.weights[this.weights.length === 1 ? 0 : ch];
      out.push({ sumWeights: p.sum, ess: p.ess, fallbackUsed: p.fallback, bg, m });
    }
    return out;
  }

  private luminanceStats(job: TileJob, known?: { bg: number; m: number }): { bg: number; m: number; snr: number } {
    const { width: w, height: h, planes } = job;
    const np = w * h;
    const buf = new Float64Array(np);
    let n = 0;
    for (let i = 0; i < np; i++) {
      let s = 0;
      for (let c = 0; c < planes; c++) s += this.R[c * np + i];
      if (Number.isFinite(s)) buf[n++] = s / planes;
    }
    const y = buf.subarray(0, n);
    const { bg, m } = known ?? bgAndM(y);
    // bgAndM worked on a copy: y can be reordered now
    const p99 = n > 0 ? selectInPlace(y, Math.min(n - 1, Math.round(0.99 * (n - 1)))) : Number.NaN;
    const snr = (p99 - bg) / (MAD_TO_SIGMA * m + 1e-6);
    return { bg, m, snr };
  }
}

/** bg = median, m = median |x - bg| of finite values (scratch copy). */
function bgAndM(values: Float64Array): { bg: number; m: number } {
  if (values.length === 0) return { bg: Number.NaN, m: Number.NaN };
  const a = values.slice();
  const bg = medianInPlace(a);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(values[i] - bg);
  return { bg, m: medianInPlace(a) };
}

/** Reconstructs a tile from its whole stack in one call (see TileReconstructor for row strips). */
export function reconstructTile(
  stack: TileStack,
  job: Omit<TileJob, 'width' | 'height' | 'planes'>,
  cfg: TileReconstructionConfig,
  options: TileReconstructionOptions = {},
): TileReconstruction {
  const r = new TileReconstructor(cfg, stack.frames, options);
  r.start({ ...job, width: stack.width, height: stack.height, planes: stack.planes });
  r.addRows(stack, 0);
  return r.finish();
}

/**
 * Eligible clusters of P9: at least `frames_min` usable frames, the first `frames_max` by cluster id.
 * `labels` holds one cluster id per usable frame.
 */
export function eligibleClusters(labels: ArrayLike<number>, clusterCount: number, framesMin: number, framesMax: number): number[] {
  const counts = new Array<number>(clusterCount).fill(0);
  for (let f = 0; f < labels.length; f++) {
    const k = labels[f];
    if (Number.isInteger(k) && k >= 0 && k < clusterCount) counts[k]++;
  }
  const out: number[] = [];
  for (let k = 0; k < clusterCount && out.length < framesMax; k++) if (counts[k] >= framesMin) out.push(k);
  return out;
}

/**
 * A tile's data (its slot of work/tiles.f32): blocks R_t, the mean tile, the cluster stacks S_k (only when
 * `synthetic`: output.write_synthetic reads them), the tile's P11 combination `stacked` (full
 * mode), then the coverage; each block planes x h x w (the coverage's h x w counts first).
 */
export function packTileBlocks(r: TileReconstruction, keep: { readonly synthetic: boolean; readonly stacked: Float32Array | null }): { file: Float32Array; stackedBlock: number | null } {
  const size = r.R.length;
  const blocks = [r.R, r.mean, ...(keep.synthetic ? r.synthetic : []), ...(keep.stacked ? [keep.stacked] : [])];
  const file = new Float32Array((blocks.length + 1) * size);
  blocks.forEach((b, i) => file.set(b, i * size));
  file.set(r.coverage, blocks.length * size);
  return { file, stackedBlock: keep.stacked ? blocks.length - 1 : null };
}

/** Block b (0 = R, 1 = mean, 2 + k = S_k when kept; see packTileBlocks) of a packed tile file, as a view. */
export function tileBlock(packed: Float32Array, planes: number, width: number, height: number, block: number): Float32Array {
  const size = planes * width * height;
  if ((block + 1) * size > packed.length) throw new RangeError(`tile block ${block} out of range`);
  return packed.subarray(block * size, (block + 1) * size);
}
