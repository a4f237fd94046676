/**
 * Sampling kernels of the warp (METHOD.md P6.2), split from warp.ts: the per-sample reference
 * definitions (`sampleLanczosView`, `sampleBilinearView`) and the row loops that run the hot
 * interior case without per-pixel border handling.
 *
 * The row loops must give bit-identical results to calling the reference sampler at the same
 * positions: every fast path repeats the reference's arithmetic in the same order, and anything
 * unusual (a tap outside the view, a fraction that rounds to a whole pixel) goes through the
 * reference sampler itself.
 *
 * Lanczos arithmetic is float32 [DIFF to METHOD.md section 0, float64 accumulation]: the weights
 * are float32 (LANCZOS_LUT) and every product and sum of a sample is rounded to float32
 * (Math.fround after each operation, no fused operations), in a fixed order that a 4-lane SIMD
 * kernel can follow (wasm/lanczos-row.wat): column sums over the 6 tap rows weighted by wy, then
 * one dot product with wx, ((p0 + p2) + p4) + ((p1 + p3) + p5) with p_k = wx_k * column_k.
 * A float64 product of two float32 values is exact and a float64 sum of two rounds once more
 * harmlessly (53 >= 2*24 + 2 bits), so fround(a op b) is the IEEE float32 a op b: JS and
 * WebAssembly give the same bits. The change against float64 sums is at float32 rounding
 * (relative ~1e-7 of the tap magnitudes), far below any image noise.
 */

// Lanczos-3 weights for the 6 taps x0-2..x0+3 at fraction fx = i/LUT_RES, normalized to 1.
// 1/1024 px resolution: position error <= 5e-4 px, far below registration accuracy.
const LUT_BITS = 10;
const LUT_RES = 1 << LUT_BITS;
const LUT_MASK = LUT_RES - 1;

/**
 * The row loops find cell and LUT index of a position in one int32 (position * LUT_RES), so a
 * view may be at most 2^21 px wide and high; warpRows checks it.
 */
export const MAX_VIEW_SIDE = 2 ** (31 - LUT_BITS) - 8;
/**
 * Row i*6 .. i*6+5: the float32 weights of fraction i/LUT_RES (copied into the WebAssembly
 * kernel): the float64 normalized weights, each rounded to float32.
 */
export const LANCZOS_LUT = Float32Array.from(buildLanczosLut());

