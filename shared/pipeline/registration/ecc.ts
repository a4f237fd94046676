import { sampleBilinear } from '../../image/warp';
import type { Affine2x3 } from './affine';

/**
 * ECC image alignment (Evangelidis & Psarakis 2008), Euclidean motion (or translation only):
 * maximizes the zero-mean normalized correlation rho between template(q) and image(M*q) by
 * Gauss-Newton steps on the ECC objective. M maps template (reference) coordinates to image
 * (moving) coordinates, like every matrix here.
 * To bound the cost on large proxies the template is sampled on a regular grid of at most
 * `maxSamples` pixels (the objective is a sum over pixels, so a uniform subset estimates it).
 */

export interface EccOptions {
  readonly maxIterations: number;
  /** Stop when rho changes by less than this between iterations. */
  readonly eps: number;
  readonly rotation: boolean;
  readonly maxSamples?: number;
}

export interface EccResult {
  readonly matrix: Affine2x3;
  readonly rho: number;
  readonly iterations: number;
}

const DEFAULT_MAX_SAMPLES = 1 << 17;

/** Central-difference gradients (one-sided at the border), NaN where a needed neighbour is NaN. */
function gradients(img: Float32Array, w: number, h: number): { gx: Float32Array; gy: Float32Array } {
  const gx = new Float32Array(w * h);
  const gy = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const xl = x > 0 ? i - 1 : i;
      const xr = x < w - 1 ? i + 1 : i;
      const yu = y > 0 ? i - w : i;
      const yd = y < h - 1 ? i + w : i;
      gx[i] = (img[xr] - img[xl]) / Math.max(1, xr - xl);
      gy[i] = (img[yd] - img[yu]) / Math.max(1, (yd - yu) / w);
    }
  }
  return { gx, gy };
}

function solve3(H: Float64Array, b: Float64Array, k: number): Float64Array | null {
  // Gaussian elimination with partial pivoting on a k x k system (k = 2 or 3)
  const A = new Float64Array(k * (k + 1));
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) A[r * (k + 1) + c] = H[r * 3 + c];
    A[r * (k + 1) + k] = b[r];
  }
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r * (k + 1) + c]) > Math.abs(A[p * (k + 1) + c])) p = r;
    if (!(Math.abs(A[p * (k + 1) + c]) > 1e-300)) return null;
    if (p !== c) {
      for (let j = 0; j <= k; j++) {
        const t = A[c * (k + 1) + j];
        A[c * (k + 1) + j] = A[p * (k + 1) + j];
        A[p * (k + 1) + j] = t;
      }
    }
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r * (k + 1) + c] / A[c * (k + 1) + c];
      for (let j = c; j <= k; j++) A[r * (k + 1) + j] -= f * A[c * (k + 1) + j];
    }
  }
  const x = new Float64Array(k);
  for (let r = 0; r < k; r++) x[r] = A[r * (k + 1) + k] / A[r * (k + 1) + r];
  return x.every(Number.isFinite) ? x : null;
}

/** Refines `init` (its rotation and shift; scale is dropped) to maximize rho; null if ECC diverges. */
export function eccAlign(
  template: Float32Array,
  image: Float32Array,
  w: number,
  h: number,
  init: Affine2x3,
  opts: EccOptions,
): EccResult | null {
  const step = Math.max(1, Math.ceil(Math.sqrt((w * h) / (opts.maxSamples ?? DEFAULT_MAX_SAMPLES))));
  const xs: number[] = [];
  const ys: number[] = [];
  const ts: number[] = [];
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      const t = template[y * w + x];
      if (t !== t) continue;
      xs.push(x);
      ys.push(y);
      ts.push(t);
    }
  }
  const n = xs.length;
  if (n < 16) return null;
  const { gx, gy } = gradients(image, w, h);
  const k = opts.rotation ? 3 : 2;
  let theta = opts.rotation ? Math.atan2(init[3] - init[1], init[0] + init[4]) : 0;
  let tx = init[2];
  let ty = init[5];
  const iv = new Float64Array(n);
  const tv = new Float64Array(n);
  const G = new Float64Array(n * 3);
  const valid = new Uint8Array(n);
  let rho = Number.NaN;
  let prevRho = Number.NaN;
  let it = 0;
  for (; it < opts.maxIterations; it++) {
    const co = Math.cos(theta);
    const si = Math.sin(theta);
    let m = 0;
    let si1 = 0;
    let st1 = 0;
    for (let p = 0; p < n; p++) {
      const x = xs[p];
      const y = ys[p];
      const X = co * x - si * y + tx;
      const Y = si * x + co * y + ty;
      const v = sampleBilinear(image, w, h, X, Y);
      const ix = sampleBilinear(gx, w, h, X, Y);
      const iy = sampleBilinear(gy, w, h, X, Y);
      if (v !== v || ix !== ix || iy !== iy) {
        valid[p] = 0;
        continue;
      }
      valid[p] = 1;
      m++;
      iv[p] = v;
      tv[p] = ts[p];
      si1 += v;
      st1 += ts[p];
      if (k === 3) {
        G[3 * p] = ix * (-si * x - co * y) + iy * (co * x - si * y);
        G[3 * p + 1] = ix;
        G[3 * p + 2] = iy;
      } else {
        G[3 * p] = ix;
        G[3 * p + 1] = iy;
      }
    }
    if (m < 16) return null;
    const mi = si1 / m;
    const mt = st1 / m;
    const H = new Float64Array(9);
    const gi = new Float64Array(3);
    const gt = new Float64Array(3);
    let ii = 0;
    let tt = 0;
    let it_ = 0;
    for (let p = 0; p < n; p++) {
      if (!valid[p]) continue;
      const a = iv[p] - mi;
      const b = tv[p] - mt;
      ii += a * a;
      tt += b * b;
      it_ += a * b;
      for (let r = 0; r < k; r++) {
        const gr = G[3 * p + r];
        gi[r] += gr * a;
        gt[r] += gr * b;
        for (let c = r; c < k; c++) H[r * 3 + c] += gr * G[3 * p + c];
      }
    }
    for (let r = 0; r < k; r++) for (let c = 0; c < r; c++) H[r * 3 + c] = H[c * 3 + r];
    if (!(ii > 0 && tt > 0)) return null;
    rho = it_ / Math.sqrt(ii * tt);
    if (it > 0 && Math.abs(rho - prevRho) < opts.eps) break;
    prevRho = rho;
    const hGi = solve3(H, gi, k);
    if (!hGi) return null;
    let lamN = ii;
    let lamD = it_;
    for (let r = 0; r < k; r++) {
      lamN -= gi[r] * hGi[r];
      lamD -= gt[r] * hGi[r];
    }
    if (!(lamD > 0)) return null;
    const lambda = lamN / lamD;
    // error = lambda*t - i; its projection on G is lambda*gt - gi
    const e = new Float64Array(3);
    for (let r = 0; r < k; r++) e[r] = lambda * gt[r] - gi[r];
    const dp = solve3(H, e, k);
    if (!dp) return null;
    if (k === 3) {
      theta += dp[0];
      tx += dp[1];
      ty += dp[2];
    } else {
      tx += dp[0];
      ty += dp[1];
    }
    if (!Number.isFinite(theta + tx + ty)) return null;
  }
  const co = Math.cos(theta);
  const si = Math.sin(theta);
  return { matrix: [co, -si, tx, si, co, ty], rho, iterations: it };
}
