import type { PsfModel } from './spec-types';

/**
 * The PSF: a Gaussian core plus a Gaussian halo twice as wide carrying `haloFraction` of the flux.
 * A pure Gaussian has no wings; a Moffat (beta ~ 3.5) has realistic ones but no closed-form pixel
 * integral. The two-Gaussian profile has wings of the right order, is separable, integrates over a
 * pixel exactly (differences of the normal CDF), and convolves an elliptical-Gaussian galaxy in
 * closed form (covariances add). So star fluxes and centroids are exact to ~1e-7, not to a
 * supersampling error. The FWHM quoted everywhere is the FWHM of this whole profile.
 */
export const HALO_SIGMA_RATIO = 2;

/** Stamps reach this many (largest) sigmas: the flux outside is < 1e-6 of the star's. */
export const STAMP_SIGMAS = 5.5;

export function psfModel(haloFraction: number): PsfModel {
  return { haloFraction, haloSigmaRatio: HALO_SIGMA_RATIO, fwhmPerCoreSigma: fwhmPerCoreSigma(haloFraction) };
}

/** FWHM / sigma_core of the two-Gaussian profile (2*sqrt(2 ln 2) for a pure Gaussian), by bisection. */
export function fwhmPerCoreSigma(haloFraction: number): number {
  const w = haloFraction;
  const s2 = HALO_SIGMA_RATIO * HALO_SIGMA_RATIO;
  const profile = (r: number) => (1 - w) * Math.exp(-0.5 * r * r) + (w / s2) * Math.exp((-0.5 * r * r) / s2);
  const half = 0.5 * profile(0);
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (profile(mid) > half) lo = mid;
    else hi = mid;
  }
  return lo + hi;
}

/** Core sigma for a profile FWHM. */
export function coreSigma(fwhmPx: number, psf: PsfModel): number {
  return fwhmPx / psf.fwhmPerCoreSigma;
}

// --- normal CDF: a cubic-Hermite table built from an exact series (abs. error < 1e-11) -------------

const Z_MAX = 8.5;
const STEP = 1 / 64;
const TABLE_N = Math.round((2 * Z_MAX) / STEP) + 1;
const CDF = new Float64Array(TABLE_N);
const PDF = new Float64Array(TABLE_N);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erf(x) for x >= 0 from the all-positive series erf(x) = 2/sqrt(pi) e^(-x^2) sum x (2x^2)^n / (2n+1)!!. */
function erfSeries(x: number): number {
  if (x > 6) return 1;
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
}

for (let i = 0; i < TABLE_N; i++) {
  const z = -Z_MAX + i * STEP;
  const e = erfSeries(Math.abs(z) / Math.SQRT2);
  CDF[i] = z >= 0 ? 0.5 * (1 + e) : 0.5 * (1 - e);
  PDF[i] = INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/** Standard normal CDF. */
export function normalCdf(z: number): number {
  if (z <= -Z_MAX) return 0;
  if (z >= Z_MAX) return 1;
  const t = (z + Z_MAX) / STEP;
  const i = Math.min(TABLE_N - 2, Math.floor(t));
  const u = t - i;
  const u2 = u * u;
  const u3 = u2 * u;
  return (
    (2 * u3 - 3 * u2 + 1) * CDF[i] +
    (u3 - 2 * u2 + u) * STEP * PDF[i] +
    (-2 * u3 + 3 * u2) * CDF[i + 1] +
    (u3 - u2) * STEP * PDF[i + 1]
  );
}

/**
 * out[k] = share of a 1-D Gaussian (centre, sigma) falling in pixel i0 + k, i.e. between
 * i0 + k - 0.5 and i0 + k + 0.5. Consecutive pixels share an edge, so the shares telescope and
 * their sum is exact whatever the table error.
 */
export function pixelShares(centre: number, sigma: number, i0: number, n: number, out: Float64Array): void {
  const inv = 1 / sigma;
  let prev = normalCdf((i0 - 0.5 - centre) * inv);
  for (let k = 0; k < n; k++) {
    const next = normalCdf((i0 + k + 0.5 - centre) * inv);
    out[k] = next - prev;
    prev = next;
  }
}

/** Peak pixel value of a star of unit flux centred on a pixel. */
export function centredPeakShare(fwhmPx: number, psf: PsfModel): number {
  const sc = coreSigma(fwhmPx, psf);
  const sh = sc * psf.haloSigmaRatio;
  const c = 2 * normalCdf(0.5 / sc) - 1;
  const h = 2 * normalCdf(0.5 / sh) - 1;
  return (1 - psf.haloFraction) * c * c + psf.haloFraction * h * h;
}
