import { LANCZOS_LUT, sampleLanczosView, type View } from '../warp-kernels';
import { LANCZOS_ROW_WASM } from './lanczos-row.wasm';
import { clampEdge, clampEdgeCfa, clipWindow, MAX_SPAN_SAMPLES, phaseAddressing, planeAddressing, rowInterior, sourceBox, type Addressing, type Window } from './lanczos-tiles';
import { align16, ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';

/**
 * The Lanczos-3 warp rows (METHOD.md P6.2) through the WebAssembly SIMD kernel lanczos-row.wat:
 * the same bytes as lanczosRow / lanczosRowCfa of warp-kernels.ts (float32 arithmetic, 4 lanes),
 * about 5x faster than they are (24 MP mono frame: ~0.45 s against ~2.2 s on one core).
 *
 * The kernel reads source pixels from its own linear memory, so the output is produced in tiles
 * (default 64 rows x 512 columns), one kernel call each: the source window a tile's samples touch
 * (bounding box of the tile's corners mapped by M, plus the taps; for a CFA mosaic split into its
 * four phases) is copied in, a record per row tells where the row starts and which of its samples
 * are interior (lanczos-tiles.ts: no border checks needed), and the tile's rows are copied out.
 * The memory, once grown, is kept for the process: one instance per process (per worker thread),
 * about 1 MB of tables, outputs and fallback list plus the largest window (twice for CFA), ~0.2 MB
 * for a registration affine (~0.7 MB at 45 degrees). Sources outside the frame give NaN in the
 * kernel; other samples it does not compute (near the border, both fractions whole, taps outside
 * the window) come back as a list and go through the JS sampler.
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

/** Counts a caller may pass in to see how the samples went (tests, benchmarks). */
export interface WasmWarpStats {
  /** samples the kernel left to the JS sampler */
  fallbacks: number;
}

/** Tiles whose source window would exceed this (strong minification) leave every sample to JS. */
const MAX_WINDOW_BYTES = 4 << 20;
/** Largest term of a CFA position for which the kernel may skip border checks (lanczos-tiles.ts). */
const MAX_CFA_TERM = 2 ** 32;

type KernelFn = (...args: number[]) => number;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly tileMono: KernelFn;
  readonly tileCfa: KernelFn;
  readonly splitPhase: (src: number, srcRowB: number, dst: number, pw: number, ph: number) => void;
}

// Byte layout of the kernel memory: see lanczos-row.wat
const LUT_AT = 64;
const OUT_AT = LUT_AT + Math.ceil((LANCZOS_LUT.length * 4) / 16) * 16;
const MONO_RECORD = 32;
const CFA_RECORD = 96;
const FALLBACK_RECORD = 24;

// without WebAssembly or SIMD the JS kernels give the same bytes
const loadKernel = lazyWasmKernel(LANCZOS_ROW_WASM, (w): Kernel => {
  const k: Kernel = {
    memory: w.memory,
    tileMono: w.exports.tile_mono as KernelFn,
    tileCfa: w.exports.tile_cfa as KernelFn,
    splitPhase: w.exports.split_phase as Kernel['splitPhase'],
    ...w.views,
  };
  k.f32.set(LANCZOS_LUT, LUT_AT / 4);
  return k;
});

/** Whether the WebAssembly kernel runs here (instantiated on first call). */
export function wasmLanczosAvailable(): boolean {
  return loadKernel() !== null;
}

function ensureBytes(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
}

/** Byte addresses of a tile's areas in the kernel memory. */
interface TileLayout {
  /** the tile's outputs, rows x cols float32, row after row */
  readonly out: number;
  /** the row records: one per row (mono), one per row and phase (CFA) */
  readonly rec: number;
  /** the fallback list: at most one record per sample */
  readonly fb: number;
  /** the source window(s) */
  readonly win: number;
}

function tileLayout(k: Kernel, tile: WasmTile): TileLayout {
  const { rows, cols } = tile;
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 2 && cols % 2 === 0 && cols <= MAX_SPAN_SAMPLES)) {
    throw new RangeError(`lanczos wasm: tile must be >= 1 rows and an even number in [2, ${MAX_SPAN_SAMPLES}] of columns, got ${rows}x${cols}`);
  }
  const rec = OUT_AT + align16(rows * cols * 4);
  const fb = rec + rows * 2 * CFA_RECORD;
  const win = fb + align16(rows * cols * FALLBACK_RECORD);
  ensureBytes(k, win);
  return { out: OUT_AT, rec, fb, win };
}

