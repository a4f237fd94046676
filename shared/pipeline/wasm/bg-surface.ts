import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_SURFACE_WASM } from './bg-surface.wasm';

/**
 * Per-tile sums of a colour's local background surface (local-background.ts meanOffsetsOverBoxes),
 * and its subtraction from the canvas (subtractSurface), through the WebAssembly kernel
 * bg-surface.wat. The sums: four tiles of the same size per pass, each summed
 * in its own pixel order with the JS operations, so every sum is the JS sum (a 2048 x 1536 canvas,
 * ~600 tiles: ~17 ms of JS against ~5 ms). The surface (cell-row interpolants and row stencils,
 * ~0.2 MB for a 2048-px canvas) is copied in once per call; one instance per process, kept.
 * false where WebAssembly is missing: the caller sums in JS.
 */
export interface SurfaceRows {
  readonly width: number;
  readonly height: number;
  /** Per canvas row: lower and upper cell row and the weight of the upper one. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly t: Float64Array;
  /** Per cell row: its interpolant along x (width values). */
  readonly cellRows: readonly Float64Array[];
}

/** A box inside the surface, w, h >= 1. */
export interface SurfaceBox {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
}

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly sum4: (...args: number[]) => void;
  readonly subtractBand: (...args: number[]) => void;
}

const loadKernel = lazyWasmKernel(BG_SURFACE_WASM, (w): Kernel => ({ memory: w.memory, sum4: w.exports.sum4 as Kernel['sum4'], subtractBand: w.exports.subtract_band as Kernel['subtractBand'], ...w.views }));

export function wasmSurfaceAvailable(): boolean {
  return loadKernel() !== null;
}

/** Copies the surface into the kernel (room for `extraBytes` after it); the byte address after it. */
function loadSurface(k: Kernel, surface: SurfaceRows, extraBytes: number): { rowsAt: number; end: number } {
  const { width, height, cellRows } = surface;
  const rowsAt = 64 + 16 * height;
  const end = Math.ceil((rowsAt + 8 * width * cellRows.length) / 16) * 16;
  ensureWasmBytes(k.memory, k, end + extraBytes);
  k.i32.set(surface.lo, 16);
  k.i32.set(surface.hi, 16 + height);
  k.f64.set(surface.t, (64 + 8 * height) >> 3);
  cellRows.forEach((row, r) => k.f64.set(row, (rowsAt >> 3) + r * width));
  return { rowsAt, end };
}

/** sums[i] = the JS sum of the surface over boxes[i]; false without the kernel. */
export function surfaceSumsWasm(surface: SurfaceRows, boxes: readonly SurfaceBox[], sums: Float64Array): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const { width, height } = surface;
  const { rowsAt } = loadSurface(k, surface, 0);
  let i = 0;
  while (i < boxes.length) {
    const first = boxes[i];
    // up to four consecutive boxes of this size; missing ones repeat the first (results unused)
    let n = 1;
    while (n < 4 && i + n < boxes.length && boxes[i + n].w === first.w && boxes[i + n].h === first.h) n++;
    const b = (j: number) => boxes[i + (j < n ? j : 0)];
    k.sum4(width, height, rowsAt, first.w, first.h, b(0).x0, b(0).y0, b(1).x0, b(1).y0, b(2).x0, b(2).y0, b(3).x0, b(3).y0);
    for (let j = 0; j < n; j++) sums[i + j] = k.f64[j];
    i += n;
  }
  return true;
}

/**
 * Where one colour's pixels are in a canvas row of each parity (y & 1): the first x and the step;
 * x0 < 0 where the row holds none of them (OSC).
 */
export interface ColourColumns {
  readonly even: { readonly x0: number; readonly step: number };
  readonly odd: { readonly x0: number; readonly step: number };
}

/** Canvas rows copied into the kernel per call: bounds its memory (~1 MB) whatever the canvas. */
const BAND_BYTES = 1 << 20;

/**
 * data[planeBase + y*width + x] -= D(x, y) over the colour's pixels (local-background.ts
 * subtractSurface), the same float32 values; ~3x faster than the JS loop on a 2048 x 1536 canvas.
 * The rows go through the kernel in bands. false without the kernel: the caller subtracts in JS.
 */
export function subtractSurfaceWasm(data: Float32Array, planeBase: number, surface: SurfaceRows, columns: ColourColumns): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const { width, height } = surface;
  const bandRows = Math.max(1, Math.min(height, Math.floor(BAND_BYTES / (4 * width))));
  const { rowsAt, end: bandAt } = loadSurface(k, surface, 4 * width * bandRows);
  const { even, odd } = columns;
  for (let y0 = 0; y0 < height; y0 += bandRows) {
    const n = Math.min(bandRows, height - y0);
    const from = planeBase + y0 * width;
    k.f32.set(data.subarray(from, from + n * width), bandAt >> 2);
    k.subtractBand(bandAt, width, height, rowsAt, y0, n, even.x0, even.step, odd.x0, odd.step);
    data.set(k.f32.subarray(bandAt >> 2, (bandAt >> 2) + n * width), from);
  }
  return true;
}
