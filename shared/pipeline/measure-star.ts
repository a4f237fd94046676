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
  const refined = windowedMoments(patch, r, bg, mx, my, cxx, cyy, cxy);
  let centreX = mx;
  let centreY = my;
  if (refined) {
    ({ mx: centreX, my: centreY, cxx, cyy, cxy } = refined);
  }
  const halfTrace = 0.5 * (cxx + cyy);
  const root = Math.sqrt(0.25 * (cxx - cyy) * (cxx - cyy) + cxy * cxy);
  const l1 = halfTrace + root;
  const l2 = halfTrace - root;
  if (!(l2 > 0) || !(l1 >= l2)) return null;
  const fwhmMajor = FWHM_PER_SIGMA * Math.sqrt(l1);
  const fwhmMinor = FWHM_PER_SIGMA * Math.sqrt(l2);
  if (!(fwhmMajor > 0.2 && fwhmMajor < 50 && fwhmMinor > 0.2 && fwhmMinor < 50)) return null;
  return {
    x: cx + centreX,
    y: cy + centreY,
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

const WINDOW_ITERATIONS = 10;

/**
 * [EXT] Noise-robust second moments. The plain moments of max(0, v - bg) over the whole patch count
 * every positive noise excursion with weight r², which inflates the FWHM of all but the brightest
 * stars (a 21×21 patch at SNR ~50 reads ~3× too wide). A Gaussian window of the star's own size
 * (SExtractor's "windowed" moments) suppresses the far noise; for a Gaussian star the windowed
 * moments M relate to the true covariance C by C = (M⁻¹ − W⁻¹)⁻¹ with W = σ_w²·I, so the result is
 * unbiased. Iterated from the plain moments until the size settles; null when it does not stay
 * positive definite (the caller keeps the plain moments).
 */
function windowedMoments(
  patch: Float64Array,
  r: number,
  bg: number,
  mx0: number,
  my0: number,
  cxx0: number,
  cyy0: number,
  cxy0: number,
): { mx: number; my: number; cxx: number; cyy: number; cxy: number } | null {
  let mx = mx0;
  let my = my0;
  let cxx = cxx0;
  let cyy = cyy0;
  let cxy = cxy0;
  let ok = false;
  for (let it = 0; it < WINDOW_ITERATIONS; it++) {
    const s2 = Math.max(0.25, 0.5 * (cxx + cyy));
    let sw = 0;
    let sx = 0;
    let sy = 0;
    for (let dy = -r, k = 0; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++, k++) {
        const v = patch[k] - bg;
        if (!(v > 0)) continue;
        const ex = dx - mx;
        const ey = dy - my;
        const wt = v * Math.exp(-(ex * ex + ey * ey) / (2 * s2));
        sw += wt;
        sx += wt * dx;
        sy += wt * dy;
      }
    }
    if (!(sw > 0)) return ok ? { mx, my, cxx, cyy, cxy } : null;
    const nx = sx / sw;
    const ny = sy / sw;
    let mxx = 0;
    let myy = 0;
    let mxy = 0;
    for (let dy = -r, k = 0; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++, k++) {
        const v = patch[k] - bg;
        if (!(v > 0)) continue;
        const ex = dx - nx;
        const ey = dy - ny;
        const wt = v * Math.exp(-((dx - mx) * (dx - mx) + (dy - my) * (dy - my)) / (2 * s2));
        mxx += wt * ex * ex;
        myy += wt * ey * ey;
        mxy += wt * ex * ey;
      }
    }
    mxx /= sw;
    myy /= sw;
    mxy /= sw;
    // C = (M^-1 - I/s2)^-1
    const det = mxx * myy - mxy * mxy;
    if (!(det > 0)) break;
    const ixx = myy / det - 1 / s2;
    const iyy = mxx / det - 1 / s2;
    const ixy = -mxy / det;
    const idet = ixx * iyy - ixy * ixy;
    if (!(ixx > 0 && iyy > 0 && idet > 0)) break;
    const nxx = iyy / idet;
    const nyy = ixx / idet;
    const nxy = -ixy / idet;
    const change = Math.abs(nxx + nyy - (cxx + cyy)) / (cxx + cyy);
    mx = nx;
    my = ny;
    cxx = nxx;
    cyy = nyy;
    cxy = nxy;
    ok = true;
    if (change < 1e-4) break;
  }
  return ok ? { mx, my, cxx, cyy, cxy } : null;
}
