import { LANCZOS_LUT, sampleLanczosView, type View } from '../warp-kernels';
import { LANCZOS_ROW_WASM } from './lanczos-row.wasm';
import { ensureWasmBytes, instantiateWasm, type WasmMemory, type WasmViews } from '../../util/wasm';

/**
 * The Lanczos-3 warp rows (METHOD.md P6.2) through the WebAssembly SIMD kernel lanczos-row.wat:
 * the same bytes as lanczosRow / lanczosRowCfa of warp-kernels.ts (float32 arithmetic, 4 lanes),
 * about 3x faster than they are (24 MP mono frame: ~0.6 s against ~2.2 s on one core).
 *
 * The kernel reads source pixels from its own linear memory, so the output is produced in tiles
 * (default 64 rows x 512 columns): the source window a tile's samples touch (bounding box of the
 * tile's corners mapped by M, plus the taps) is copied in, the tile's rows are run, and the rows are
 * copied out. The memory, once grown, is kept for the process: one instance per process (per worker
 * thread), about 40 KB of tables and buffers plus the largest window, ~0.2 MB for a registration
 * affine (~0.7 MB at 45 degrees). Sources outside the frame give NaN in the kernel; other samples
 * it does not compute (near the border, whole-pixel fractions, taps outside the window) come back
 * as a list and go through the JS sampler.
 *
 * Where WebAssembly or SIMD is missing (instantiation throws), every function here returns false
 * and the caller runs the JS kernels, which give the same bytes.
 */

/** Output rows x columns per tile; columns even (a CFA row holds phase pairs). */
export interface WasmTile {
  readonly rows: number;
  readonly cols: number;
}

export const WASM_TILE: WasmTile = { rows: 64, cols: 512 };

/** Tiles whose source window would exceed this (strong minification) leave every sample to JS. */
const MAX_WINDOW_BYTES = 4 << 20;

type KernelFn = (...args: number[]) => number;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly rowMono: KernelFn;
  readonly rowCfa: KernelFn;
}

// Byte layout of the kernel memory: see lanczos-row.wat
const LUT_AT = 64;
const OUT_AT = LUT_AT + Math.ceil((LANCZOS_LUT.length * 4) / 16) * 16;
/** One WebAssembly page: the output row area starts with this much room. */
const PAGE = 65536;

let kernel: Kernel | null | undefined;

function instantiate(): Kernel | null {
  // no WebAssembly or no SIMD: the JS kernels give the same bytes
  const w = instantiateWasm(LANCZOS_ROW_WASM);
  if (!w) return null;
  const k: Kernel = { memory: w.memory, rowMono: w.exports.row_mono as KernelFn, rowCfa: w.exports.row_cfa as KernelFn, ...w.views };
  ensureBytes(k, OUT_AT + PAGE);
  k.f32.set(LANCZOS_LUT, LUT_AT / 4);
  return k;
}

function loadKernel(): Kernel | null {
  if (kernel === undefined) kernel = instantiate();
  return kernel;
}

/** Whether the WebAssembly kernel runs here (instantiated on first call). */
export function wasmLanczosAvailable(): boolean {
  return loadKernel() !== null;
}

function ensureBytes(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
}

interface Layout {
  readonly fb: number;
  readonly win: number;
}

function layout(tile: WasmTile): Layout {
  if (!(Number.isInteger(tile.rows) && tile.rows >= 1 && Number.isInteger(tile.cols) && tile.cols >= 2 && tile.cols % 2 === 0)) {
    throw new RangeError(`lanczos wasm: tile must be >= 1 rows and an even number >= 2 of columns, got ${tile.rows}x${tile.cols}`);
  }
  const align = (n: number): number => Math.ceil(n / 16) * 16;
  const fb = OUT_AT + align(tile.cols * 4 + 8);
  return { fb, win: fb + align(tile.cols * 24) };
}

