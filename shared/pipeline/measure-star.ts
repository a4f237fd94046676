/**
 * measure_star of METHOD.md P2 [REF] and the frame star metrics of P2.6.
 * measureStar works on one full plane (Y) and never reads outside its (2r+1)^2 patch.
 */
import { median, medianAndSigmaMad } from '../image/stats';
import { proxyToFull } from '../image/views';

/** 2*sqrt(2*ln 2): FWHM of a Gaussian per unit sigma, as written in the spec. */
export const FWHM_PER_SIGMA = 2.3548;

export interface StarMeasurement {
  /** Flux-weighted centroid, full-plane coordinates. */
  readonly x: number;
  readonly y: number;
  readonly fwhm: number;
  readonly fwhmMajor: number;
  readonly fwhmMinor: number;
  readonly roundness: number;
  readonly contrast: number;
  readonly peak: number;
  readonly bg: number;
}

/**
 * Measures the star near (x, y) in a patch of (2r+1)^2 pixels around the rounded position;
 * null when rejected (patch not inside or holding NaN, peak <= bg + 3s, degenerate moments,
 * FWHM axes outside (0.2, 50)).
 */
export function measureStar(
  plane: ArrayLike<number>,
  w: number,
  h: number,
  x: number,
  y: number,
  r: number,
  bgRef: number,
): StarMeasurement | null {
  const cx = Math.round(x);
  const cy = Math.round(y);
  if (!(cx - r >= 0 && cy - r >= 0 && cx + r < w && cy + r < h)) return null;
  const side = 2 * r + 1;
  const patch = new Float64Array(side * side);
  let peak = -Infinity;
  for (let dy = -r, k = 0; dy <= r; dy++) {
    const row = (cy + dy) * w;
    for (let dx = -r; dx <= r; dx++, k++) {
      const v = plane[row + cx + dx];
      if (!Number.isFinite(v)) return null;
      patch[k] = v;
      if (v > peak) peak = v;
    }
  }
  const { median: bg, sigma: s } = medianAndSigmaMad(patch);
  if (!(peak > bg + 3 * s)) return null;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let dy = -r, k = 0; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++, k++) {
      const wt = Math.max(0, patch[k] - bg);
      sw += wt;
      sx += wt * dx;
      sy += wt * dy;
    }
  }
  if (!(sw > 0)) return null;
  const mx = sx / sw;
  const my = sy / sw;
  let cxx = 0;
  let cyy = 0;
  let cxy = 0;
  for (let dy = -r, k = 0; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++, k++) {
      const wt = Math.max(0, patch[k] - bg);
      const ex = dx - mx;
      const ey = dy - my;
      cxx += wt * ex * ex;
      cyy += wt * ey * ey;
      cxy += wt * ex * ey;
    }
  }
  cxx /= sw;
  cyy /= sw;
  cxy /= sw;
  const halfTrace = 0.5 * (cxx + cyy);
  const root = Math.sqrt(0.25 * (cxx - cyy) * (cxx - cyy) + cxy * cxy);
  const l1 = halfTrace + root;
  const l2 = halfTrace - root;
  if (!(l2 > 0) || !(l1 >= l2)) return null;
  const fwhmMajor = FWHM_PER_SIGMA * Math.sqrt(l1);
  const fwhmMinor = FWHM_PER_SIGMA * Math.sqrt(l2);
  if (!(fwhmMajor > 0.2 && fwhmMajor < 50 && fwhmMinor > 0.2 && fwhmMinor < 50)) return null;
  return {
    x: cx + mx,
    y: cy + my,
    fwhm: Math.sqrt(fwhmMajor * fwhmMinor),
    fwhmMajor,
    fwhmMinor,
    roundness: fwhmMinor / fwhmMajor,
    contrast: peak / bgRef,
    peak,
    bg,
  };
}

/** P2.6 constants [REF]. */
export const FRAME_STAR_SEEDS = 200;
export const FRAME_STAR_RADIUS_PX = 10;
export const FRAME_STAR_OUTLIER_SIGMA = 2.5;
export const FRAME_STAR_MIN_COUNT = 25;

export interface FrameStarMetrics {
  /** Median FWHM of the kept stars (full-resolution px); null with fewer than 25 stars. */
  readonly fwhm: number | null;
  /** Median roundness of the kept stars; null without stars. */
  readonly roundness: number | null;
  /** Stars kept after the FWHM outlier drop. */
  readonly stars: number;
}

/**
 * Frame star metrics on the full-resolution luminance Y (P2.6). `proxyStars` are the registration
 * stars of the proxy, brightest first; the first 200 are mapped with full = 2*proxy + 0.5.
 */
export function measureFrameStars(
  y: ArrayLike<number>,
  w: number,
  h: number,
  proxyStars: ReadonlyArray<{ readonly x: number; readonly y: number }>,
): FrameStarMetrics {
  const measured: StarMeasurement[] = [];
  const seeds = proxyStars.slice(0, FRAME_STAR_SEEDS);
  for (const s of seeds) {
    const m = measureStar(y, w, h, proxyToFull(s.x), proxyToFull(s.y), FRAME_STAR_RADIUS_PX, 1);
    if (m) measured.push(m);
  }
  if (measured.length === 0) return { fwhm: null, roundness: null, stars: 0 };
  const { median: med, sigma } = medianAndSigmaMad(measured.map((m) => m.fwhm));
  const kept = measured.filter((m) => Math.abs(m.fwhm - med) <= FRAME_STAR_OUTLIER_SIGMA * sigma);
  if (kept.length === 0) return { fwhm: null, roundness: null, stars: 0 };
  return {
    fwhm: kept.length < FRAME_STAR_MIN_COUNT ? null : median(kept.map((m) => m.fwhm)),
    roundness: median(kept.map((m) => m.roundness)),
    stars: kept.length,
  };
}

/** wFWHM_f = FWHM_f * max(stars)/stars_f over the frames of a run; null where FWHM is undefined. */
export function weightedFwhm(frames: ReadonlyArray<FrameStarMetrics>): (number | null)[] {
  let maxStars = 0;
  for (const f of frames) if (f.stars > maxStars) maxStars = f.stars;
  return frames.map((f) => (f.fwhm === null || f.stars <= 0 ? null : (f.fwhm * maxStars) / f.stars));
}
