import { reflect101 } from '../filters';
import { align16, ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { TILE_STATS_WASM } from './tile-stats.wasm';

/**
 * The arithmetic of the P6.5 local metrics of one tile (METHOD.md) through the WebAssembly SIMD
 * kernel tile-stats.wat: box residual, Sobel |grad|^2, background split, local peaks and the exact
 * medians, on buffers in the kernel's memory. The same values as the JS definitions (filters.ts
 * boxResidual and sobelMagnitudeSq, stats.ts medianOfFinite and medianDeviationOfFinite,
 * local-metrics.ts detectLocalStars' scan). The medians are stats.ts's sampled-bracket selection,
 * each gather pass packing the keys inside the bracket by a 16-byte shuffle per 2 or 4 keys
 * instead of a store per key; a bracket may also come from a similar earlier median (a hint).
 *
 * A median is exact whatever sample, hint or order the selection meets (they decide only how much
 * is gathered), so its value is the JS one; the single exception is the sign of a zero median
 * when the keys hold both -0 and +0, which neither implementation defines. Invalid values of R and
 * of the gradient are NaN as in JS, their sign and payload may differ (nothing reads them but the
 * medians, which skip them).
 *
 * One instance per process (per worker thread); the memory, once grown, is kept: ~76 bytes per
 * tile pixel plus a band of frame rows (4 * frame width * tile height bytes); 110 px tiles of a
 * 2048 px wide frame ~1.9 MB. Where WebAssembly or SIMD is missing, tileStatsKernel() is null and
 * the caller runs the JS definitions.
 */

type Fn = (...args: number[]) => number;

interface Exports {
  readonly countTile: Fn;
  readonly boxResidual: Fn;
  readonly boxResidualNan: Fn;
  readonly localPeaks: Fn;
  readonly sobel: Fn;
  readonly gatherKeys: Fn;
  readonly gatherF64: Fn;
  readonly gatherValues: Fn;
  readonly copyTile: Fn;
  readonly selectRadix: Fn;
  readonly maxBelow: Fn;
  readonly splitBackground: Fn;
  readonly below: { value: number };
  readonly large: { value: number };
}

/** Below this many keys the keys are selected from without a sampled bracket (stats.ts SAMPLED_SELECT_MIN_N). */
const SAMPLED_SELECT_MIN_N = 512;
const SAMPLE_MAX = 8192;
/** The byte after the shuffle tables of tile-stats.wat. */
const TABLES_END = 320;
/** Packing stores write whole vectors: every packed area gets this many bytes of slack. */
const SLACK = 16;

/** A buffer of the kernel: its byte address; its float32 view is renewed by `fit`. */
export type TileArea = 'tile' | 'r' | 'grad' | 'bgY' | 'bgR';

/**
 * The kernel with its buffers laid out for one tile size. Areas: tile (the tile's Y), r (box
 * residual), grad (|grad R|^2), bgY/bgR (background pairs), all float32; then the box filter's row
 * and column sums and counts, the peak list, the reflected indices, the sample, the f64 gather
 * buffers (A: a median's keys, B/C: its narrowing, Keep: the tile median's keys), the float32
 * packing buffer, and last the band of frame rows the tiles are cut from.
 */
export class TileStatsKernel {
  private readonly x: Exports;
  private readonly memory: WasmMemory;
  private readonly views: WasmViews;
  private w = -1;
  private h = -1;
  private k = -1;
  private at = { tile: 0, r: 0, grad: 0, bgY: 0, bgR: 0 };
  private hsum = 0;
  private hcnt = 0;
  private col = 0;
  private ccnt = 0;
  private peaks = 0;
  private xidx = 0;
  private yidx = 0;
  private sample = 0;
  private gatherA = 0;
  private gatherB = 0;
  private gatherC = 0;
  private gatherKeep = 0;
  private gatherTmp = 0;
  private radix = 0;
  private hist = 0;
  private layoutEnd = 0;
  /** The rows of the frame in the band area: whose (an owner token), which, how wide. */
  private band: { owner: object | null; y0: number; h: number; width: number } = { owner: null, y0: 0, h: 0, width: 0 };
  /** The first gather of the last median: its bracket, and the keys below / inside it. */
  private first = { lo: Number.NaN, hi: Number.NaN, below: 0, inside: 0 };
  /** The first gather of the tile's median, kept in gatherKeep for medianOfTilePrefix (null: none). */
  private kept: { below: number; inside: number } | null = null;
  /** float32 views of the areas (valid until the next fit) */
  tile: Float32Array<ArrayBufferLike> = new Float32Array(0);
  r: Float32Array<ArrayBufferLike> = new Float32Array(0);
  grad: Float32Array<ArrayBufferLike> = new Float32Array(0);
  bgY: Float32Array<ArrayBufferLike> = new Float32Array(0);
  bgR: Float32Array<ArrayBufferLike> = new Float32Array(0);

  constructor(exports: Exports, memory: WasmMemory, views: WasmViews) {
    this.x = exports;
    this.memory = memory;
    this.views = views;
  }

  /** Lays the buffers out for w x h tiles and a k x k box (grows the memory if needed). */
  fit(w: number, h: number, k: number): this {
    if (w === this.w && h === this.h && k === this.k && this.tile.buffer === this.memory.buffer) return this;
    const n = w * h;
    const f32Bytes = align16(4 * n + SLACK);
    let p = TABLES_END;
    const take = (bytes: number): number => {
      const a = p;
      p += align16(bytes);
      return a;
    };
    this.at = { tile: take(f32Bytes), r: take(f32Bytes), grad: take(f32Bytes), bgY: take(f32Bytes), bgR: take(f32Bytes) };
    this.hsum = take(8 * n);
    this.hcnt = take(8 * n);
    this.col = take(8 * w + SLACK);
    this.ccnt = take(8 * w);
    this.peaks = take(4 * n);
    this.xidx = take(4 * (w + k - 1));
    this.yidx = take(4 * (h + k - 1));
    this.sample = take(8 * SAMPLE_MAX);
    this.gatherA = take(8 * n + SLACK);
    this.gatherB = take(8 * n + SLACK);
    this.gatherC = take(8 * n + SLACK);
    this.gatherKeep = take(8 * n + SLACK);
    this.gatherTmp = take(4 * n + SLACK);
    this.radix = take(8 * Math.max(n, SAMPLE_MAX) + SLACK);
    this.hist = take(4 * 256);
    this.layoutEnd = p;
    this.band = { owner: null, y0: 0, h: 0, width: 0 };
    ensureWasmBytes(this.memory, this.views, p);
    const { f32, i32 } = this.views;
    for (let i = 0; i < w + k - 1; i++) i32[this.xidx / 4 + i] = reflect101(i - ((k - 1) >> 1), w);
    for (let i = 0; i < h + k - 1; i++) i32[this.yidx / 4 + i] = reflect101(i - ((k - 1) >> 1), h);
    this.tile = f32.subarray(this.at.tile / 4, this.at.tile / 4 + n);
    this.r = f32.subarray(this.at.r / 4, this.at.r / 4 + n);
    this.grad = f32.subarray(this.at.grad / 4, this.at.grad / 4 + n);
    this.bgY = f32.subarray(this.at.bgY / 4, this.at.bgY / 4 + n);
    this.bgR = f32.subarray(this.at.bgR / 4, this.at.bgR / 4 + n);
    this.w = w;
    this.h = h;
    this.k = k;
    return this;
  }

  /**
   * Fills the tile area with the box (x0, y0, w, h) of the fitted size from a width-wide plane,
   * through a band of its rows y0..y0+h-1 copied in whole (one copy serves a row of tiles).
   * `owner` scopes the band: a new owner (a new measuring pass) always copies it again.
   */
  loadTile(owner: object, data: Float32Array, width: number, x0: number, y0: number): void {
    const b = this.band;
    if (b.owner !== owner || b.y0 !== y0 || b.h !== this.h || b.width !== width) {
      ensureWasmBytes(this.memory, this.views, this.layoutEnd + 4 * width * this.h);
      // if growing replaced the buffer, fit renews the area views (else it does nothing)
      this.fit(this.w, this.h, this.k);
      this.views.f32.set(data.subarray(y0 * width, (y0 + this.h) * width), this.layoutEnd / 4);
      this.band = { owner, y0, h: this.h, width };
    }
    this.x.copyTile(this.layoutEnd, width, x0, this.w, this.h, this.at.tile);
  }

  /** Valid (finite) pixels of the tile area, and those with |v| > 1e17. */
  countTile(): { valid: number; large: number } {
    const valid = this.x.countTile(this.at.tile, this.w * this.h);
    return { valid, large: this.x.large.value };
  }

  /** r = boxResidual(tile) (filters.ts); `finite`: the tile holds no invalid pixel (a faster pass). */
  boxResidual(finite: boolean): void {
    if (finite) this.x.boxResidual(this.at.tile, this.w, this.h, this.k, this.at.r, this.hsum, this.col, this.xidx, this.yidx);
    else this.x.boxResidualNan(this.at.tile, this.w, this.h, this.k, this.at.r, this.hsum, this.hcnt, this.col, this.ccnt, this.xidx, this.yidx);
  }

  /**
   * The interior pixels of r above `threshold` and strictly above their 8 neighbours, as indices
   * y*w + x in row-major order (local-metrics.ts detectLocalStars' candidates); a view valid
   * until the next call.
   */
  localPeaks(threshold: number): Int32Array {
    const count = this.x.localPeaks(this.at.r, this.w, this.h, threshold, this.peaks);
    return this.views.i32.subarray(this.peaks / 4, this.peaks / 4 + count);
  }

  /** grad = sobelMagnitudeSq(r) for w, h >= 3 (filters.ts; NaN where the window is not all finite). */
  sobel(): void {
    this.x.sobel(this.at.r, this.w, this.h, this.at.grad);
  }

  /** Packs the pairs (tile, r) with tile <= limit into bgY, bgR in order; returns their count. */
  splitBackground(limit: number): number {
    return this.x.splitBackground(this.at.tile, this.at.r, this.w * this.h, limit, this.at.bgY, this.at.bgR);
  }

  /**
   * medianOfFinite(area, n, allFinite) of stats.ts. For the 'tile' area the gathered keys are kept
   * for medianOfTilePrefix. `hint`: a bracket to try before sampling one (see lastBracket).
   */
  median(area: TileArea, n: number, allFinite: boolean, hint?: Bracket): number {
    const keep = area === 'tile';
    const value = this.middle(area, n, false, 0, allFinite, keep ? this.gatherKeep : this.gatherA, hint);
    if (keep) this.kept = { below: this.first.below, inside: this.first.inside };
    return value;
  }

  /** medianDeviationOfFinite(area, center, n, allFinite) of stats.ts; `hint` as for median. */
  medianDeviation(area: TileArea, center: number, n: number, allFinite: boolean, hint?: Bracket): number {
    return this.middle(area, n, true, center, allFinite, this.gatherA, hint);
  }

  /**
   * The bracket the last median's keys were gathered in: a good first try for the median of a
   * similar set (the background R after all R). Not a bracket (NaN) when all finite keys were.
   */
  lastBracket(): Bracket {
    return { lo: this.first.lo, hi: this.first.hi };
  }

  /**
   * The median of the m smallest keys of the last 'tile' median of an all-finite tile (the
   * background Y: every tile value <= the limit), from the keys that median gathered when its
   * ranks lie among them; else null. The values of the m smallest are the tile's order statistics.
   */
  medianOfTilePrefix(m: number): number | null {
    const kept = this.kept;
    if (!kept || m < 1) return null;
    const even = m % 2 === 0;
    const r = (m >>> 1) - kept.below;
    if (r < (even ? 1 : 0) || r >= kept.inside) return null;
    return this.centres(this.gatherKeep, kept.inside, r, even);
  }

  /**
   * The median of the keys of area[0..n) (key = v, or |v - center| when `deviation`): stats.ts
   * selectMiddle, gathering into `dst`. Few keys: the finite keys are gathered (bracket [-max,
   * max]) and selected from. Else a bracket (the hint, or one from a sample of finite keys) is
   * gathered in one pass; a bracket that missed a centre falls back to a sampled one, then to all
   * finite keys. The keys below a bracket are counted among the finite keys only.
   */
  private middle(area: TileArea, n: number, deviation: boolean, center: number, allFinite: boolean, dst: number, hint?: Bracket): number {
    const src = this.at[area];
    const dev = deviation ? 1 : 0;
    if (n < SAMPLED_SELECT_MIN_N || !(center - center === 0)) return this.middleOfFinite(src, n, dev, center, dst);
    // the median is over the finite keys (a key is finite where the value is)
    const count = allFinite ? n : this.x.countTile(src, n);
    if (count < SAMPLED_SELECT_MIN_N) return this.middleOfFinite(src, n, dev, center, dst);
    const even = count % 2 === 0;
    if (hint && hint.lo <= hint.hi) {
      const v = this.tryBracket(src, n, count, dev, center, dst, hint.lo, hint.hi, even);
      if (v !== null) return v;
    }
    const view = this.views.f32;
    const base = src / 4;
    const sample = this.views.f64;
    const s0 = this.sample / 8;
    const want = Math.min(SAMPLE_MAX, Math.max(64, Math.floor(4 * Math.sqrt(count))));
    const step = Math.max(1, Math.floor(n / want));
    let m = 0;
    for (let i = step >> 1; i < n && m < want; i += step) {
      const v = view[base + i];
      // invalid values are not sampled (only the speed depends on which keys are)
      if (v - v === 0) sample[s0 + m++] = deviation ? Math.abs(v - center) : v;
    }
    if (m === 0) return this.middleOfFinite(src, n, dev, center, dst);
    const { lo, hi } = this.bracket(this.sample, m, 0.5);
    return this.tryBracket(src, n, count, dev, center, dst, lo, hi, even) ?? this.middleOfFinite(src, n, dev, center, dst);
  }

  /** The median of `count` finite keys from those gathered in [lo, hi], or null when they do not hold its centres. */
  private tryBracket(src: number, n: number, count: number, dev: number, center: number, dst: number, lo: number, hi: number, even: boolean): number | null {
    // plain keys in a bracket of float32 values (sampled keys) are compared and packed as float32
    const inside =
      dev === 0 && Math.fround(lo) === lo && Math.fround(hi) === hi
        ? this.x.gatherValues(src, n, lo, hi, this.gatherTmp, dst)
        : this.x.gatherKeys(src, n, dev, center, lo, hi, dst);
    const below = this.x.below.value;
    this.first = { lo, hi, below, inside };
    const r = (count >>> 1) - below;
    if (r < (even ? 1 : 0) || r >= inside) return null;
    return this.centres(dst, inside, r, even);
  }

  private middleOfFinite(src: number, n: number, dev: number, center: number, dst: number): number {
    const m = this.x.gatherKeys(src, n, dev, center, -Number.MAX_VALUE, Number.MAX_VALUE, dst);
    this.first = { lo: Number.NaN, hi: Number.NaN, below: 0, inside: m };
    return m === 0 ? Number.NaN : this.centres(dst, m, m >>> 1, m % 2 === 0);
  }

  /** [lo, hi] of the m keys at byte `keys` around rank q*m, +-3 sigma of the sample rank (stats.ts sampleBracket). */
  private bracket(keys: number, m: number, q: number): Bracket {
    const g = 3 * Math.sqrt(m * q * (1 - q)) + 2;
    const rLo = Math.max(0, Math.floor(q * m - g));
    const rHi = Math.min(m - 1, Math.ceil(q * m + g));
    return { lo: this.select(keys, m, rLo), hi: this.select(keys, m, rHi) };
  }

  /**
   * The median from the n finite keys at byte `src` whose rank r (and r - 1 when `even`) are the
   * centres (stats.ts selectCentres): narrowed by sampled brackets while many, between buffers B
   * and C (src is only reordered, never overwritten), then selected.
   */
  private centres(src: number, n: number, r: number, even: boolean): number {
    let cur = src;
    const keys = this.views.f64;
    const sample = this.views.f64;
    const s0 = this.sample / 8;
    while (n >= SAMPLED_SELECT_MIN_N) {
      const want = Math.min(SAMPLE_MAX, Math.max(64, Math.floor(4 * Math.sqrt(n))));
      const step = Math.max(1, Math.floor(n / want));
      const base = cur / 8;
      let m = 0;
      for (let i = step >> 1; i < n && m < want; i += step) sample[s0 + m++] = keys[base + i];
      // centre the bracket between the two wanted ranks
      const { lo, hi } = this.bracket(this.sample, m, (r + (even ? 0 : 0.5)) / n);
      const other = cur === this.gatherB ? this.gatherC : this.gatherB;
      const inside = this.x.gatherF64(cur, n, lo, hi, other);
      const rNext = r - this.x.below.value;
      // keep the larger set when the bracket missed a centre (or did not narrow at all)
      if (rNext < (even ? 1 : 0) || rNext >= inside || inside === n) break;
      cur = other;
      n = inside;
      r = rNext;
    }
    const upper = this.select(cur, n, r);
    if (!even) return upper;
    // the lower centre (rank r - 1): the largest key below the upper one, or the upper one itself
    // when it also holds rank r - 1
    const largestBelow = this.x.maxBelow(cur, n, upper);
    return 0.5 * ((this.x.below.value === r ? largestBelow : upper) + upper);
  }

  /** Rank r of the n f64 keys at byte `keys` (read, not reordered): the kernel's radix select. */
  private select(keys: number, n: number, r: number): number {
    return this.x.selectRadix(keys, n, r, this.radix, this.hist);
  }
}

/** A value bracket [lo, hi] of a median's first gather. */
export interface Bracket {
  readonly lo: number;
  readonly hi: number;
}

/** The process's kernel (instantiated on first call); null where WebAssembly SIMD is missing. */
export const tileStatsKernel = lazyWasmKernel(
  TILE_STATS_WASM,
  (w) =>
    new TileStatsKernel(
      {
        countTile: w.exports.count_tile as Fn,
        boxResidual: w.exports.box_residual as Fn,
        boxResidualNan: w.exports.box_residual_nan as Fn,
        localPeaks: w.exports.local_peaks as Fn,
        sobel: w.exports.sobel as Fn,
        gatherKeys: w.exports.gather_keys as Fn,
        gatherF64: w.exports.gather_f64 as Fn,
        gatherValues: w.exports.gather_values as Fn,
        copyTile: w.exports.copy_tile as Fn,
        selectRadix: w.exports.select_radix as Fn,
        maxBelow: w.exports.max_below as Fn,
        splitBackground: w.exports.split_background as Fn,
        below: w.exports.below as { value: number },
        large: w.exports.large as { value: number },
      },
      w.memory,
      w.views,
    ),
);
