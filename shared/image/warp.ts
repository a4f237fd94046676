import type { Image } from './image';
import { lanczosCfaWasm, lanczosPlaneWasm } from './wasm/lanczos-wasm';
import { bilinearRow, lanczosRow, lanczosRowCfa, MAX_VIEW_SIDE, sampleBilinearView, type View } from './warp-kernels';

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
 * Lanczos sums are float32 arithmetic in a fixed order (warp-kernels.ts; [DIFF] to the float64
 * accumulation of METHOD.md section 0, a change at float32 rounding, ~1e-7 relative). Lanczos rows
 * run in the WebAssembly SIMD kernel (wasm/lanczos-wasm.ts) where the runtime has it, else in the
 * JS kernels of warp-kernels.ts: the same bytes either way.
 */

/** x' = a*x + b*y + tx, y' = c*x + d*y + ty; maps canvas/reference -> moving-frame coordinates. */
export type Affine2x3 = readonly [number, number, number, number, number, number];
export type Interpolation = 'lanczos3' | 'bilinear';
export interface WarpOptions {
  /** Treat a 1-plane image as a Bayer mosaic: warp each CFA phase on its own. */
  readonly cfa?: boolean;
  /**
   * 'js' runs the JS sampling kernels even where the WebAssembly one is available (tests compare
   * the two; the bytes are identical). Default 'auto'.
   */
  readonly kernels?: 'auto' | 'js';
  /**
   * Write the output into this array (exactly planes * rows * outW values) instead of a new one:
   * a worker warping frame after frame reuses one canvas (util/scratch-buffers.ts). Every value
   * is written, whatever the array held.
   */
  readonly into?: Float32Array;
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
  if (W > MAX_VIEW_SIDE || H > MAX_VIEW_SIDE) throw new RangeError(`warp: frames up to ${MAX_VIEW_SIDE} px a side, got ${W}x${H}`);
  const bandH = y1 - y0;
  const size = outW * bandH * planes;
  if (opts.into && opts.into.length !== size) throw new RangeError(`warp: the output array holds ${opts.into.length} values, the band needs ${size}`);
  const out = opts.into ?? new Float32Array(size);
  const [a, b, tx, c, d, ty] = M;
  const lanczosWasm = interp === 'lanczos3' && opts.kernels !== 'js';

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
      if (lanczosWasm && lanczosPlaneWasm(view, M, out, p * bandH * outW, outW, y0, y1)) continue;
      for (let y = y0; y < y1; y++) {
        const o = (p * bandH + y - y0) * outW;
        if (interp === 'lanczos3') lanczosRow(view, out, o, outW, b * y + tx, d * y + ty, a, c);
        else bilinearRow(view, out, o, 1, outW, b * y + tx, d * y + ty, a, c);
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
  if (lanczosWasm && lanczosCfaWasm({ data: src.data, w: W, h: H, views, cx, cy }, M, out, outW, y0, y1)) {
    return { width: outW, height: bandH, planes: 1, data: out };
  }
  for (let y = y0; y < y1; y++) {
    const oy = y & 1;
    const v = y >> 1;
    const o = (y - y0) * outW;
    // each row holds two phases, at even and odd x; a phase pixel x = 2u + ox
    for (let ox = 0; ox < 2; ox++) {
      const ph = (oy << 1) | ox;
      const n = (outW - ox + 1) >> 1;
      if (interp === 'lanczos3') {
        lanczosRowCfa(views[ph], out, o + ox, n, a, b * v, cx[ph], c, d * v, cy[ph]);
      } else {
        const view = views[ph];
        for (let u = 0; u < n; u++) out[o + ox + 2 * u] = sampleBilinearView(view, a * u + b * v + cx[ph], c * u + d * v + cy[ph]);
      }
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
