import { BAYER_PATTERNS, type BayerPattern } from '../image/image';

/**
 * What a synthetic sky set looks like, validated once into a plain, defaults-filled object
 * (`resolveSynthOptions`). Levels in ADU are per frame at the chosen exposure; the flux and sky
 * defaults are quoted for 10 s and scale linearly with `exposureS`, as a real camera's would.
 */
export interface SynthOptions {
  frames: number;
  width: number;
  height: number;
  /** CFA pattern of a one-shot-colour mosaic; absent/null = mono. */
  bayer?: BayerPattern | null;
  seed?: number;
  exposureS?: number;
  /** Mean sky level above the pedestal [ADU]. */
  skyLevelAdu?: number;
  /** Bias/offset pedestal added to every pixel [ADU]. */
  pedestalAdu?: number;
  gainEPerAdu?: number;
  readNoiseE?: number;
  /** Median of the per-frame seeing FWHM (log-normal median, before bad stretches) [px]. */
  fwhmMedianPx?: number;
  /** Per-frame FWHM (at the frame centre) is clamped to this range [px]. */
  fwhmRangePx?: readonly [number, number];
  /** Standard deviation of ln(FWHM) of the AR(1) seeing process. */
  seeingSpreadLn?: number;
  /** Number of bad-seeing stretches (several consecutive frames each). */
  badStretchCount?: number;
  /** FWHM changes by up to +-this fraction across the field (from the centre to a corner). */
  fieldSeeingVariation?: number;
  /** Flux share of the broad PSF halo (0 = pure Gaussian PSF). */
  psfHaloFraction?: number;
  starsPerMegapixel?: number;
  starFluxMinAdu?: number;
  starFluxMaxAdu?: number;
  /** alpha in dN/dF ∝ F^-alpha (> 1). */
  starPowerLawIndex?: number;
  galaxyCount?: number;
  nebula?: boolean;
  /** Linear sky gradient: relative change of the sky level from the centre to the frame edge. */
  skyGradient?: number;
  /** Share of frames crossed by a thin cloud band. */
  cloudFraction?: number;
  /** Share of frames with a satellite trail. */
  trailFraction?: number;
  /** Share of sensor pixels that are hot. */
  hotPixelFraction?: number;
  shiftMaxPx?: number;
  rotationMaxDeg?: number;
  /** Render the expectation value: no shot/read noise, no rounding or clipping (float frames). */
  noiseFree?: boolean;
  /** DATE-OBS of frame 0, 'YYYY-MM-DDThh:mm:ss.sss' (UTC). */
  startIso?: string;
}

export type ResolvedSynthOptions = Required<Omit<SynthOptions, 'bayer' | 'fwhmRangePx'>> & {
  readonly bayer: BayerPattern | null;
  readonly fwhmRangePx: readonly [number, number];
};

export const SYNTH_MAX_SIDE = 100_000;

/** Every option problem has this shape; tests assert `code` and `path`. */
export class SynthOptionError extends Error {
  readonly code = 'SYNTH_OPTION_INVALID';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'SynthOptionError';
  }
}

