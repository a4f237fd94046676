import { sampleBilinearView, type View } from '../../image/warp-kernels';
import type { Affine2x3 } from './affine';
import { bilinearInterior, isWholePixelShift, nccOfSums } from './ncc';
import { NCC_PAIR_WASM } from './wasm/ncc-pair.wasm';
import { align16, ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';

/**
 * The two NCCs of a registration candidate (P4.6: plain proxies, high-passed planes) in one sweep
 * through the WebAssembly SIMD kernel wasm/ncc-pair.wat: one float64 lane per plane pair, so each
 * NCC is nccUnderTransform's to the last bit (same positions, same bilinear arithmetic, the same
 * sums in the same order). On a 24 MP frame's 6 MP proxy the two sweeps took 2 x ~65 ms in JS.
 *
 * The kernel reads from its own memory, so the reference is swept in bands of BAND rows: the
 * band's rows of both reference planes and the window of both moving planes its samples touch
 * (bounding box of the band's corners under M plus a margin) are copied in. Runs of pixels whose
 * 2x2 lies inside the window go to the kernel; every other pixel (frame borders, a window that
 * came out too small) is done here with nccUnderTransform's own code, in its place in the order,
 * on the same running sums. A band whose window would exceed MAX_WINDOW_FLOATS (rotations far
 * from a multiple of 90 degrees) is done here entirely. The memory, once grown, is kept for the
 * process: ~4 MB for a 3000 px wide proxy at a small rotation, at most ~10 MB (two windows of
 * MAX_WINDOW_FLOATS and the band's reference rows).
 * Where WebAssembly or SIMD is missing (instantiation throws), nccPairWasm returns null and the
 * caller runs nccUnderTransform twice.
 */

/** Two reference planes and the two moving planes they are compared with (same sizes pairwise). */
export interface NccPlanePair {
  readonly ref: readonly [Float32Array, Float32Array];
  readonly refW: number;
  readonly refH: number;
  readonly mov: readonly [Float32Array, Float32Array];
  readonly movW: number;
  readonly movH: number;
}

const BAND = 64;
const MAX_WINDOW_FLOATS = 1 << 20;
/** Window margin around the mapped corners, px: the 2x2 cell and the rounding of the positions. */
const MARGIN = 2;
// byte layout: sums (six f64x2) at 0, stop position (sx, sy) at 96, rows and windows from 128
const STATE_F64 = 12;
const DATA_AT = 128;

type RunFn = (...args: number[]) => number;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly run: RunFn;
}

// without WebAssembly or SIMD nccUnderTransform gives the same values
const loadKernel = lazyWasmKernel(NCC_PAIR_WASM, (w): Kernel => ({ memory: w.memory, run: w.exports.ncc_run as RunFn, ...w.views }));

function ensureBytes(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
}

/**
 * [NCC of ref[0] and mov[0], NCC of ref[1] and mov[1]] under M, each as nccUnderTransform's; null
 * without WebAssembly SIMD, and for a whole-pixel shift (nccUnderTransform reads the planes
 * directly then, faster than the kernel's copies).
 */
