/**
 * NaN-aware separable Gaussian blur (normalized convolution). Invalid pixels (NaN) do not
 * contribute; every output is the kernel-weighted mean of the valid pixels in its window, so the
 * image edge behaves like a NaN border (truncated kernel, renormalized) and never darkens.
 * Used by registration (P4.5 preprocessing) and by anyone needing a smooth, hole-tolerant blur.
 */

export interface GaussianBlurOptions {
  /**
   * false (default): a pixel that was NaN stays NaN (we never invent data in the work arrays).
   * true: NaN pixels receive the weighted mean of their valid neighbours (NaN if none in reach).
   */
  readonly fillInvalid?: boolean;
  /** Kernel half-width in units of sigma; 4 keeps the truncation error below 1e-4. */
  readonly truncate?: number;
}

/** Normalized 1-D Gaussian kernel of half-width ceil(truncate*sigma). */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  const r = Math.max(1, Math.ceil(truncate * sigma));
  const k = new Float64Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigma * sigma));
    k[i + r] = v;
    s += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/**
 * Gaussian blur of one plane (w x h, row-major). sigma <= 0 returns a copy.
 * Normalized convolution blur(v*m)/blur(m) with m = validity mask is exact for a separable kernel,
 * so both passes are plain 1-D convolutions of two float64 arrays.
 */
export function gaussianBlur(
  plane: Float32Array,
  w: number,
  h: number,
  sigma: number,
  opts: GaussianBlurOptions = {},
): Float32Array {
  if (plane.length !== w * h) throw new RangeError(`gaussianBlur: plane has ${plane.length} values, expected ${w * h}`);
  if (!(sigma > 0)) return plane.slice();
  const k = gaussianKernel(sigma, opts.truncate ?? 4);
  const r = (k.length - 1) >> 1;
  const n = w * h;
  // horizontal pass into (sum of v*w, sum of w)
  const hv = new Float64Array(n);
  const hm = new Float64Array(n);
  let anyInvalid = false;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w - 1, x + r);
      let sv = 0;
      let sm = 0;
      for (let xx = x0; xx <= x1; xx++) {
        const v = plane[row + xx];
        if (v === v) {
          const kw = k[xx - x + r];
          sv += kw * v;
          sm += kw;
        }
      }
      hv[row + x] = sv;
      hm[row + x] = sm;
      if (plane[row + x] !== plane[row + x]) anyInvalid = true;
    }
  }
  const out = new Float32Array(n);
  const keepNaN = !opts.fillInvalid && anyInvalid;
  // vertical pass, column-blocked by rows for cache friendliness
  const colV = new Float64Array(w);
  const colM = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h - 1, y + r);
    colV.fill(0);
    colM.fill(0);
    for (let yy = y0; yy <= y1; yy++) {
      const kw = k[yy - y + r];
      const row = yy * w;
      for (let x = 0; x < w; x++) {
        colV[x] += kw * hv[row + x];
        colM[x] += kw * hm[row + x];
      }
    }
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (keepNaN && plane[row + x] !== plane[row + x]) out[row + x] = Number.NaN;
      else out[row + x] = colM[x] > 1e-12 ? colV[x] / colM[x] : Number.NaN;
    }
  }
  return out;
}