export function resolveSynthOptions(o: SynthOptions): ResolvedSynthOptions {
  const frames = int('frames', o.frames, 1, 1_000_000);
  const width = int('width', o.width, 16, SYNTH_MAX_SIDE);
  const height = int('height', o.height, 16, SYNTH_MAX_SIDE);
  const bayer = o.bayer ?? null;
  if (bayer !== null && !BAYER_PATTERNS.includes(bayer)) {
    throw new SynthOptionError('bayer', `expected one of ${BAYER_PATTERNS.join(', ')}, got ${String(bayer)}`);
  }
  const exposureS = num('exposureS', o.exposureS ?? 10, 1e-3, 1e5);
  const perTen = exposureS / 10;
  const fwhmMedianPx = num('fwhmMedianPx', o.fwhmMedianPx ?? 3.0, 0.8, 50);
  const range = o.fwhmRangePx ?? [Math.max(0.7, 0.6 * fwhmMedianPx), 2.5 * fwhmMedianPx];
  const fwhmLo = num('fwhmRangePx[0]', range[0], 0.5, 100);
  const fwhmHi = num('fwhmRangePx[1]', range[1], fwhmLo, 100);
  if (!(fwhmLo <= fwhmMedianPx && fwhmMedianPx <= fwhmHi)) {
    throw new SynthOptionError('fwhmRangePx', `expected a range containing fwhmMedianPx ${fwhmMedianPx}, got [${fwhmLo}, ${fwhmHi}]`);
  }
  const starFluxMinAdu = num('starFluxMinAdu', o.starFluxMinAdu ?? 150 * perTen, 1e-3, 1e12);
  const starFluxMaxAdu = num('starFluxMaxAdu', o.starFluxMaxAdu ?? 2e6 * perTen, starFluxMinAdu, 1e12);
  const areaMp = (width * height) / 1e6;
  return {
    frames,
    width,
    height,
    bayer,
    seed: int('seed', o.seed ?? 1, 0, Number.MAX_SAFE_INTEGER),
    exposureS,
    skyLevelAdu: num('skyLevelAdu', o.skyLevelAdu ?? 800 * perTen, 0, 60_000),
    pedestalAdu: num('pedestalAdu', o.pedestalAdu ?? 200, 0, 30_000),
    gainEPerAdu: num('gainEPerAdu', o.gainEPerAdu ?? 1.0, 1e-3, 1e3),
    readNoiseE: num('readNoiseE', o.readNoiseE ?? 3.0, 0, 1e3),
    fwhmMedianPx,
    fwhmRangePx: [fwhmLo, fwhmHi],
    seeingSpreadLn: num('seeingSpreadLn', o.seeingSpreadLn ?? 0.12, 0, 2),
    badStretchCount: int('badStretchCount', o.badStretchCount ?? (frames >= 8 ? Math.max(1, Math.round(frames / 60)) : 0), 0, frames),
    fieldSeeingVariation: num('fieldSeeingVariation', o.fieldSeeingVariation ?? 0.15, 0, 0.6),
    psfHaloFraction: num('psfHaloFraction', o.psfHaloFraction ?? 0.1, 0, 0.5),
    starsPerMegapixel: num('starsPerMegapixel', o.starsPerMegapixel ?? 2000, 0, 1e6),
    starFluxMinAdu,
    starFluxMaxAdu,
    starPowerLawIndex: num('starPowerLawIndex', o.starPowerLawIndex ?? 2.0, 1.05, 5),
    galaxyCount: int('galaxyCount', o.galaxyCount ?? Math.round(Math.min(40, Math.max(2, 3 * areaMp))), 0, 10_000),
    nebula: bool('nebula', o.nebula ?? true),
    skyGradient: num('skyGradient', o.skyGradient ?? 0.08, 0, 0.9),
    cloudFraction: num('cloudFraction', o.cloudFraction ?? 0.1, 0, 1),
    trailFraction: num('trailFraction', o.trailFraction ?? 0.03, 0, 1),
    hotPixelFraction: num('hotPixelFraction', o.hotPixelFraction ?? 1e-4, 0, 0.01),
    shiftMaxPx: num('shiftMaxPx', o.shiftMaxPx ?? 20, 0, 10_000),
    rotationMaxDeg: num('rotationMaxDeg', o.rotationMaxDeg ?? 0.5, 0, 180),
    noiseFree: bool('noiseFree', o.noiseFree ?? false),
    startIso: iso('startIso', o.startIso ?? '2024-03-15T21:00:00.000'),
  };
}

function num(path: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new SynthOptionError(path, `expected a number in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

function int(path: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    throw new SynthOptionError(path, `expected an integer in [${lo}, ${hi}], got ${String(v)}`);
  }
  return v;
}

function bool(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new SynthOptionError(path, `expected true or false, got ${String(v)}`);
  return v;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;

function iso(path: string, v: unknown): string {
  if (typeof v !== 'string' || !ISO.test(v) || !Number.isFinite(Date.parse(`${v}Z`))) {
    throw new SynthOptionError(path, `expected 'YYYY-MM-DDThh:mm:ss.sss', got ${String(v)}`);
  }
  return v;
}