/**
 * Copies the pixels of a w x h plane (row r at data[base + r*rowLen]) inside `win` to byte `at`,
 * window pixels outside the plane as the pixel edge(i, n) repeats there. A NaN's payload may
 * change in the padding; no output shows it (a NaN tap gives the canonical NaN, and a sample that
 * is the source pixel itself goes to the JS sampler).
 */
function copyWindow(k: Kernel, data: Float32Array, base: number, rowLen: number, w: number, h: number, win: Window, at: number, edge: (i: number, n: number) => number): void {
  const ww = win.x1 - win.x0;
  ensureBytes(k, at + ww * (win.y1 - win.y0) * 4);
  const f32 = k.f32;
  const c0 = Math.max(win.x0, 0);
  const c1 = Math.min(win.x1, w);
  for (let y = win.y0, o = at / 4 - win.x0; y < win.y1; y++, o += ww) {
    const row = base + edge(y, h) * rowLen;
    f32.set(data.subarray(row + c0, row + c1), o + c0);
    for (let x = win.x0; x < c0; x++) f32[o + x] = data[row + edge(x, w)];
    for (let x = c1; x < win.x1; x++) f32[o + x] = data[row + edge(x, w)];
  }
}

/**
 * Evaluates the kernel's fallback list (nf records at byte fb: f64 sx, f64 sy, i32 output byte
 * address) with the JS sampler on the view viewOf(output byte address).
 */
function patchFallbacks(k: Kernel, fb: number, nf: number, viewOf: (outByte: number) => View): void {
  const { f32, f64, i32 } = k;
  for (let i = 0; i < nf; i++) {
    const r = fb + FALLBACK_RECORD * i;
    const at = i32[(r + 16) >> 2];
    f32[at >> 2] = sampleLanczosView(viewOf(at), f64[r >> 3], f64[(r >> 3) + 1]);
  }
}

/** Copies the tile's output rows (row length n, starting at byte `at`) to out. */
function copyRowsOut(k: Kernel, at: number, n: number, rows: number, out: Float32Array, o: number, outW: number): void {
  const f32 = k.f32;
  for (let y = 0, s = at >> 2; y < rows; y++, s += n, o += outW) out.set(f32.subarray(s, s + n), o);
}

/**
 * lanczosRow for rows [y0, y1) of the output: row y samples plane view v (xs = 1) from
 * (b*y + tx, d*y + ty) in steps (a, c) into out[o0 + (y - y0)*outW + x], x < outW.
 * Returns false (nothing written) when the WebAssembly kernel is unavailable.
 */
