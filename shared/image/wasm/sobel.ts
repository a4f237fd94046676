import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { SOBEL_WASM } from './sobel.wasm';

/**
 * The interior of filters.ts sobelMagnitudeSq (|grad|^2 of the P2.4 structure metric on the 3x3
 * median of the proxy) through the WebAssembly SIMD kernel sobel.wat: the JS interior loop's
 * float64 operations in the same order, two pixels per step, so the same float32 values (NaN where
 * the JS gives NaN; a NaN's sign and payload are not kept, and nothing reads them). 0.8 MP proxy:
 * ~9 ms of JS against ~2 ms with the copies. The plane goes through the kernel's memory in bands of
 * BAND_ROWS rows plus the rows above and below (~0.5 MB per 1000 columns, kept for the process).
 * false where WebAssembly or SIMD is missing: the caller runs the JS.
 */
const BAND_ROWS = 64;
const BAND_AT = 64;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly sobelBand: (w: number, n: number, band: number, out: number) => void;
}

const loadKernel = lazyWasmKernel(SOBEL_WASM, (w): Kernel => ({ memory: w.memory, sobelBand: w.exports.sobel_band as Kernel['sobelBand'], ...w.views }));

/**
 * Writes |grad|^2 of rows 1 .. h - 2, columns 1 .. w - 2 of the plane into res (row-major w x h);
 * the edge rows and columns are left to the caller. w, h >= 3. false without the kernel.
 */
export function sobelInteriorWasm(plane: Float32Array, w: number, h: number, res: Float32Array): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const outAt = BAND_AT + 4 * (BAND_ROWS + 2) * w;
  ensureWasmBytes(k.memory, k, outAt + 4 * BAND_ROWS * w);
  for (let y0 = 1; y0 < h - 1; y0 += BAND_ROWS) {
    const n = Math.min(BAND_ROWS, h - 1 - y0);
    k.f32.set(plane.subarray((y0 - 1) * w, (y0 + n + 1) * w), BAND_AT >> 2);
    k.sobelBand(w, n, BAND_AT, outAt);
    for (let r = 0; r < n; r++) {
      const from = (outAt >> 2) + r * w;
      res.set(k.f32.subarray(from + 1, from + w - 1), (y0 + r) * w + 1);
    }
  }
  return true;
}