function lanczos3(x: number): number {
  if (x === 0) return 1;
  const ax = Math.abs(x);
  if (ax >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

function buildLanczosLut(): Float64Array {
  const lut = new Float64Array((LUT_RES + 1) * 6);
  for (let i = 0; i <= LUT_RES; i++) {
    const fx = i / LUT_RES;
    let s = 0;
    for (let k = 0; k < 6; k++) {
      // integer offsets are exact zeros of sinc; computing them would leave ~1e-17 residues
      const v = i === 0 ? (k === 2 ? 1 : 0) : lanczos3(fx - (k - 2));
      lut[i * 6 + k] = v;
      s += v;
    }
    for (let k = 0; k < 6; k++) lut[i * 6 + k] /= s;
  }
  return lut;
}

/**
 * A strided view of one plane (or one CFA phase of it): pixel (i, j) lives at
 * data[base + j*ys + i*xs], for 0 <= i < vw, 0 <= j < vh.
 */
export interface View {
  readonly data: Float32Array;
  readonly base: number;
  readonly xs: number;
  readonly ys: number;
  readonly vw: number;
  readonly vh: number;
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Bilinear sample of a view at (sx, sy); NaN outside [-0.5, vw-0.5] x [-0.5, vh-0.5]. */
export function sampleBilinearView(v: View, sx: number, sy: number): number {
  const { vw, vh } = v;
  if (!(sx >= -0.5 && sx <= vw - 0.5 && sy >= -0.5 && sy <= vh - 0.5)) return Number.NaN;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const d = v.data;
  const xa = clampIndex(x0, vw) * v.xs;
  const ya = v.base + clampIndex(y0, vh) * v.ys;
  if (fx === 0 && fy === 0) return d[ya + xa];
  const xb = clampIndex(x0 + 1, vw) * v.xs;
  if (fy === 0) return (1 - fx) * d[ya + xa] + fx * d[ya + xb];
  const yb = v.base + clampIndex(y0 + 1, vh) * v.ys;
  if (fx === 0) return (1 - fy) * d[ya + xa] + fy * d[yb + xa];
  const top = (1 - fx) * d[ya + xa] + fx * d[ya + xb];
  const bot = (1 - fx) * d[yb + xa] + fx * d[yb + xb];
  return (1 - fy) * top + fy * bot;
}

/** Lanczos-3 sample of a view at (sx, sy) with the 2x2 clamp; NaN rules as in warp.ts. */
export function sampleLanczosView(v: View, sx: number, sy: number): number {
  const { vw, vh, xs, ys, base } = v;
  if (!(sx >= -0.5 && sx <= vw - 0.5 && sy >= -0.5 && sy <= vh - 0.5)) return Number.NaN;
  const d = v.data;
  let x0 = Math.floor(sx);
  let y0 = Math.floor(sy);
  let ix = Math.round((sx - x0) * LUT_RES);
  let iy = Math.round((sy - y0) * LUT_RES);
  if (ix === LUT_RES) {
    x0++;
    ix = 0;
  }
  if (iy === LUT_RES) {
    y0++;
    iy = 0;
  }
  const xa = clampIndex(x0, vw) * xs;
  const ya = base + clampIndex(y0, vh) * ys;
  if (ix === 0 && iy === 0) return d[ya + xa];
  const wxo = ix * 6;
  const wyo = iy * 6;
  const tx = TAP_X;
  const ty = TAP_Y;
  for (let k = 0; k < 6; k++) {
    tx[k] = clampIndex(x0 - 2 + k, vw) * xs;
    ty[k] = base + clampIndex(y0 - 2 + k, vh) * ys;
  }
  let acc: number;
  let lo: number;
  let hi: number;
  if (iy === 0) {
    // one row: only the x taps carry weight (a NaN in another row must not count)
    const r = ty[2];
    acc = dot6(wxo, d[r + tx[0]], d[r + tx[1]], d[r + tx[2]], d[r + tx[3]], d[r + tx[4]], d[r + tx[5]]);
    const xb = clampIndex(x0 + 1, vw) * xs;
    const p = d[ya + xa];
    const q = d[ya + xb];
    lo = p < q ? p : q;
    hi = p < q ? q : p;
  } else if (ix === 0) {
    // one column: the column sum of the 2-D case, without the x weights
    acc = columnSum(d, ty, xa, wyo);
    const yb = base + clampIndex(y0 + 1, vh) * ys;
    const p = d[ya + xa];
    const q = d[yb + xa];
    lo = p < q ? p : q;
    hi = p < q ? q : p;
  } else {
    acc = dot6(
      wxo,
      columnSum(d, ty, tx[0], wyo),
      columnSum(d, ty, tx[1], wyo),
      columnSum(d, ty, tx[2], wyo),
      columnSum(d, ty, tx[3], wyo),
      columnSum(d, ty, tx[4], wyo),
      columnSum(d, ty, tx[5], wyo),
    );
    const xb = clampIndex(x0 + 1, vw) * xs;
    const yb = base + clampIndex(y0 + 1, vh) * ys;
    const p00 = d[ya + xa];
    const p10 = d[ya + xb];
    const p01 = d[yb + xa];
    const p11 = d[yb + xb];
    lo = min4(p00, p10, p01, p11);
    hi = max4(p00, p10, p01, p11);
  }
  // a NaN tap with non-zero weight has already turned acc into NaN
  if (acc !== acc) return Number.NaN;
  return acc < lo ? lo : acc > hi ? hi : acc;
}

// tap offsets of the sample being evaluated, edge replicated: columns (x * xs), rows (base + y * ys)
const TAP_X = new Float64Array(6);
const TAP_Y = new Float64Array(6);
const f32 = Math.fround;

/**
 * The x pass of a sample in float32: sum of LANCZOS_LUT[w + k] * t_k in the pairing order of the
 * 4-lane kernel, ((p0 + p2) + p4) + ((p1 + p3) + p5).
 */
function dot6(w: number, t0: number, t1: number, t2: number, t3: number, t4: number, t5: number): number {
  const lut = LANCZOS_LUT;
  const even = f32(f32(f32(lut[w] * t0) + f32(lut[w + 2] * t2)) + f32(lut[w + 4] * t4));
  const odd = f32(f32(f32(lut[w + 1] * t1) + f32(lut[w + 3] * t3)) + f32(lut[w + 5] * t5));
  return f32(even + odd);
}

/** The y pass in float32: one tap column (rows at rows[j] + x) weighted by LANCZOS_LUT[w + j], summed row by row. */
function columnSum(d: Float32Array, rows: Float64Array, x: number, w: number): number {
  const lut = LANCZOS_LUT;
  let c = f32(lut[w] * d[rows[0] + x]);
  for (let j = 1; j < 6; j++) c = f32(c + f32(lut[w + j] * d[rows[j] + x]));
  return c;
}

/**
 * The 36-tap sum of an interior sample, unclamped: taps start at d[r] (= tap (x0-2, y0-2)),
 * xs apart along a row and ys apart between rows; wx, wy are LUT offsets of fractions in (0, 1).
 * The reference sampler's float32 arithmetic written out: six column sums built row by row, then
 * the x pass.
 */
function lanczosTaps(d: Float32Array, r: number, xs: number, ys: number, wx: number, wy: number): number {
  const lut = LANCZOS_LUT;
  const x2 = 2 * xs;
  const x3 = 3 * xs;
  const x4 = 4 * xs;
  const x5 = 5 * xs;
  let v = lut[wy];
  let c0 = f32(v * d[r]);
  let c1 = f32(v * d[r + xs]);
  let c2 = f32(v * d[r + x2]);
  let c3 = f32(v * d[r + x3]);
  let c4 = f32(v * d[r + x4]);
  let c5 = f32(v * d[r + x5]);
  for (let j = 1; j < 6; j++) {
    r += ys;
    v = lut[wy + j];
    c0 = f32(c0 + f32(v * d[r]));
    c1 = f32(c1 + f32(v * d[r + xs]));
    c2 = f32(c2 + f32(v * d[r + x2]));
    c3 = f32(c3 + f32(v * d[r + x3]));
    c4 = f32(c4 + f32(v * d[r + x4]));
    c5 = f32(c5 + f32(v * d[r + x5]));
  }
  return dot6(wx, c0, c1, c2, c3, c4, c5);
}

/**
 * min and max of the 2x2 nearest sources by a compare-and-select chain: which zero a -0/+0 tie
 * gives is fixed by the chain (the SIMD kernel's pmin/pmax follow it; Math.min would prefer -0).
 */
function min4(p00: number, p10: number, p01: number, p11: number): number {
  let m = p00 < p10 ? p00 : p10;
  if (p01 < m) m = p01;
  return p11 < m ? p11 : m;
}

function max4(p00: number, p10: number, p01: number, p11: number): number {
  let m = p00 < p10 ? p10 : p00;
  if (p01 > m) m = p01;
  return p11 > m ? p11 : m;
}

/**
 * The anti-ringing clamp of an interior sample: acc limited to [min4, max4] of the 2x2 nearest
 * sources at d[q], d[q+xs], d[q+ys], d[q+ys+xs]. On noisy data "which of the four is smaller" is
 * a coin toss, so a compare-and-branch min/max costs a mispredicted branch per comparison; the
 * comparisons are combined with `&` (no branch) and min/max are computed only when acc is outside
 * all four, which is rare. Same result as clamping to min4/max4: acc < min <=> acc < every
 * source. NaN: any NaN among the four has non-zero weight and made acc NaN, and a NaN acc fails
 * every comparison and falls through; it is returned as the canonical NaN (Number.NaN), whatever
 * the payload of the source NaN, so the WebAssembly kernel can give the same bytes.
 */
function clamp2x2(acc: number, d: Float32Array, q: number, xs: number, ys: number): number {
  const p00 = d[q];
  const p10 = d[q + xs];
  const p01 = d[q + ys];
  const p11 = d[q + ys + xs];
  if ((+(acc < p00) & +(acc < p10) & +(acc < p01) & +(acc < p11)) !== 0) return min4(p00, p10, p01, p11);
  if ((+(acc > p00) & +(acc > p10) & +(acc > p01) & +(acc > p11)) !== 0) return max4(p00, p10, p01, p11);
  return acc === acc ? acc : Number.NaN;
}

/**
 * One output row of a plain (xs = 1) Lanczos warp, the hot loop of P6: source positions advance by
 * (a, c) per output pixel from (sx0, sy0), by repeated addition as the row loop always did (the
 * positions, and so the outputs, stay bit-identical). Interior pixels with both fractions off the
 * whole pixel take the written-out 36-tap path; all others go through sampleLanczosView.
 */
export function lanczosRow(v: View, out: Float32Array, o: number, n: number, sx0: number, sy0: number, a: number, c: number): void {
  const { data: d, base, ys: W, vw, vh } = v;
  // x0 = floor(sx) in [2, vw-4]  <=>  2 <= sx < vw - 3 (same for y): all 36 taps inside
  const xEnd = vw - 3;
  const yEnd = vh - 3;
  let sx = sx0;
  let sy = sy0;
  for (let x = 0; x < n; x++, sx += a, sy += c) {
    if (sx >= 2 && sx < xEnd && sy >= 2 && sy < yEnd) {
      // sx*LUT_RES is exact (power of two) and round() commutes with integer offsets, so
      // qx = LUT_RES*floor(sx) + round(frac(sx)*LUT_RES): cell and LUT index in one rounding
      const qx = Math.round(sx * LUT_RES);
      const qy = Math.round(sy * LUT_RES);
      const ix = qx & LUT_MASK;
      const iy = qy & LUT_MASK;
      if (ix !== 0 && iy !== 0) {
        const x0 = qx >> LUT_BITS;
        const y0 = qy >> LUT_BITS;
        const acc = lanczosTaps(d, base + (y0 - 2) * W + x0 - 2, 1, W, ix * 6, iy * 6);
        out[o + x] = clamp2x2(acc, d, base + y0 * W + x0, 1, W);
        continue;
      }
    }
    out[o + x] = sampleLanczosView(v, sx, sy);
  }
}

/**
 * Every second output pixel (out[o], out[o+2], ...) of a CFA row: n samples of one phase view at
 * (a*u + bv + cx, c*u + dv + cy), u = 0..n-1, the expression the per-pixel CFA loop evaluated.
 * Interior samples take the strided 36-tap path, the rest sampleLanczosView.
 */
export function lanczosRowCfa(
  v: View,
  out: Float32Array,
  o: number,
  n: number,
  a: number,
  bv: number,
  cx: number,
  c: number,
  dv: number,
  cy: number,
): void {
  const { data: d, base, xs, ys, vw, vh } = v;
  const xEnd = vw - 3;
  const yEnd = vh - 3;
  for (let u = 0; u < n; u++) {
    const sx = a * u + bv + cx;
    const sy = c * u + dv + cy;
    if (sx >= 2 && sx < xEnd && sy >= 2 && sy < yEnd) {
      const qx = Math.round(sx * LUT_RES);
      const qy = Math.round(sy * LUT_RES);
      const ix = qx & LUT_MASK;
      const iy = qy & LUT_MASK;
      if (ix !== 0 && iy !== 0) {
        const x0 = qx >> LUT_BITS;
        const y0 = qy >> LUT_BITS;
        const acc = lanczosTaps(d, base + (y0 - 2) * ys + (x0 - 2) * xs, xs, ys, ix * 6, iy * 6);
        out[o + 2 * u] = clamp2x2(acc, d, base + y0 * ys + x0 * xs, xs, ys);
        continue;
      }
    }
    out[o + 2 * u] = sampleLanczosView(v, sx, sy);
  }
}

/**
 * n bilinear samples of a view at (sx0 + k*a, sy0 + k*c), positions advanced by repeated addition,
 * into out[o + k*os]. Interior samples (the 2x2 inside the view) skip the edge clamping.
 */
export function bilinearRow(v: View, out: Float32Array | Float64Array, o: number, os: number, n: number, sx0: number, sy0: number, a: number, c: number): void {
  const { data: d, base, xs, ys, vw, vh } = v;
  const xEnd = vw - 1;
  const yEnd = vh - 1;
  let sx = sx0;
  let sy = sy0;
  for (let k = 0; k < n; k++, sx += a, sy += c) {
    let value: number;
    // x0 = floor(sx) in [0, vw-2]: x0 and x0+1 inside, no clamping (same for y)
    if (sx >= 0 && sx < xEnd && sy >= 0 && sy < yEnd) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const ia = base + y0 * ys + x0 * xs;
      if (fx === 0 && fy === 0) value = d[ia];
      else if (fy === 0) value = (1 - fx) * d[ia] + fx * d[ia + xs];
      else if (fx === 0) value = (1 - fy) * d[ia] + fy * d[ia + ys];
      else {
        const top = (1 - fx) * d[ia] + fx * d[ia + xs];
        const bot = (1 - fx) * d[ia + ys] + fx * d[ia + ys + xs];
        value = (1 - fy) * top + fy * bot;
      }
    } else {
      value = sampleBilinearView(v, sx, sy);
    }
    out[o + k * os] = value;
  }
}