export function nccPairWasm(p: NccPlanePair, M: Affine2x3): [number, number] | null {
  if (isWholePixelShift(M)) return null;
  const k = loadKernel();
  if (k === null) return null;
  const { refW, refH, movW, movH } = p;
  const [ref0, ref1] = p.ref;
  const [mov0, mov1] = p.mov;
  const [a, b, tx, c, d, ty] = M;
  const views: readonly [View, View] = [
    { data: mov0, base: 0, xs: 1, ys: movW, vw: movW, vh: movH },
    { data: mov1, base: 0, xs: 1, ys: movW, vw: movW, vh: movH },
  ];
  const refAt = DATA_AT;
  const refRowBytes = align16(refW * 4);
  const movAt = refAt + 2 * BAND * refRowBytes;
  ensureBytes(k, movAt);
  k.f64.fill(0, 0, STATE_F64);
  for (let ya = 0; ya < refH; ya += BAND) {
    const yb = Math.min(refH, ya + BAND);
    const win = bandWindow(M, refW, ya, yb, movW, movH);
    const ww = win.x1 - win.x0;
    const wh = win.y1 - win.y0;
    const usable = ww >= 2 && wh >= 2 && ww * wh <= MAX_WINDOW_FLOATS;
    // the second window starts 16 bytes past the first's end: a 4-float load may run past a row
    const winBytes = usable ? align16(ww * wh * 4) + 16 : 0;
    ensureBytes(k, movAt + 2 * winBytes + 16);
    const f32 = k.f32;
    for (let y = ya; y < yb; y++) {
      const o = (refAt + (y - ya) * refRowBytes) / 4;
      f32.set(ref0.subarray(y * refW, y * refW + refW), o);
      f32.set(ref1.subarray(y * refW, y * refW + refW), o + (BAND * refRowBytes) / 4);
    }
    if (usable) {
      for (let r = win.y0; r < win.y1; r++) {
        const s = r * movW + win.x0;
        const o = movAt / 4 + (r - win.y0) * ww;
        f32.set(mov0.subarray(s, s + ww), o);
        f32.set(mov1.subarray(s, s + ww), o + winBytes / 4);
      }
    }
    for (let y = ya; y < yb; y++) {
      const ref0Row = refAt + (y - ya) * refRowBytes;
      const ref1Row = ref0Row + BAND * refRowBytes;
      let sx = b * y + tx;
      let sy = d * y + ty;
      let x = 0;
      while (x < refW) {
        if (usable) {
          const stop = k.run(x, refW, sx, sy, a, c, ref0Row, ref1Row, movAt, movAt + winBytes, ww, win.x0, win.y0, win.x1, win.y1);
          if (stop > x) {
            x = stop;
            sx = k.f64[STATE_F64];
            sy = k.f64[STATE_F64 + 1];
            if (x >= refW) break;
          }
        }
        // a pixel the kernel does not take: nccUnderTransform's arithmetic, on the same sums
        addPixel(k.f64, ref0[y * refW + x], ref1[y * refW + x], sample(mov0, views[0], movW, movH, sx, sy), sample(mov1, views[1], movW, movH, sx, sy));
        x++;
        sx += a;
        sy += c;
      }
    }
  }
  const s = k.f64;
  return [nccOfSums(s[0], s[2], s[4], s[6], s[8], s[10]), nccOfSums(s[1], s[3], s[5], s[7], s[9], s[11])];
}

/** Moving pixels [x0, x1) x [y0, y1) that the samples of reference rows [ya, yb) can touch. */
function bandWindow(M: Affine2x3, refW: number, ya: number, yb: number, movW: number, movH: number): { x0: number; x1: number; y0: number; y1: number } {
  let xLo = Infinity;
  let xHi = -Infinity;
  let yLo = Infinity;
  let yHi = -Infinity;
  for (const [x, y] of [
    [0, ya],
    [refW - 1, ya],
    [0, yb - 1],
    [refW - 1, yb - 1],
  ]) {
    const sx = M[0] * x + M[1] * y + M[2];
    const sy = M[3] * x + M[4] * y + M[5];
    xLo = Math.min(xLo, sx);
    xHi = Math.max(xHi, sx);
    yLo = Math.min(yLo, sy);
    yHi = Math.max(yHi, sy);
  }
  const clip = (v: number, n: number) => Math.max(0, Math.min(n, v));
  // NaN corners (a degenerate matrix) give an empty window: every pixel is done in JS
  const x0 = clip(Math.floor(xLo) - MARGIN, movW);
  const x1 = clip(Math.ceil(xHi) + MARGIN + 1, movW);
  const y0 = clip(Math.floor(yLo) - MARGIN, movH);
  const y1 = clip(Math.ceil(yHi) + MARGIN + 1, movH);
  return Number.isFinite(x0 + x1 + y0 + y1) ? { x0, x1, y0, y1 } : { x0: 0, x1: 0, y0: 0, y1: 0 };
}

/** nccUnderTransform's sample of one moving plane at (sx, sy). */
function sample(m: Float32Array, view: View, movW: number, movH: number, sx: number, sy: number): number {
  if (sx >= 0 && sx < movW - 1 && sy >= 0 && sy < movH - 1) return bilinearInterior(m, movW, sx | 0, sy | 0, sx, sy);
  return sampleBilinearView(view, sx, sy);
}

/** One pixel into the kernel's sums (lane 0: the first pair, lane 1: the second), NaN pixels left out. */
function addPixel(s: Float64Array, u0: number, u1: number, v0: number, v1: number): void {
  if (u0 === u0 && v0 === v0) {
    s[0] += 1;
    s[2] += u0;
    s[4] += v0;
    s[6] += u0 * u0;
    s[8] += v0 * v0;
    s[10] += u0 * v0;
  }
  if (u1 === u1 && v1 === v1) {
    s[1] += 1;
    s[3] += u1;
    s[5] += v1;
    s[7] += u1 * u1;
    s[9] += v1 * v1;
    s[11] += u1 * v1;
  }
}
