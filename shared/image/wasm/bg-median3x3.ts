import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_MEDIAN3X3_WASM } from './bg-median3x3.wasm';

/**
 * The 3x3 median of P2.4 (P' of the proxy) through the WebAssembly SIMD kernel bg-median3x3.wat:
 * the sorted-column network of rank-filters.ts, 4 columns per step (0.8 MP proxy: ~25 ms of JS
 * against ~2 ms). The plane goes through the kernel's memory in bands of BAND_ROWS rows (plus the
 * row above and below), so the memory stays small (~0.3 MB per 1000 columns) whatever the frame;
 * one instance per process, kept.
 *
 * The kernel's outputs are the JS arithmetic path's (exact values, zeros +0), which the JS takes
 * when the plane's finite non-zero magnitudes span less than 2^28; the kernel reports that span and
 * the caller keeps the result only then. null where WebAssembly or SIMD is missing: the caller runs
 * the JS.
 */
export interface Median3x3Result {
  readonly out: Float32Array;
  /** Smallest finite non-zero |v| of the plane (Infinity if none) and the largest finite |v| (0 if none). */
  readonly smallest: number;
  readonly largest: number;
}

const BAND_ROWS = 64;
const COLS_AT = 64;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly medianBand: (w: number, n: number, band: number, cols: number, out: number) => void;
}

const loadKernel = lazyWasmKernel(BG_MEDIAN3X3_WASM, (w): Kernel => ({ memory: w.memory, medianBand: w.exports.median_band as Kernel['medianBand'], ...w.views }));

export function wasmMedian3x3Available(): boolean {
  return loadKernel() !== null;
}

export function median3x3Wasm(plane: Float32Array, w: number, h: number): Median3x3Result | null {
  const k = loadKernel();
  if (k === null) return null;
  const out = new Float32Array(w * h);
  if (w === 0 || h === 0) return { out, smallest: Infinity, largest: 0 };
  const bandAt = COLS_AT + 16 * (w + 8);
  const bandFloats = (BAND_ROWS + 2) * w + 4;
  const outAt = bandAt + 4 * bandFloats;
  ensureWasmBytes(k.memory, k, outAt + 4 * (BAND_ROWS * w + 4));
  k.f32[0] = Infinity;
  k.f32[1] = 0;
  for (let y0 = 0; y0 < h; y0 += BAND_ROWS) {
    const n = Math.min(BAND_ROWS, h - y0);
    const b = bandAt >> 2;
    // row above (replicated at the top edge), the band's rows, row below (replicated at the bottom)
    k.f32.set(plane.subarray(Math.max(y0 - 1, 0) * w, Math.max(y0 - 1, 0) * w + w), b);
    k.f32.set(plane.subarray(y0 * w, (y0 + n) * w), b + w);
    const below = Math.min(y0 + n, h - 1) * w;
    k.f32.set(plane.subarray(below, below + w), b + (n + 1) * w);
    k.f32.fill(0, b + (n + 2) * w, b + (n + 2) * w + 4);
    k.medianBand(w, n, bandAt, COLS_AT, outAt);
    out.set(k.f32.subarray(outAt >> 2, (outAt >> 2) + n * w), y0 * w);
  }
  return { out, smallest: k.f32[0], largest: k.f32[1] };
}