export function lanczosPlaneWasm(
  v: View,
  M: readonly number[],
  out: Float32Array,
  o0: number,
  outW: number,
  y0: number,
  y1: number,
  tile: WasmTile = WASM_TILE,
  stats?: WasmWarpStats,
): boolean {
  const k = loadKernel();
  if (k === null) return false;
  if (v.xs !== 1) throw new RangeError('lanczosPlaneWasm: needs a plain view (xs = 1)');
  const L = tileLayout(k, tile);
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
      const n = xb - xa;
      const win = clipWindow(sourceBox(M, xa, xb, ya, yb, 4), v.vw, v.vh, 4, MAX_WINDOW_BYTES);
      copyWindow(k, v.data, v.base, v.ys, v.vw, v.vh, win, L.win, clampEdge);
      const m = planeAddressing(win, L.win);
      const { f64, i32 } = k;
      for (let y = ya, r = L.rec; y < yb; y++, r += MONO_RECORD) {
        const p = 2 * (y - ya);
        const [kLo, kHi] = rowInterior(pos[p], pos[p + 1], a, c, n, m, v.vw, v.vh);
        f64[r >> 3] = pos[p];
        f64[(r >> 3) + 1] = pos[p + 1];
        i32[(r >> 2) + 4] = kLo;
        i32[(r >> 2) + 5] = kHi;
        i32[(r >> 2) + 6] = L.out + 4 * n * (y - ya);
      }
      const nf = k.tileMono(yb - ya, L.rec, n, a, c, v.vw, v.vh, m.wb, m.ysB, m.iLo, m.iHi, m.jLo, m.jHi, L.fb);
      patchFallbacks(k, L.fb, nf, () => v);
      if (stats) stats.fallbacks += nf;
      // the kernel left each row's next position in its record
      for (let y = ya, r = L.rec >> 3; y < yb; y++, r += MONO_RECORD / 8) {
        pos[2 * (y - ya)] = k.f64[r];
        pos[2 * (y - ya) + 1] = k.f64[r + 1];
      }
      copyRowsOut(k, L.out, n, yb - ya, out, o0 + (ya - y0) * outW + xa, outW);
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
export function lanczosCfaWasm(
  ph: CfaPhases,
  M: readonly number[],
  out: Float32Array,
  outW: number,
  y0: number,
  y1: number,
  tile: WasmTile = WASM_TILE,
  stats?: WasmWarpStats,
): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const L = tileLayout(k, tile);
  const [a, b, , c, d] = M;
  for (let ya = y0; ya < y1; ya += tile.rows) {
    const yb = Math.min(y1, ya + tile.rows);
    for (let xa = 0; xa < outW; xa += tile.cols) {
      const xb = Math.min(outW, xa + tile.cols);
      const tw = xb - xa;
      const u0 = xa >> 1;
      // raw source position of output pixel q is M*q for every phase; taps reach 6 raw pixels
      // 8 raw px of padding: 4 phase px (the same parity repeated), none for a mosaic too small
      const win = clipWindow(sourceBox(M, xa, xb, ya, yb, 8), ph.w, ph.h, ph.w >= 2 && ph.h >= 2 ? 8 : 0, MAX_WINDOW_BYTES);
      copyWindow(k, ph.data, 0, ph.w, ph.w, ph.h, win, L.win, clampEdgeCfa);
      // each phase side by side in a window of its own, so the kernel loads taps as for a plane;
      // +32: split_phase reads up to 28 bytes past a raw row
      const maps: Addressing[] = [];
      let at = L.win + align16((win.x1 - win.x0) * (win.y1 - win.y0) * 4 + 32);
      for (let i = 0; i < 4; i++) {
        const ox = i & 1;
        const oy = i >> 1;
        const m = phaseAddressing(win, ox, oy, at);
        const pw = m.iHi - m.iLo;
        const rows = m.jHi - m.jLo;
        if (pw > 0) {
          ensureBytes(k, at + pw * rows * 4);
          const first = L.win + ((oy + 2 * m.jLo - win.y0) * (win.x1 - win.x0) + ox + 2 * m.iLo - win.x0) * 4;
          k.splitPhase(first, 8 * (win.x1 - win.x0), at, pw, rows);
        }
        maps.push(m);
        at += pw * rows * 4;
      }
      const { f64, i32 } = k;
      let r = L.rec;
      for (let y = ya; y < yb; y++) {
        const v = y >> 1;
        const bv = b * v;
        const dv = d * v;
        for (let ox = 0; ox < 2; ox++, r += CFA_RECORD) {
          const i = ((y & 1) << 1) | ox;
          const view = ph.views[i];
          const m = maps[i];
          const n = ((xb - ox + 1) >> 1) - u0;
          const small = Math.max(Math.abs(bv), Math.abs(dv), Math.abs(ph.cx[i]), Math.abs(ph.cy[i])) <= MAX_CFA_TERM;
          const [kLo, kHi] = small ? rowInterior(a * u0 + bv + ph.cx[i], c * u0 + dv + ph.cy[i], a, c, n, m, view.vw, view.vh) : [0, 0];
          const r8 = r >> 3;
          const r4 = r >> 2;
          f64[r8] = bv;
          f64[r8 + 1] = ph.cx[i];
          f64[r8 + 2] = dv;
          f64[r8 + 3] = ph.cy[i];
          f64[r8 + 4] = view.vw;
          f64[r8 + 5] = view.vh;
          i32[r4 + 12] = m.wb;
          i32[r4 + 13] = m.iLo;
          i32[r4 + 14] = m.iHi;
          i32[r4 + 15] = m.jLo;
          i32[r4 + 16] = m.jHi;
          i32[r4 + 17] = n;
          i32[r4 + 18] = kLo;
          i32[r4 + 19] = kHi;
          i32[r4 + 20] = L.out + 4 * ((y - ya) * tw + ox);
          i32[r4 + 21] = m.ysB;
        }
      }
      const nf = k.tileCfa(2 * (yb - ya), L.rec, u0, a, c, L.fb);
      // a fallback's phase is its output pixel's row and column parity (xa is even)
      patchFallbacks(k, L.fb, nf, (outByte) => {
        const o = (outByte - L.out) >> 2;
        return ph.views[(((ya + Math.floor(o / tw)) & 1) << 1) | ((o % tw) & 1)];
      });
      if (stats) stats.fallbacks += nf;
      copyRowsOut(k, L.out, tw, yb - ya, out, (ya - y0) * outW + xa, outW);
    }
  }
  return true;
}
