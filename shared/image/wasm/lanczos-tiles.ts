/**
 * Geometry of the tiled WebAssembly warp (lanczos-wasm.ts), kept apart from the kernel calls so it
 * can be tested on its own: which source pixels a tile of output needs, how the kernel addresses
 * them in its window, and which samples of a row are interior, so the kernel can skip its border
 * checks for them (lanczos-row.wat, "Interior samples").
 */

/** A window of raw plane pixels [x0, x1) x [y0, y1), clipped to the plane. */
export interface Window {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

export const NO_WINDOW: Window = { x0: 0, x1: 0, y0: 0, y1: 0 };

/**
 * Bounding box [xLo, xHi, yLo, yHi) of the raw source pixels that output columns [xa, xb) of rows
 * [ya, yb) sample under M, widened by `margin` for the taps and the rounding of the positions.
 */
export function sourceBox(M: readonly number[], xa: number, xb: number, ya: number, yb: number, margin: number): number[] {
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

/**
 * The part of a box inside a w x h plane widened by `pad` px of replicated edge (copyWindow fills
 * them), so the kernel can compute samples near the frame border like any other; NO_WINDOW when
 * the box misses the plane (also for NaN bounds, an affine that overflows) or the window would
 * exceed maxBytes of float32.
 */
export function clipWindow(box: readonly number[], w: number, h: number, pad: number, maxBytes: number): Window {
  if (!(Math.min(w, box[1]) > Math.max(0, box[0]) && Math.min(h, box[3]) > Math.max(0, box[2]))) return NO_WINDOW;
  const x0 = Math.max(0 - pad, box[0]);
  const x1 = Math.min(w + pad, box[1]);
  const y0 = Math.max(0 - pad, box[2]);
  const y1 = Math.min(h + pad, box[3]);
  if ((x1 - x0) * (y1 - y0) * 4 > maxBytes) return NO_WINDOW;
  return { x0, x1, y0, y1 };
}

/** The pixel index a padded window repeats at i outside [0, n): the nearest edge pixel. */
export function clampEdge(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * The raw index a padded CFA window repeats at i outside [0, n): the nearest edge pixel of the
 * same parity (phase), as the phase view's edge clamp reads it. Needs n >= 2.
 */
export function clampEdgeCfa(i: number, n: number): number {
  if (i < 0) return i & 1;
  if (i >= n) return (n - 1) - ((n - 1 - i) & 1);
  return i;
}

/**
 * Kernel addressing of view pixels inside a window: pixel (i, j) at byte wb + j*ysB + i*4 for
 * i in [iLo, iHi), j in [jLo, jHi).
 */
export interface Addressing {
  readonly wb: number;
  readonly ysB: number;
  readonly iLo: number;
  readonly iHi: number;
  readonly jLo: number;
  readonly jHi: number;
}

export const NO_ADDRESSING: Addressing = { wb: 0, ysB: 0, iLo: 0, iHi: 0, jLo: 0, jHi: 0 };

/** A mono plane's window copied row after row to byte `at`. */
export function planeAddressing(win: Window, at: number): Addressing {
  const ww = win.x1 - win.x0;
  // may lie outside the memory; the kernel's wrapping i32 sums land inside for covered pixels
  return { wb: (at - (win.y0 * ww + win.x0) * 4) | 0, ysB: 4 * ww, iLo: win.x0, iHi: win.x1, jLo: win.y0, jHi: win.y1 };
}

/**
 * The pixels of CFA phase (ox, oy) (view pixel (i, j) = raw (ox + 2i, oy + 2j)) inside a raw
 * window, to be copied side by side to byte `at`: their view index ranges and addressing.
 */
export function phaseAddressing(win: Window, ox: number, oy: number, at: number): Addressing {
  const iLo = Math.ceil((win.x0 - ox) / 2);
  const iHi = Math.ceil((win.x1 - ox) / 2);
  const jLo = Math.ceil((win.y0 - oy) / 2);
  const jHi = Math.ceil((win.y1 - oy) / 2);
  if (!(iHi > iLo && jHi > jLo)) return NO_ADDRESSING;
  const pw = iHi - iLo;
  return { wb: (at - (jLo * pw + iLo) * 4) | 0, ysB: 4 * pw, iLo, iHi, jLo, jHi };
}

/** How far inside its bounds (px) interiorSpan keeps a position. */
const INTERIOR_MARGIN = 1 / 64;
/** Limits under which the positions the kernel forms stay within 2^-10 px of p0 + k*step. */
const MAX_START = 2 ** 23;
const MAX_STEP = 2 ** 10;
export const MAX_SPAN_SAMPLES = 2 ** 16;

/**
 * The run [kLo, kHi) of samples k in [0, n) at positions p0 + k*step whose floor lies in
 * [lo, hi] for certain: the exact position is at least 1/64 px inside [lo, hi + 1). The kernel
 * forms positions by repeated addition (mono) or as a product plus two sums (CFA); with
 * |p0| <= 2^23, |step| <= 2^10 and n <= 2^16 (and, for CFA, terms <= 2^32) their rounding stays
 * below 2^-10 px and cannot move a sample across. [0, 0] when there is none, and outside those
 * limits (the kernel then checks every sample).
 */
export function interiorSpan(p0: number, step: number, lo: number, hi: number, n: number): [number, number] {
  const pLo = lo + INTERIOR_MARGIN;
  const pHi = hi + 1 - INTERIOR_MARGIN;
  if (!(Math.abs(p0) <= MAX_START && Math.abs(step) <= MAX_STEP && n > 0 && n <= MAX_SPAN_SAMPLES && pLo <= pHi)) return [0, 0];
  let kLo = 0;
  let kHi = n;
  if (step === 0) {
    if (!(p0 >= pLo && p0 <= pHi)) return [0, 0];
  } else {
    const t0 = (pLo - p0) / step;
    const t1 = (pHi - p0) / step;
    kLo = Math.max(0, Math.ceil(Math.min(t0, t1)));
    kHi = Math.min(n, Math.floor(Math.max(t0, t1)) + 1);
  }
  return kHi > kLo ? [kLo, kHi] : [0, 0];
}

/**
 * The samples of a row (positions (sx, sy) + k*(a, c)) that the kernel may compute without its
 * border checks: inside [0, vw - 0.5] x [0, vh - 0.5] (beyond vw - 0.5 is outside the view and
 * NaN; below 0 the kernel's rounding, a truncation, would not be Math.round), with floor(sx) in
 * [iLo + 2, iHi - 4] and floor(sy) in [jLo + 2, jHi - 4], so every pixel any of its paths reads
 * (taps x0-2 .. x0+3 with x0 = floor(sx), or floor(sx) + 1 for a fraction that rounds up to a
 * whole pixel) is in the window, edge padding included.
 */
export function rowInterior(sx: number, sy: number, a: number, c: number, n: number, m: Addressing, vw: number, vh: number): [number, number] {
  const x = interiorSpan(sx, a, m.iLo + 2, m.iHi - 4, n);
  const xv = interiorSpan(sx, a, 0, vw - 1.5, n);
  const y = interiorSpan(sy, c, m.jLo + 2, m.jHi - 4, n);
  const yv = interiorSpan(sy, c, 0, vh - 1.5, n);
  const kLo = Math.max(x[0], xv[0], y[0], yv[0]);
  const kHi = Math.min(x[1], xv[1], y[1], yv[1]);
  return kHi > kLo ? [kLo, kHi] : [0, 0];
}
