import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_RADIX_WASM } from './bg-radix.wasm';

/**
 * The pixel passes of image/radix-median.ts (the key histogram and the collection of the median
 * and MAD-band buckets' values) and of background.ts markObjects through the WebAssembly kernel
 * bg-radix.wat: the same counts, the same values in the same order, the same mask bytes, ~2-3x
 * faster than the JS loops. The pixels are copied into the kernel's memory span by span
 * (SPAN_FLOATS at a time), so the memory is the 4 MB histogram, ~1.3 MB of span and the two
 * output lists (a few % of the pixels), whatever the frame; one instance per process, kept.
 * Every function returns null/false where WebAssembly or SIMD is missing: the caller runs the JS.
 */

/** Runs as in radix-median.ts: quadruples (dataStart, pixelStart, step, count). */
type PixelRuns = Int32Array;

const BUCKETS = 1 << 20;
const RESULTS_AT = BUCKETS * 4;
const SPAN_AT = RESULTS_AT + 64;
const SPAN_FLOATS = 1 << 18;
const MASK_AT = SPAN_AT + 4 * SPAN_FLOATS + 16;
const OUT_AT = MASK_AT + SPAN_FLOATS + 16;

type Fn = (...args: number[]) => void;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  u8: Uint8Array;
  hist: Int32Array;
  /** The pixels withResidentPixels copied whole into the memory (at byte `at`), or null. */
  resident: { readonly data: Float32Array; readonly at: number } | null;
  /** Where collect's output lists start: OUT_AT, or behind the resident pixels. */
  outAt: number;
  readonly count: Fn;
  readonly collect: Fn;
  readonly occupied: Fn;
  readonly mark: Fn;
}

const loadKernel = lazyWasmKernel(BG_RADIX_WASM, (w): Kernel => {
  ensureWasmBytes(w.memory, w.views, OUT_AT);
  return {
    memory: w.memory,
    ...w.views,
    u8: new Uint8Array(w.memory.buffer),
    hist: new Int32Array(w.memory.buffer, 0, BUCKETS),
    resident: null,
    outAt: OUT_AT,
    count: w.exports.count as Fn,
    collect: w.exports.collect as Fn,
    occupied: w.exports.occupied as Fn,
    mark: w.exports.mark as Fn,
  };
});

function grow(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
  if (k.u8.buffer !== k.memory.buffer) {
    k.u8 = new Uint8Array(k.memory.buffer);
    k.hist = new Int32Array(k.memory.buffer, 0, BUCKETS);
  }
}

export function wasmRadixAvailable(): boolean {
  return loadKernel() !== null;
}

/**
 * The largest image withResidentPixels copies whole (8 M values, 32 MB): the kernel's memory never
 * shrinks, so a 24 MP frame's copy would stay allocated in every worker for the rest of the run.
 */
export const RESIDENT_MAX_VALUES = 1 << 23;

/**
 * Runs `fn` with `data` copied once, whole, into the kernel's memory: every pass of fn over these
 * very pixels (countKeysWasm, collectWasm, markObjectsWasm with `data`) reads them there instead of
 * copying them in span by span again. measureBackground makes five passes over a frame (the median
 * and MAD, the object marks, the masked median): the copies were ~1 core-s of the M bench set's
 * ~100. `data` must not change inside fn. Without the kernel, for a larger image, or inside
 * another call of this, fn just runs (the passes copy as before): the same values either way.
 */
export function withResidentPixels<T>(data: Float32Array, fn: () => T): T {
  const k = loadKernel();
  if (k === null || k.resident !== null || data.length > RESIDENT_MAX_VALUES) return fn();
  const at = OUT_AT;
  grow(k, at + 4 * data.length + 16);
  k.f32.set(data, at >> 2);
  k.resident = { data, at };
  k.outAt = at + 4 * data.length + 16;
  try {
    return fn();
  } finally {
    k.resident = null;
    k.outAt = OUT_AT;
  }
}

/**
 * Calls pass(dataAt, maskAt, count, step) for the runs' pixels copied into the kernel's memory at
 * SPAN_AT (and their mask bytes at MASK_AT): consecutive runs that fit the span together (the rows
 * of one CFA colour, 2 or 4 rows apart) share one copy of the block that holds them; a run longer
 * than the span is cut into pieces. maskOut: the mask block is copied back after the passes.
 */
