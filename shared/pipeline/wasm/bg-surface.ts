import { ensureWasmBytes, instantiateWasm, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_SURFACE_WASM } from './bg-surface.wasm';

/**
 * Per-tile sums of a colour's local background surface (local-background.ts meanOffsetsOverBoxes)
 * through the WebAssembly kernel bg-surface.wat: four tiles of the same size per pass, each summed
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
}

let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel === undefined) {
    const w = instantiateWasm(BG_SURFACE_WASM);
    kernel = w ? { memory: w.memory, sum4: w.exports.sum4 as Kernel['sum4'], ...w.views } : null;
  }
  return kernel;
}

export function wasmSurfaceAvailable(): boolean {
  return loadKernel() !== null;
}

/** sums[i] = the JS sum of the surface over boxes[i]; false without the kernel. */
export function surfaceSumsWasm(surface: SurfaceRows, boxes: readonly SurfaceBox[], sums: Float64Array): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const { width, height, cellRows } = surface;
  const rowsAt = 64 + 16 * height;
  ensureWasmBytes(k.memory, k, rowsAt + 8 * width * cellRows.length);
  k.i32.set(surface.lo, 16);
  k.i32.set(surface.hi, 16 + height);
  k.f64.set(surface.t, (64 + 8 * height) >> 3);
  cellRows.forEach((row, r) => k.f64.set(row, (rowsAt >> 3) + r * width));
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
