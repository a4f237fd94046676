import { pixelShares, STAMP_SIGMAS } from './psf';

/**
 * Drawing kernels: each adds one source to a float32 plane (width x height, starting at `offset`
 * in `data`). `phaseFlux[(y & 1) << 1 | (x & 1)]` is the flux a pixel of that CFA phase receives,
 * so one kernel serves mono (four equal values), CFA mosaics and single RGB planes.
 */
export interface Plane {
  readonly data: Float32Array;
  readonly offset: number;
  readonly width: number;
  readonly height: number;
}

let shareCx = new Float64Array(64);
let shareCy = new Float64Array(64);
let shareHx = new Float64Array(64);
let shareHy = new Float64Array(64);
// the x shares pre-multiplied by the column phase's flux, for even (0) and odd (1) rows
let rowCx0 = new Float64Array(64);
let rowCx1 = new Float64Array(64);
let rowHx0 = new Float64Array(64);
let rowHx1 = new Float64Array(64);

function ensureScratch(n: number): void {
  if (shareCx.length >= n) return;
  const size = Math.max(n, 2 * shareCx.length);
  shareCx = new Float64Array(size);
  shareCy = new Float64Array(size);
  shareHx = new Float64Array(size);
  shareHy = new Float64Array(size);
  rowCx0 = new Float64Array(size);
  rowCx1 = new Float64Array(size);
  rowHx0 = new Float64Array(size);
  rowHx1 = new Float64Array(size);
}

/** A pixel-integrated two-Gaussian PSF (core sigma, halo = haloRatio*sigma with haloFraction of the flux). */
export function addStar(
  plane: Plane,
  x: number,
  y: number,
  sigmaCore: number,
  haloFraction: number,
  haloRatio: number,
  phaseFlux: ArrayLike<number>,
): void {
  const sigmaHalo = sigmaCore * haloRatio;
  const halo = haloFraction > 0;
  const reach = Math.ceil(STAMP_SIGMAS * (halo ? sigmaHalo : sigmaCore));
  const x0 = Math.max(0, Math.round(x) - reach);
  const x1 = Math.min(plane.width - 1, Math.round(x) + reach);
  const y0 = Math.max(0, Math.round(y) - reach);
  const y1 = Math.min(plane.height - 1, Math.round(y) + reach);
  if (x0 > x1 || y0 > y1) return;
  const nx = x1 - x0 + 1;
  const ny = y1 - y0 + 1;
  ensureScratch(Math.max(nx, ny));
  pixelShares(x, sigmaCore, x0, nx, shareCx);
  pixelShares(y, sigmaCore, y0, ny, shareCy);
  if (halo) {
    pixelShares(x, sigmaHalo, x0, nx, shareHx);
    pixelShares(y, sigmaHalo, y0, ny, shareHy);
  }
  const core = 1 - haloFraction;
  for (let i = 0; i < nx; i++) {
    const col = (x0 + i) & 1;
    const f0 = phaseFlux[col];
    const f1 = phaseFlux[2 | col];
    rowCx0[i] = core * shareCx[i] * f0;
    rowCx1[i] = core * shareCx[i] * f1;
    rowHx0[i] = halo ? haloFraction * shareHx[i] * f0 : 0;
    rowHx1[i] = halo ? haloFraction * shareHx[i] * f1 : 0;
  }
  const { data, width } = plane;
  for (let j = 0; j < ny; j++) {
    const yy = y0 + j;
    const odd = (yy & 1) === 1;
    const cx = odd ? rowCx1 : rowCx0;
    const c = shareCy[j];
    const p0 = plane.offset + yy * width + x0;
    if (halo) {
      const hx = odd ? rowHx1 : rowHx0;
      const h = shareHy[j];
      for (let i = 0; i < nx; i++) data[p0 + i] += c * cx[i] + h * hx[i];
    } else {
      for (let i = 0; i < nx; i++) data[p0 + i] += c * cx[i];
    }
  }
}

/** Gaussians are drawn out to this many sigmas (the 2-D flux beyond is exp(-n^2/2) ~ 4e-6). */
const BLOB_SIGMAS = 5;

