import type { Image } from './image';

/**
 * Warping into the canvas (METHOD.md P6.2): out(q) = frame(M*q) with M mapping canvas coordinates
 * to source-frame coordinates (pixel centres at integers).
 * - lanczos3: separable L(x) = sinc(x)*sinc(x/3), |x| < 3, weights normalized to 1, result clamped
 *   to [min, max] of the 2x2 nearest sources (no ringing); taps beyond the frame replicate the edge.
 * - bilinear: the 2x2 nearest sources.
 * - Source position outside [-0.5, W-0.5] x [-0.5, H-0.5], or a NaN tap with non-zero weight -> NaN.
 * - CFA: the four phase subplanes are warped on their own at half resolution with
 *   u_src = A*u + (A*o + t - o)/2 and re-interleaved, so an output pixel of phase o reads only
 *   phase-o inputs. The subplanes are addressed with strides, never copied.
 * Coverage is `!isNaN(out)`: uncovered pixels are NaN, never 0.
 */

/** x' = a*x + b*y + tx, y' = c*x + d*y + ty; maps canvas/reference -> moving-frame coordinates. */
export type Affine2x3 = readonly [number, number, number, number, number, number];
export type Interpolation = 'lanczos3' | 'bilinear';
export interface WarpOptions {
  /** Treat a 1-plane image as a Bayer mosaic: warp each CFA phase on its own. */
  readonly cfa?: boolean;
}