/** A window of raw plane pixels [x0, x1) x [y0, y1) (row length w) copied to the kernel memory. */
interface Window {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

const NO_WINDOW: Window = { x0: 0, x1: 0, y0: 0, y1: 0 };

/**
 * Copies the raw pixels of a plane (row r at data[base + r*rowLen], w x h) that the source box
 * [xLo, xHi) x [yLo, yHi) covers into the kernel memory at `at`; NO_WINDOW if nothing is covered
 * or the window is too large.
 */
function copyWindow(k: Kernel, data: Float32Array, base: number, rowLen: number, w: number, h: number, box: readonly number[], at: number): Window {
  const x0 = Math.max(0, box[0]);
  const x1 = Math.min(w, box[1]);
  const y0 = Math.max(0, box[2]);
  const y1 = Math.min(h, box[3]);
  // also false for NaN bounds (an affine that overflows)
  if (!(x1 > x0 && y1 > y0)) return NO_WINDOW;
  const ww = x1 - x0;
  const bytes = ww * (y1 - y0) * 4;
  if (bytes > MAX_WINDOW_BYTES) return NO_WINDOW;
  // +16: a strided 16-byte tap load reads up to 12 bytes past its last tap
  ensureBytes(k, at + bytes + 16);
  const f32 = k.f32;
  for (let y = y0, o = at / 4; y < y1; y++, o += ww) {
    const s = base + y * rowLen + x0;
    f32.set(data.subarray(s, s + ww), o);
  }
  return { x0, x1, y0, y1 };
}

/**
 * Bounding box [xLo, xHi, yLo, yHi) of the raw source pixels that output columns [xa, xb) of rows
 * [ya, yb) sample under M, widened by `margin` for the taps and the rounding of the positions.
 */
function sourceBox(M: readonly number[], xa: number, xb: number, ya: number, yb: number, margin: number): number[] {
  const [a, b, tx, c, d, ty] = M;
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  for (const x of [xa, xb - 1]) {
    for (const y of [ya, yb - 1]) {
      const sx = a * x + b * y + tx;
      const sy = c * x + d * y + ty;
      xLo = Math.min(xLo, sx);
      xHi = Math.max(xHi, sx);
      yLo = Math.min(yLo, sy);
      yHi = Math.max(yHi, sy);
    }
  }
  return [Math.floor(xLo) - margin, Math.floor(xHi) + margin + 1, Math.floor(yLo) - margin, Math.floor(yHi) + margin + 1];
}

/** Kernel addressing of a view pixel (i, j) = raw (ox + s*i, oy + s*j) inside a window. */
interface Addressing {
  readonly wb: number;
  readonly ysB: number;
  readonly iLo: number;
  readonly iHi: number;
  readonly jLo: number;
  readonly jHi: number;
}

function addressing(win: Window, at: number, ox: number, oy: number, s: number): Addressing {
  const ww = win.x1 - win.x0;
  const first = (lo: number, o: number): number => Math.ceil((lo - o) / s);
  return {
    // may lie outside the memory; the kernel's wrapping i32 sums land inside for covered pixels
    wb: (at + ((oy - win.y0) * ww + (ox - win.x0)) * 4) | 0,
    ysB: 4 * s * ww,
    iLo: first(win.x0, ox),
    iHi: first(win.x1, ox),
    jLo: first(win.y0, oy),
    jHi: first(win.y1, oy),
  };
}

/**
 * Evaluates the kernel's fallback list (nf records at byte fb) with the JS sampler into the
 * kernel's output row at float index outF + step*index.
 */
function patchFallbacks(k: Kernel, v: View, fb: number, nf: number, outF: number, step: number): void {
  const { f32, f64, i32 } = k;
  for (let i = 0; i < nf; i++) {
    const r = fb + 24 * i;
    f32[outF + step * i32[(r + 16) >> 2]] = sampleLanczosView(v, f64[r >> 3], f64[(r >> 3) + 1]);
  }
}

/**
 * lanczosRow for rows [y0, y1) of the output: row y samples plane view v (xs = 1) from
 * (b*y + tx, d*y + ty) in steps (a, c) into out[o0 + (y - y0)*outW + x], x < outW.
 * Returns false (nothing written) when the WebAssembly kernel is unavailable.
 */
export function lanczosPlaneWasm(v: View, M: readonly number[], out: Float32Array, o0: number, outW: number, y0: number, y1: number, tile: WasmTile = WASM_TILE): boolean {
  const k = loadKernel();
  if (k === null) return false;
  if (v.xs !== 1) throw new RangeError('lanczosPlaneWasm: needs a plain view (xs = 1)');
  const { fb, win: winAt } = layout(tile);
  const [a, b, tx, c, d, ty] = M;
  // positions advance by repeated addition along the whole row, carried across column tiles
  const pos = new Float64Array(2 * tile.rows);
  for (let ya = y0; ya < y1; ya += tile.rows) {
    const yb = Math.min(y1, ya + tile.rows);
    for (let y = ya; y < yb; y++) {
      pos[2 * (y - ya)] = b * y + tx;
      pos[2 * (y - ya) + 1] = d * y + ty;
    }
    for (let xa = 0; xa < outW; xa += tile.cols) {
      const xb = Math.min(outW, xa + tile.cols);
      const win = copyWindow(k, v.data, v.base, v.ys, v.vw, v.vh, sourceBox(M, xa, xb, ya, yb, 4), winAt);
      const m = addressing(win, winAt, 0, 0, 1);
      for (let y = ya; y < yb; y++) {
        const p = 2 * (y - ya);
        const nf = k.rowMono(xb - xa, pos[p], pos[p + 1], a, c, v.vw, v.vh, m.wb, m.ysB, m.iLo, m.iHi, m.jLo, m.jHi, OUT_AT, fb);
        pos[p] = k.f64[0];
        pos[p + 1] = k.f64[1];
        patchFallbacks(k, v, fb, nf, OUT_AT / 4, 1);
        out.set(k.f32.subarray(OUT_AT / 4, OUT_AT / 4 + xb - xa), o0 + (y - y0) * outW + xa);
      }
    }
  }
  return true;
}

/** The CFA phase frame of warp.ts: a 1-plane mosaic w x h, its four phase views, their offsets. */
export interface CfaPhases {
  readonly data: Float32Array;
  readonly w: number;
  readonly h: number;
  /** views[(oy << 1) | ox]: the phase of raw pixels (ox + 2i, oy + 2j) */
  readonly views: readonly View[];
  readonly cx: readonly number[];
  readonly cy: readonly number[];
}

/**
 * lanczosRowCfa for rows [y0, y1) of a CFA output: pixel (2u + ox, y) of phase (ox, y & 1) samples
 * its phase view at (a*u + b*v + cx, c*u + d*v + cy), v = y >> 1, into out[(y - y0)*outW + x].
 * Returns false (nothing written) when the WebAssembly kernel is unavailable.
 */
export function lanczosCfaWasm(ph: CfaPhases, M: readonly number[], out: Float32Array, outW: number, y0: number, y1: number, tile: WasmTile = WASM_TILE): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const { fb, win: winAt } = layout(tile);
  const [a, b, , c, d] = M;
  for (let ya = y0; ya < y1; ya += tile.rows) {
    const yb = Math.min(y1, ya + tile.rows);
    for (let xa = 0; xa < outW; xa += tile.cols) {
      const xb = Math.min(outW, xa + tile.cols);
      // raw source position of output pixel q is M*q for every phase; taps reach 6 raw pixels
      const win = copyWindow(k, ph.data, 0, ph.w, ph.w, ph.h, sourceBox(M, xa, xb, ya, yb, 8), winAt);
      const maps = [0, 1, 2, 3].map((i) => addressing(win, winAt, i & 1, i >> 1, 2));
      for (let y = ya; y < yb; y++) {
        const oy = y & 1;
        const v = y >> 1;
        for (let ox = 0; ox < 2; ox++) {
          const i = (oy << 1) | ox;
          const view = ph.views[i];
          const m = maps[i];
          const n = ((xb - ox + 1) >> 1) - (xa >> 1);
          const outAt = OUT_AT + 4 * ox;
          const nf = k.rowCfa(n, xa >> 1, a, b * v, ph.cx[i], c, d * v, ph.cy[i], view.vw, view.vh, m.wb, m.ysB, m.iLo, m.iHi, m.jLo, m.jHi, outAt, fb);
          patchFallbacks(k, view, fb, nf, outAt / 4, 2);
        }
        out.set(k.f32.subarray(OUT_AT / 4, OUT_AT / 4 + xb - xa), (y - y0) * outW + xa);
      }
    }
  }
  return true;
}