/**
 * A point-sampled elliptical Gaussian of total `phaseFlux` (covariance cxx, cxy, cyy; callers add
 * 1/12 px^2, the variance of the pixel box, to approximate pixel integration). Along a row the
 * exponent is quadratic in x, so exp() is evaluated once per row and the rest by two
 * multiplications per pixel.
 */
export function addGaussian(
  plane: Plane,
  mx: number,
  my: number,
  cxx: number,
  cxy: number,
  cyy: number,
  phaseFlux: ArrayLike<number>,
): void {
  const det = cxx * cyy - cxy * cxy;
  if (!(det > 0)) return;
  const a = cyy / det;
  const b = -cxy / det;
  const c = cxx / det;
  const norm = 1 / (2 * Math.PI * Math.sqrt(det));
  const n2 = BLOB_SIGMAS * BLOB_SIGMAS;
  const reachY = BLOB_SIGMAS * Math.sqrt(cyy);
  const y0 = Math.max(0, Math.ceil(my - reachY));
  const y1 = Math.min(plane.height - 1, Math.floor(my + reachY));
  const { data, width } = plane;
  const decay = Math.exp(-a);
  for (let y = y0; y <= y1; y++) {
    const dy = y - my;
    const disc = a * n2 - (dy * dy) / det;
    if (disc < 0) continue;
    const root = Math.sqrt(disc);
    const xs = Math.max(0, Math.ceil(mx + (-b * dy - root) / a));
    const xe = Math.min(width - 1, Math.floor(mx + (-b * dy + root) / a));
    if (xs > xe) continue;
    const dx = xs - mx;
    let g = norm * Math.exp(-0.5 * (a * dx * dx + 2 * b * dx * dy + c * dy * dy));
    let r = Math.exp(-0.5 * (a * (2 * dx + 1) + 2 * b * dy));
    const rowBit = (y & 1) << 1;
    const fEven = phaseFlux[rowBit | (xs & 1)];
    const fOdd = phaseFlux[rowBit | ((xs + 1) & 1)];
    let p = plane.offset + y * width + xs;
    for (let x = xs, k = 0; x <= xe; x++, k++, p++) {
      data[p] += g * ((k & 1) === 0 ? fEven : fOdd);
      g *= r;
      r *= decay;
    }
  }
}

/**
 * An infinite straight line through (x0, y0) at angleDeg with flux `fluxPerPx` per pixel of
 * length; its cross-section is the 1-D two-Gaussian PSF (plus the pixel-box variance 1/12).
 */
export function addLine(
  plane: Plane,
  x0: number,
  y0: number,
  angleDeg: number,
  sigmaCore: number,
  haloFraction: number,
  haloRatio: number,
  fluxPerPx: number,
  phaseFactor: ArrayLike<number>,
): void {
  const t = (angleDeg * Math.PI) / 180;
  const nx = -Math.sin(t);
  const ny = Math.cos(t);
  const vc = sigmaCore * sigmaCore + 1 / 12;
  const vh = (haloRatio * sigmaCore) ** 2 + 1 / 12;
  const ac = ((1 - haloFraction) * fluxPerPx) / Math.sqrt(2 * Math.PI * vc);
  const ah = (haloFraction * fluxPerPx) / Math.sqrt(2 * Math.PI * vh);
  const reach = STAMP_SIGMAS * Math.sqrt(haloFraction > 0 ? vh : vc);
  const { data, width, height } = plane;
  for (let y = 0; y < height; y++) {
    const sy = (y - y0) * ny;
    let xs = 0;
    let xe = width - 1;
    if (Math.abs(nx) > 1e-12) {
      const ua = x0 + (-reach - sy) / nx;
      const ub = x0 + (reach - sy) / nx;
      xs = Math.max(0, Math.ceil(Math.min(ua, ub)));
      xe = Math.min(width - 1, Math.floor(Math.max(ua, ub)));
    } else if (Math.abs(sy) > reach) {
      continue;
    }
    const rowBit = (y & 1) << 1;
    for (let x = xs; x <= xe; x++) {
      const s = (x - x0) * nx + sy;
      const s2 = s * s;
      const v = ac * Math.exp(-0.5 * (s2 / vc)) + (haloFraction > 0 ? ah * Math.exp(-0.5 * (s2 / vh)) : 0);
      data[plane.offset + y * width + x] += v * phaseFactor[rowBit | (x & 1)];
    }
  }
}
