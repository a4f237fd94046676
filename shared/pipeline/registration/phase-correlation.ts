import { fft2d, nextPow2 } from '../../image/fft';

/**
 * Phase correlation (METHOD.md P4.5): zero-mean, Hann-windowed inputs zero-padded to powers of two,
 * normalized cross-power spectrum, peak with a parabolic sub-pixel fit per axis. Rotation from the
 * phase correlation of log-polar resampled FFT magnitudes.
 */

export function hannWindow(n: number): Float64Array {
  const w = new Float64Array(n);
  if (n === 1) {
    w[0] = 1;
    return w;
  }
  for (let i = 0; i < n; i++) w[i] = 0.5 * (1 - Math.cos((2 * Math.PI * i) / (n - 1)));
  return w;
}

export interface PhaseShift {
  /** mov(x) ≈ ref(x - d): the moving content is displaced by +d. */
  readonly dx: number;
  readonly dy: number;
  /** Height of the correlation peak: a relative score for comparing candidates on one image pair. */
  readonly peak: number;
}

/** Zero-mean (over finite values), optionally windowed, zero-padded copy as FFT input. */
function prepare(img: ArrayLike<number>, w: number, h: number, pw: number, ph: number, window: boolean): Float64Array {
  let s = 0;
  let n = 0;
  for (let i = 0; i < w * h; i++) {
    const v = img[i];
    if (v === v) {
      s += v;
      n++;
    }
  }
  const m = n > 0 ? s / n : 0;
  const hx = window ? hannWindow(w) : null;
  const hy = window ? hannWindow(h) : null;
  const out = new Float64Array(pw * ph);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img[y * w + x];
      const z = v === v ? v - m : 0;
      out[y * pw + x] = hx && hy ? z * hx[x] * hy[y] : z;
    }
  }
  return out;
}

function parabolicOffset(ym: number, y0: number, yp: number): number {
  const den = ym - 2 * y0 + yp;
  if (!(Math.abs(den) > 1e-15)) return 0;
  const off = (0.5 * (ym - yp)) / den;
  return Math.max(-0.5, Math.min(0.5, off));
}

/** Shift of `mov` relative to `ref` (both w x h, NaN allowed). */
export function phaseCorrelate(ref: ArrayLike<number>, mov: ArrayLike<number>, w: number, h: number, window = true): PhaseShift {
  const pw = nextPow2(w);
  const ph = nextPow2(h);
  const ar = prepare(ref, w, h, pw, ph, window);
  const ai = new Float64Array(pw * ph);
  const br = prepare(mov, w, h, pw, ph, window);
  const bi = new Float64Array(pw * ph);
  fft2d(ar, ai, pw, ph);
  fft2d(br, bi, pw, ph);
  // conj(A) * B / |conj(A) * B|: its inverse peaks at +d when mov(x) = ref(x - d).
  // The normalization is regularized by 1e-3 of the largest magnitude: bins with no signal
  // (above the content's bandwidth of a smooth, noise-poor image) would otherwise get full weight.
  let maxMag = 0;
  for (let i = 0; i < pw * ph; i++) {
    const re = ar[i] * br[i] + ai[i] * bi[i];
    const im = ar[i] * bi[i] - ai[i] * br[i];
    ar[i] = re;
    ai[i] = im;
    const mag = Math.hypot(re, im);
    if (mag > maxMag) maxMag = mag;
  }
  const reg = 1e-3 * maxMag + 1e-300;
  for (let i = 0; i < pw * ph; i++) {
    const mag = Math.hypot(ar[i], ai[i]) + reg;
    ar[i] /= mag;
    ai[i] /= mag;
  }
  fft2d(ar, ai, pw, ph, true);
  let best = 0;
  for (let i = 1; i < pw * ph; i++) if (ar[i] > ar[best]) best = i;
  const px = best % pw;
  const py = (best - px) / pw;
  const at = (x: number, y: number): number => ar[((y + ph) % ph) * pw + ((x + pw) % pw)];
  const fx = parabolicOffset(at(px - 1, py), at(px, py), at(px + 1, py));
  const fy = parabolicOffset(at(px, py - 1), at(px, py), at(px, py + 1));
  const dx = (px > pw / 2 ? px - pw : px) + fx;
  const dy = (py > ph / 2 ? py - ph : py) + fy;
  return { dx, dy, peak: ar[best] };
}

const LOG_POLAR_ANGLES = 512;
const LOG_POLAR_RADII = 256;

/** High-passed FFT magnitude of a square-padded, windowed image, DC at the centre. */
function magnitudeSpectrum(img: ArrayLike<number>, w: number, h: number, n: number): Float64Array {
  const re = prepare(img, w, h, n, n, true);
  const im = new Float64Array(n * n);
  fft2d(re, im, n, n);
  const out = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    const fy = (y < n / 2 ? y : y - n) / n;
    for (let x = 0; x < n; x++) {
      const fx = (x < n / 2 ? x : x - n) / n;
      // emphasise mid frequencies: the DC region carries no rotation information
      const hp = 1 - Math.cos(Math.PI * fx) * Math.cos(Math.PI * fy);
      const sx = (x + n / 2) % n;
      const sy = (y + n / 2) % n;
      out[sy * n + sx] = Math.log1p(Math.hypot(re[y * n + x], im[y * n + x])) * hp;
    }
  }
  return out;
}

function logPolar(mag: Float64Array, n: number): Float64Array {
  const out = new Float64Array(LOG_POLAR_ANGLES * LOG_POLAR_RADII);
  const c = n / 2;
  const rMax = n / 2 - 1;
  const logBase = Math.log(rMax) / LOG_POLAR_RADII;
  for (let ai = 0; ai < LOG_POLAR_ANGLES; ai++) {
    // the magnitude is symmetric under 180°, so the angle axis spans 180° only
    const th = (Math.PI * ai) / LOG_POLAR_ANGLES;
    const co = Math.cos(th);
    const si = Math.sin(th);
    for (let ri = 0; ri < LOG_POLAR_RADII; ri++) {
      const r = Math.exp(ri * logBase);
      const x = c + r * co;
      const y = c + r * si;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const i = y0 * n + x0;
      const v =
        x0 >= 0 && y0 >= 0 && x0 + 1 < n && y0 + 1 < n
          ? (1 - fy) * ((1 - fx) * mag[i] + fx * mag[i + 1]) + fy * ((1 - fx) * mag[i + n] + fx * mag[i + n + 1])
          : 0;
      out[ai * LOG_POLAR_RADII + ri] = v;
    }
  }
  return out;
}

/**
 * Rotation of `mov` relative to `ref` modulo 180°, in degrees in (-90, 90]: the moving content is
 * rotated by theta (same sense as the reference -> moving matrix R(theta)). Callers test theta and
 * theta + 180 (the magnitude spectrum cannot tell them apart).
 */
export function estimateRotation(ref: ArrayLike<number>, mov: ArrayLike<number>, w: number, h: number): { thetaDeg: number; peak: number } {
  const n = nextPow2(Math.max(w, h));
  const lpRef = logPolar(magnitudeSpectrum(ref, w, h, n), n);
  const lpMov = logPolar(magnitudeSpectrum(mov, w, h, n), n);
  // the angle axis is periodic: no window
  const s = phaseCorrelate(lpRef, lpMov, LOG_POLAR_RADII, LOG_POLAR_ANGLES, false);
  let theta = (s.dy * 180) / LOG_POLAR_ANGLES;
  if (theta > 90) theta -= 180;
  if (theta <= -90) theta += 180;
  return { thetaDeg: theta, peak: s.peak };
}