// Lanczos-3 weights for the 6 taps x0-2..x0+3 at fraction fx = i/LUT_RES, normalized to 1.
// 1/1024 px resolution: position error <= 5e-4 px, far below registration accuracy.
const LUT_RES = 1024;
const LANCZOS_LUT = buildLanczosLut();

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
interface View {
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
function sampleBilinearView(v: View, sx: number, sy: number): number {
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

/** Lanczos-3 sample of a view at (sx, sy) with the 2x2 clamp; NaN rules as in the header. */
function sampleLanczosView(v: View, sx: number, sy: number): number {
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
  const lut = LANCZOS_LUT;
  const wxo = ix * 6;
  const wyo = iy * 6;
  const interior = x0 >= 2 && x0 + 3 < vw && y0 >= 2 && y0 + 3 < vh;
  let acc = 0;
  let lo: number;
  let hi: number;
  if (iy === 0) {
    // one row: only the x taps carry weight
    for (let k = 0; k < 6; k++) {
      const xi = interior ? x0 - 2 + k : clampIndex(x0 - 2 + k, vw);
      acc += lut[wxo + k] * d[ya + xi * xs];
    }
    const xb = clampIndex(x0 + 1, vw) * xs;
    const p = d[ya + xa];
    const q = d[ya + xb];
    lo = p < q ? p : q;
    hi = p < q ? q : p;
  } else if (ix === 0) {
    for (let k = 0; k < 6; k++) {
      const yi = interior ? y0 - 2 + k : clampIndex(y0 - 2 + k, vh);
      acc += lut[wyo + k] * d[base + yi * ys + xa];
    }
    const yb = base + clampIndex(y0 + 1, vh) * ys;
    const p = d[ya + xa];
    const q = d[yb + xa];
    lo = p < q ? p : q;
    hi = p < q ? q : p;
  } else {
    for (let j = 0; j < 6; j++) {
      const yi = interior ? y0 - 2 + j : clampIndex(y0 - 2 + j, vh);
      const row = base + yi * ys;
      let rs = 0;
      if (interior && xs === 1) {
        const o = row + x0 - 2;
        rs =
          lut[wxo] * d[o] +
          lut[wxo + 1] * d[o + 1] +
          lut[wxo + 2] * d[o + 2] +
          lut[wxo + 3] * d[o + 3] +
          lut[wxo + 4] * d[o + 4] +
          lut[wxo + 5] * d[o + 5];
      } else {
        for (let k = 0; k < 6; k++) {
          const xi = interior ? x0 - 2 + k : clampIndex(x0 - 2 + k, vw);
          rs += lut[wxo + k] * d[row + xi * xs];
        }
      }
      acc += lut[wyo + j] * rs;
    }
    const xb = clampIndex(x0 + 1, vw) * xs;
    const yb = base + clampIndex(y0 + 1, vh) * ys;
    const p00 = d[ya + xa];
    const p10 = d[ya + xb];
    const p01 = d[yb + xa];
    const p11 = d[yb + xb];
    lo = Math.min(p00, p10, p01, p11);
    hi = Math.max(p00, p10, p01, p11);
  }
  // a NaN tap with non-zero weight has already turned acc into NaN
  if (acc !== acc) return Number.NaN;
  return acc < lo ? lo : acc > hi ? hi : acc;
}

/**
 * One output row of a plain (non-CFA) Lanczos warp: the hot loop of P6, written out for the
 * interior case (all 36 taps inside the frame); border pixels go through sampleLanczosView.
 */
function lanczosRow(
  d: Float32Array,
  base: number,
  W: number,
  H: number,
  out: Float32Array,
  o: number,
  outW: number,
  sx0: number,
  sy0: number,
  a: number,
  c: number,
): void {
  const lut = LANCZOS_LUT;
  const view: View = { data: d, base, xs: 1, ys: W, vw: W, vh: H };
  let sx = sx0;
  let sy = sy0;
  for (let x = 0; x < outW; x++, sx += a, sy += c) {
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const ix = Math.round((sx - x0) * LUT_RES);
    const iy = Math.round((sy - y0) * LUT_RES);
    if (x0 < 2 || y0 < 2 || x0 + 3 >= W || y0 + 3 >= H || ix === 0 || iy === 0 || ix === LUT_RES || iy === LUT_RES) {
      out[o + x] = sampleLanczosView(view, sx, sy);
      continue;
    }
    const wx = ix * 6;
    const wy = iy * 6;
    const w0 = lut[wx];
    const w1 = lut[wx + 1];
    const w2 = lut[wx + 2];
    const w3 = lut[wx + 3];
    const w4 = lut[wx + 4];
    const w5 = lut[wx + 5];
    let r = base + (y0 - 2) * W + x0 - 2;
    let acc = 0;
    for (let j = 0; j < 6; j++, r += W) {
      acc += lut[wy + j] * (w0 * d[r] + w1 * d[r + 1] + w2 * d[r + 2] + w3 * d[r + 3] + w4 * d[r + 4] + w5 * d[r + 5]);
    }
    const q = base + y0 * W + x0;
    const p00 = d[q];
    const p10 = d[q + 1];
    const p01 = d[q + W];
    const p11 = d[q + W + 1];
    let lo = p00 < p10 ? p00 : p10;
    let hi = p00 < p10 ? p10 : p00;
    if (p01 < lo) lo = p01;
    if (p01 > hi) hi = p01;
    if (p11 < lo) lo = p11;
    if (p11 > hi) hi = p11;
    // NaN taps made acc NaN; a NaN among the 2x2 also fails both comparisons above and below
    out[o + x] = acc !== acc || p00 !== p00 || p10 !== p10 || p01 !== p01 || p11 !== p11 ? Number.NaN : acc < lo ? lo : acc > hi ? hi : acc;
  }
}

/**
 * Bilinear sample of a plane at (x, y) with the warp's rules (edge replicate, NaN outside
 * [-0.5, w-0.5] x [-0.5, h-0.5] or when a weighted tap is NaN). Used by the NCC acceptance test.
 */
export function sampleBilinear(plane: Float32Array, w: number, h: number, x: number, y: number): number {
  return sampleBilinearView({ data: plane, base: 0, xs: 1, ys: w, vw: w, vh: h }, x, y);
}

function checkMatrix(M: Affine2x3): void {
  if (M.length !== 6 || !M.every(Number.isFinite)) throw new RangeError(`warp: matrix must be 6 finite numbers, got [${M.join(', ')}]`);
}

function isIntegerTranslation(M: Affine2x3, cfa: boolean): boolean {
  const [a, b, tx, c, d, ty] = M;
  if (a !== 1 || b !== 0 || c !== 0 || d !== 1 || !Number.isInteger(tx) || !Number.isInteger(ty)) return false;
  // an odd shift of a mosaic would move pixels across CFA phases
  return !cfa || (tx % 2 === 0 && ty % 2 === 0);
}

/**
 * Rows [y0, y1) of the warped image, all planes, as an Image of height y1 - y0. Lets the caller
 * stream the output in bands while the source frame stays in RAM.
 */
export function warpRows(
  src: Image,
  M: Affine2x3,
  outW: number,
  y0: number,
  y1: number,
  interp: Interpolation,
  opts: WarpOptions = {},
): Image {
  checkMatrix(M);
  if (!(Number.isInteger(outW) && outW >= 0 && Number.isInteger(y0) && Number.isInteger(y1) && y0 >= 0 && y1 >= y0)) {
    throw new RangeError(`warpRows: invalid output band width ${outW}, rows [${y0}, ${y1})`);
  }
  if (interp !== 'lanczos3' && interp !== 'bilinear') throw new RangeError(`warp: unknown interpolation ${String(interp)}`);
  const cfa = opts.cfa === true;
  if (cfa && src.planes !== 1) throw new RangeError(`warp: a CFA mosaic has 1 plane, got ${src.planes}`);
  const { width: W, height: H, planes } = src;
  const bandH = y1 - y0;
  const out = new Float32Array(outW * bandH * planes);
  const [a, b, tx, c, d, ty] = M;
  const sample = interp === 'lanczos3' ? sampleLanczosView : sampleBilinearView;

  if (isIntegerTranslation(M, cfa)) {
    out.fill(Number.NaN);
    for (let p = 0; p < planes; p++) {
      for (let y = y0; y < y1; y++) {
        const sy = y + ty;
        if (sy < 0 || sy >= H) continue;
        const xStart = Math.max(0, -tx);
        const xEnd = Math.min(outW, W - tx);
        if (xEnd <= xStart) continue;
        const s = (p * H + sy) * W + tx;
        out.set(src.data.subarray(s + xStart, s + xEnd), (p * bandH + y - y0) * outW + xStart);
      }
    }
    return { width: outW, height: bandH, planes, data: out };
  }

  if (!cfa) {
    for (let p = 0; p < planes; p++) {
      const view: View = { data: src.data, base: p * W * H, xs: 1, ys: W, vw: W, vh: H };
      for (let y = y0; y < y1; y++) {
        if (interp === 'lanczos3') {
          lanczosRow(src.data, p * W * H, W, H, out, (p * bandH + y - y0) * outW, outW, b * y + tx, d * y + ty, a, c);
          continue;
        }
        let sx = b * y + tx;
        let sy = d * y + ty;
        const o = (p * bandH + y - y0) * outW;
        for (let x = 0; x < outW; x++) {
          out[o + x] = sample(view, sx, sy);
          sx += a;
          sy += c;
        }
      }
    }
    return { width: outW, height: bandH, planes, data: out };
  }

  // CFA: phase o = (ox, oy); u_src = A*u + (A*o + t - o)/2 in that phase's half-resolution grid
  const views: View[] = [];
  const cx: number[] = [];
  const cy: number[] = [];
  for (let oy = 0; oy < 2; oy++) {
    for (let ox = 0; ox < 2; ox++) {
      views.push({
        data: src.data,
        base: oy * W + ox,
        xs: 2,
        ys: 2 * W,
        vw: (W - ox + 1) >> 1,
        vh: (H - oy + 1) >> 1,
      });
      cx.push((a * ox + b * oy + tx - ox) / 2);
      cy.push((c * ox + d * oy + ty - oy) / 2);
    }
  }
  for (let y = y0; y < y1; y++) {
    const oy = y & 1;
    const v = y >> 1;
    const o = (y - y0) * outW;
    for (let x = 0; x < outW; x++) {
      const ox = x & 1;
      const u = x >> 1;
      const ph = (oy << 1) | ox;
      out[o + x] = sample(views[ph], a * u + b * v + cx[ph], c * u + d * v + cy[ph]);
    }
  }
  return { width: outW, height: bandH, planes: 1, data: out };
}

/** The whole warped image: out(q) = src(M*q) on an outW x outH canvas. */
export function warpImage(
  src: Image,
  M: Affine2x3,
  outW: number,
  outH: number,
  interp: Interpolation,
  opts: WarpOptions = {},
): Image {
  if (!(Number.isInteger(outH) && outH >= 0)) throw new RangeError(`warpImage: invalid output height ${outH}`);
  return warpRows(src, M, outW, 0, outH, interp, opts);
}

/** Coverage of a warped image: 1 where every plane holds a value, 0 where any is NaN. */
export function coverageMask(img: Image): Uint8Array {
  const n = img.width * img.height;
  const mask = new Uint8Array(n).fill(1);
  for (let p = 0; p < img.planes; p++) {
    const o = p * n;
    for (let i = 0; i < n; i++) if (img.data[o + i] !== img.data[o + i]) mask[i] = 0;
  }
  return mask;
}
