import type { ResolvedSynthOptions } from './options';
import { coreSigma, HALO_SIGMA_RATIO, STAMP_SIGMAS } from './psf';
import { randomStream } from './random';
import type { ExtendedSource, GaussianBlob, HotPixel, PsfModel, Rgb, SynthStar } from './spec-types';

/**
 * What is on the sky (scene coordinates) and what is wrong with the sensor. Each part draws from
 * its own stream: 'stars', 'galaxies', 'nebula', 'sensor'.
 */

/** Scene margin that keeps every frame's edges populated after shift, rotation and a PSF stamp. */
export function sceneMarginPx(o: ResolvedSynthOptions, psf: PsfModel): number {
  const halfDiagonal = 0.5 * Math.hypot(o.width, o.height);
  const worstFwhm = o.fwhmRangePx[1] * (1 + o.fieldSeeingVariation);
  const sigma = coreSigma(worstFwhm, psf) * (psf.haloFraction > 0 ? HALO_SIGMA_RATIO : 1);
  const rotation = halfDiagonal * Math.sin((Math.min(90, o.rotationMaxDeg) * Math.PI) / 180);
  return Math.ceil(o.shiftMaxPx * Math.SQRT2 + rotation + STAMP_SIGMAS * sigma + 1);
}

/**
 * Stars uniform over the scene plus margin; fluxes from dN/dF ∝ F^-alpha on [Fmin, Fmax] by
 * inverse CDF; colours from a warm-cool parameter (a rough black-body sequence).
 */
export function generateStars(o: ResolvedSynthOptions, marginPx: number): SynthStar[] {
  const rng = randomStream(o.seed, 'stars');
  const x0 = -marginPx;
  const y0 = -marginPx;
  const w = o.width - 1 + 2 * marginPx;
  const h = o.height - 1 + 2 * marginPx;
  const count = Math.round((o.starsPerMegapixel * (w + 1) * (h + 1)) / 1e6);
  const k = 1 - o.starPowerLawIndex;
  const a = Math.pow(o.starFluxMinAdu, k);
  const b = Math.pow(o.starFluxMaxAdu, k);
  const stars: SynthStar[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const x = x0 + w * rng.uniform();
    const y = y0 + h * rng.uniform();
    const flux = Math.pow(a + (b - a) * rng.uniform(), 1 / k);
    const colour = o.bayer ? starColour(rng.uniform()) : MONO;
    stars[i] = { id: i, x, y, flux, colour };
  }
  return stars;
}

const MONO: Rgb = [1, 1, 1];

/** t = 0: cool/red, t = 1: hot/blue. */
function starColour(t: number): Rgb {
  return normaliseColour(1.35 - 0.7 * t, 1, 0.6 + 0.8 * t);
}

export function normaliseColour(r: number, g: number, b: number): Rgb {
  const m = (r + 2 * g + b) / 4;
  return [r / m, g / m, b / m];
}

/**
 * Galaxies: three concentric elliptical Gaussians (sigma s/2, s, 2s; a centrally concentrated
 * stand-in for a Sersic profile that stays closed-form under the Gaussian PSF), random size,
 * axis ratio and position angle, yellowish.
 */
export function generateGalaxies(o: ResolvedSynthOptions): ExtendedSource[] {
  const rng = randomStream(o.seed, 'galaxies');
  const perTen = o.exposureS / 10;
  const maxScale = Math.max(3, 0.02 * Math.min(o.width, o.height));
  const out: ExtendedSource[] = [];
  for (let i = 0; i < o.galaxyCount; i++) {
    const x = rng.between(0, o.width - 1);
    const y = rng.between(0, o.height - 1);
    const flux = rng.logBetween(2e3, 2e5) * perTen;
    const scale = rng.logBetween(2, maxScale);
    const axisRatio = rng.between(0.3, 1);
    const pa = rng.between(0, Math.PI);
    const blobs = [0.5, 1, 2].map((m, j) =>
      ellipticalBlob(0, 0, [0.35, 0.4, 0.25][j], m * scale, m * scale * axisRatio, pa),
    );
    out.push({ kind: 'galaxy', x, y, flux, colour: o.bayer ? normaliseColour(1.2, 1, 0.75) : MONO, blobs });
  }
  return out;
}

/**
 * One faint emission nebula: six large overlapping elliptical Gaussians around a centre in the
 * inner field, each with a peak surface brightness of 2-8 % of the sky, H-alpha red.
 */
export function generateNebula(o: ResolvedSynthOptions): ExtendedSource[] {
  if (!o.nebula) return [];
  const rng = randomStream(o.seed, 'nebula');
  const d = Math.min(o.width, o.height);
  const cx = rng.between(0.3, 0.7) * (o.width - 1);
  const cy = rng.between(0.3, 0.7) * (o.height - 1);
  const fluxes: number[] = [];
  const shapes: [number, number, number, number, number][] = [];
  for (let i = 0; i < 6; i++) {
    const dx = 0.15 * d * rng.normal();
    const dy = 0.15 * d * rng.normal();
    const major = rng.logBetween(0.04, 0.15) * d;
    const minor = major * rng.between(0.4, 1);
    const pa = rng.between(0, Math.PI);
    const peak = rng.between(0.02, 0.08) * Math.max(o.skyLevelAdu, 1);
    fluxes.push(peak * 2 * Math.PI * major * minor);
    shapes.push([dx, dy, major, minor, pa]);
  }
  const total = fluxes.reduce((s, v) => s + v, 0);
  const blobs = shapes.map(([dx, dy, major, minor, pa], i) => ellipticalBlob(dx, dy, fluxes[i] / total, major, minor, pa));
  return [{ kind: 'nebula', x: cx, y: cy, flux: total, colour: o.bayer ? normaliseColour(1.8, 0.7, 0.8) : MONO, blobs }];
}

function ellipticalBlob(dx: number, dy: number, weight: number, major: number, minor: number, pa: number): GaussianBlob {
  const c = Math.cos(pa);
  const s = Math.sin(pa);
  const a2 = major * major;
  const b2 = minor * minor;
  return { dx, dy, weight, cxx: a2 * c * c + b2 * s * s, cxy: (a2 - b2) * c * s, cyy: a2 * s * s + b2 * c * c };
}

/** Hot pixels at distinct, fixed sensor positions (sorted row-major), dark signal log-uniform. */
export function generateHotPixels(o: ResolvedSynthOptions): HotPixel[] {
  const rng = randomStream(o.seed, 'sensor');
  const n = o.width * o.height;
  const count = Math.round(o.hotPixelFraction * n);
  const taken = new Set<number>();
  const adu = new Map<number, number>();
  while (taken.size < count) {
    const i = rng.int(0, n - 1);
    const v = rng.logBetween(200, 20_000) * (o.exposureS / 10);
    if (taken.has(i)) continue;
    taken.add(i);
    adu.set(i, v);
  }
  return [...taken].sort((p, q) => p - q).map((i) => ({ x: i % o.width, y: Math.floor(i / o.width), adu: adu.get(i)! }));
}