function forEachSpan(
  k: Kernel,
  data: Float32Array,
  runs: PixelRuns,
  mask: Uint8Array | undefined,
  pass: (dataAt: number, maskAt: number, count: number, step: number) => void,
  maskOut = false,
): void {
  // the pixels are there already (withResidentPixels): only their mask bytes are copied in
  const res = k.resident !== null && k.resident.data === data ? k.resident.at : -1;
  let r = 0;
  while (r < runs.length) {
    const step = runs[r + 2];
    const first = runs[r];
    const offset = runs[r + 1] - first;
    const lastOf = (q: number) => runs[q] + (runs[q + 3] - 1) * step + 1;
    if (runs[r + 3] <= 0) {
      r += 4;
      continue;
    }
    if (lastOf(r) - first > SPAN_FLOATS) {
      // a long run: pieces of at most the span
      let i = first;
      let left = runs[r + 3];
      const per = Math.floor((SPAN_FLOATS - 1) / step) + 1;
      while (left > 0) {
        const q = Math.min(left, per);
        const len = (q - 1) * step + 1;
        if (res >= 0) {
          if (mask) k.u8.set(mask.subarray(i + offset, i + offset + len), MASK_AT);
          pass(res + 4 * i, MASK_AT, q, step);
        } else {
          copyIn(k, data, mask, i, i + offset, len);
          pass(SPAN_AT, MASK_AT, q, step);
        }
        if (mask && maskOut) mask.set(k.u8.subarray(MASK_AT, MASK_AT + len), i + offset);
        i += q * step;
        left -= q;
      }
      r += 4;
      continue;
    }
    // the runs after this one that fit the same block (same data-to-pixel offset, in order)
    let end = r + 4;
    while (
      end < runs.length &&
      runs[end + 3] > 0 &&
      runs[end] >= lastOf(end - 4) &&
      runs[end + 1] - runs[end] === offset &&
      lastOf(end) - first <= SPAN_FLOATS
    ) {
      end += 4;
    }
    const len = lastOf(end - 4) - first;
    if (res >= 0) {
      if (mask) k.u8.set(mask.subarray(first + offset, first + offset + len), MASK_AT);
      for (let q = r; q < end; q += 4) pass(res + 4 * runs[q], MASK_AT + (runs[q] - first), runs[q + 3], runs[q + 2]);
    } else {
      copyIn(k, data, mask, first, first + offset, len);
      for (let q = r; q < end; q += 4) pass(SPAN_AT + 4 * (runs[q] - first), MASK_AT + (runs[q] - first), runs[q + 3], runs[q + 2]);
    }
    if (mask && maskOut) mask.set(k.u8.subarray(MASK_AT, MASK_AT + len), first + offset);
    r = end;
  }
}

function copyIn(k: Kernel, data: Float32Array, mask: Uint8Array | undefined, i: number, p: number, len: number): void {
  k.f32.set(data.subarray(i, i + len), SPAN_AT >> 2);
  if (mask) k.u8.set(mask.subarray(p, p + len), MASK_AT);
}

/** The key histogram of the runs' unmasked values (a view of the kernel's memory, valid until the next call here). */
export function countKeysWasm(data: Float32Array, runs: PixelRuns, mask: Uint8Array | undefined): Int32Array | null {
  const k = loadKernel();
  if (k === null) return null;
  k.hist.fill(0);
  const useMask = mask ? 1 : 0;
  forEachSpan(k, data, runs, mask, (at, maskAt, q, step) => k.count(at, maskAt, q, step, useMask));
  return k.hist;
}

/** occupiedBuckets of radix-median.ts when `hist` is the kernel's histogram, else null. */
export function occupiedBucketsWasm(hist: Int32Array, from: number, to: number): { n: number; first: number; last: number } | null {
  const k = loadKernel();
  if (!k || hist !== k.hist) return null;
  k.occupied(from, to);
  return { n: k.i32[(RESULTS_AT >> 2) + 2], first: k.i32[(RESULTS_AT >> 2) + 3], last: k.i32[(RESULTS_AT >> 2) + 4] };
}

/** Key ranges of the collect pass, inclusive; end < start is empty. */
export interface CollectRanges {
  readonly midFirst: number;
  readonly midLast: number;
  readonly upStart: number;
  readonly upEnd: number;
  readonly downStart: number;
  readonly downEnd: number;
}

/**
 * The values of the unmasked pixels whose keys lie in the median range into `medianValues`, the
 * `bandCount` ones in the band ranges into `bandValues`, in pixel order (as in radix-median.ts).
 * false without the kernel.
 */
export function collectWasm(
  data: Float32Array,
  runs: PixelRuns,
  mask: Uint8Array | undefined,
  ranges: CollectRanges,
  medianValues: Float64Array,
  bandValues: Float64Array,
  bandCount: number,
): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const outMid = k.outAt;
  const outBand = outMid + 4 * medianValues.length + 16;
  grow(k, outBand + 4 * bandCount + 16);
  // unsigned compares in the kernel: an empty range must not be (0, -1)
  const range = (s: number, e: number): [number, number] => (e < s ? [1, 0] : [s, e]);
  const [mf, ml] = range(ranges.midFirst, ranges.midLast);
  const [us, ue] = range(ranges.upStart, ranges.upEnd);
  const [ds, de] = range(ranges.downStart, ranges.downEnd);
  k.i32[RESULTS_AT >> 2] = 0;
  k.i32[(RESULTS_AT >> 2) + 1] = 0;
  const useMask = mask ? 1 : 0;
  forEachSpan(k, data, runs, mask, (at, maskAt, q, step) => k.collect(at, maskAt, q, step, useMask, mf, ml, us, ue, ds, de, outMid, outBand));
  const jm = k.i32[RESULTS_AT >> 2];
  const jb = k.i32[(RESULTS_AT >> 2) + 1];
  if (jm !== medianValues.length || jb !== bandCount) {
    // unreachable: the ranges are the histogram's
    throw new RangeError(`collect found ${jm} + ${jb} values, the histogram ${medianValues.length} + ${bandCount}`);
  }
  const f32 = k.f32;
  for (let j = 0, a = outMid >> 2; j < jm; j++) medianValues[j] = f32[a + j];
  for (let j = 0, a = outBand >> 2; j < jb; j++) bandValues[j] = f32[a + j];
  return true;
}

/**
 * markObjects of background.ts: target[p] = 1 for the runs' pixels with |v - med| > limit (float64
 * arithmetic, NaN never), other bytes untouched. false without the kernel.
 */
export function markObjectsWasm(data: Float32Array, runs: PixelRuns, med: number, limit: number, target: Uint8Array): boolean {
  const k = loadKernel();
  if (k === null) return false;
  forEachSpan(k, data, runs, target, (at, maskAt, q, step) => k.mark(at, maskAt, q, step, med, limit), true);
  return true;
}
