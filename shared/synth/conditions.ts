import { invertAffine, sceneToFrameAffine } from './field-models';
import type { ResolvedSynthOptions } from './options';
import { randomStream, type RandomStream } from './random';
import type { CloudBand, FieldSeeing, FrameConditions, SkyModel, Trail } from './spec-types';

/**
 * Per-frame observing conditions. Each quantity is a small time series with its own stream, so a
 * night looks like a night: seeing drifts (AR(1) in ln FWHM) with bad stretches, haze drifts,
 * clouds pass in short episodes, the sky gradient turns slowly, pointing drifts plus dither.
 */

/** Lag-1 correlation of ln(FWHM) between consecutive frames. */
const SEEING_AR = 0.8;
/** Lag-1 correlation of the haze process. */
const HAZE_AR = 0.9;
/** Seconds between exposures (download, dither settle) for DATE-OBS. */
const GAP_S = 2;

export interface SeeingSeries {
  readonly fwhmPx: number[];
  readonly bad: boolean[];
  readonly stretches: [number, number][];
}

export function generateSeeing(o: ResolvedSynthOptions): SeeingSeries {
  const n = o.frames;
  const rng = randomStream(o.seed, 'seeing');
  const lnMedian = Math.log(o.fwhmMedianPx);
  const fwhm: number[] = [];
  let z = rng.normal();
  for (let f = 0; f < n; f++) {
    if (f > 0) z = SEEING_AR * z + Math.sqrt(1 - SEEING_AR * SEEING_AR) * rng.normal();
    fwhm.push(Math.exp(lnMedian + o.seeingSpreadLn * z));
  }
  const badRng = randomStream(o.seed, 'bad-seeing');
  const factor = new Array<number>(n).fill(1);
  const stretches: [number, number][] = [];
  for (let k = 0; k < o.badStretchCount; k++) {
    const length = Math.min(n, badRng.int(3, Math.min(12, Math.max(3, Math.floor(n / 4)))));
    const start = badRng.int(0, n - length);
    const worse = badRng.between(1.4, 1.8);
    for (let f = start; f < start + length; f++) factor[f] = Math.max(factor[f], worse);
    stretches.push([start, start + length - 1]);
  }
  stretches.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const [lo, hi] = o.fwhmRangePx;
  return {
    fwhmPx: fwhm.map((v, f) => Math.min(hi, Math.max(lo, v * factor[f]))),
    bad: factor.map((v) => v > 1),
    stretches,
  };
}

function generateFieldSeeing(o: ResolvedSynthOptions): FieldSeeing[] {
  const rng = randomStream(o.seed, 'field-seeing');
  let angle = rng.between(0, 360);
  const out: FieldSeeing[] = [];
  for (let f = 0; f < o.frames; f++) {
    if (f > 0) angle = (((angle + 35 * rng.normal()) % 360) + 360) % 360;
    out.push({ amplitude: o.fieldSeeingVariation * rng.between(0.4, 1), angleDeg: angle });
  }
  return out;
}

function generateTransparency(o: ResolvedSynthOptions): number[] {
  const rng = randomStream(o.seed, 'transparency');
  let z = rng.normal();
  const out: number[] = [];
  for (let f = 0; f < o.frames; f++) {
    if (f > 0) z = HAZE_AR * z + Math.sqrt(1 - HAZE_AR * HAZE_AR) * rng.normal();
    out.push(Math.min(1, Math.max(0.85, 1 - 0.03 * Math.abs(z))));
  }
  return out;
}

/**
 * Cloud episodes of up to 6 consecutive frames until round(cloudFraction*N) frames are cloudy. In an
 * episode one band drifts along its normal from outside one side part-way into the field.
 */
function generateClouds(o: ResolvedSynthOptions): (CloudBand | null)[] {
  const n = o.frames;
  const rng = randomStream(o.seed, 'clouds');
  const out: (CloudBand | null)[] = new Array(n).fill(null);
  const target = Math.round(o.cloudFraction * n);
  const short = Math.min(o.width, o.height);
  let cloudy = 0;
  for (let attempt = 0; cloudy < target && attempt < 100 * n; attempt++) {
    const wanted = Math.min(target - cloudy, rng.int(2, 6));
    const start = rng.int(0, n - 1);
    const angle = rng.between(0, 360);
    const halfWidth = rng.between(0.12, 0.25) * short;
    const edge = rng.between(0.3, 0.6) * halfWidth;
    const depth = rng.between(0.1, 0.4);
    const startFrac = rng.between(0.2, 0.6);
    const travelFrac = rng.between(0.2, 0.6);
    if (out[start] !== null) continue;
    // an episode never overlaps another: it is cut at the next cloudy frame (or the set's end)
    let length = 1;
    while (length < wanted && start + length < n && out[start + length] === null) length++;
    const rad = (angle * Math.PI) / 180;
    const extent = 0.5 * (Math.abs(Math.cos(rad)) * o.width + Math.abs(Math.sin(rad)) * o.height);
    const from = -extent - halfWidth + startFrac * extent;
    const travel = travelFrac * extent;
    for (let k = 0; k < length; k++) {
      const offsetPx = from + (length > 1 ? (travel * k) / (length - 1) : 0);
      out[start + k] = { angleDeg: angle, offsetPx, halfWidthPx: halfWidth, edgePx: edge, depth };
    }
    cloudy += length;
  }
  return out;
}

function generateSky(o: ResolvedSynthOptions): SkyModel[] {
  const rng = randomStream(o.seed, 'sky');
  const drift = rng.between(-0.15, 0.15);
  const angle0 = rng.between(0, 360);
  const turn = rng.between(-40, 40);
  const out: SkyModel[] = [];
  for (let f = 0; f < o.frames; f++) {
    const t = o.frames > 1 ? f / (o.frames - 1) : 0;
    out.push({
      levelAdu: o.skyLevelAdu * (1 + drift * (t - 0.5)) * (1 + 0.01 * rng.normal()),
      gradient: o.skyGradient * (1 + 0.2 * (t - 0.5)),
      angleDeg: angle0 + turn * t,
      quadratic: 0.25 * o.skyGradient,
    });
  }
  return out;
}

interface Pointing {
  dx: number;
  dy: number;
  rotationDeg: number;
}

/** A slow linear drift plus a random dither per frame, clamped to the configured maxima. */
function generatePointing(o: ResolvedSynthOptions): Pointing[] {
  const rng = randomStream(o.seed, 'transforms');
  const s = o.shiftMaxPx;
  const r = o.rotationMaxDeg;
  const [x0, x1, y0, y1] = [0, 0, 0, 0].map(() => rng.between(-0.5 * s, 0.5 * s));
  const r0 = rng.between(-0.9 * r, 0.9 * r);
  const r1 = rng.between(-0.9 * r, 0.9 * r);
  const clamp = (v: number, m: number) => Math.min(m, Math.max(-m, v));
  const out: Pointing[] = [];
  for (let f = 0; f < o.frames; f++) {
    const t = o.frames > 1 ? f / (o.frames - 1) : 0;
    out.push({
      dx: clamp(x0 + (x1 - x0) * t + rng.between(-0.5 * s, 0.5 * s), s),
      dy: clamp(y0 + (y1 - y0) * t + rng.between(-0.5 * s, 0.5 * s), s),
      rotationDeg: clamp(r0 + (r1 - r0) * t + rng.between(-0.1 * r, 0.1 * r), r),
    });
  }
  return out;
}

function generateTrails(o: ResolvedSynthOptions): (Trail | null)[] {
  const rng = randomStream(o.seed, 'trails');
  const out: (Trail | null)[] = new Array(o.frames).fill(null);
  const chosen = pickDistinct(rng, o.frames, Math.round(o.trailFraction * o.frames));
  for (const f of chosen) {
    out[f] = {
      x: rng.between(0, o.width - 1),
      y: rng.between(0, o.height - 1),
      angleDeg: rng.between(0, 180),
      fluxPerPx: rng.logBetween(300, 5000) * (o.exposureS / 10),
    };
  }
  return out;
}

/** k distinct indices of [0, n), in ascending order (partial Fisher-Yates). */
function pickDistinct(rng: RandomStream, n: number, k: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, n - 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

function dateObs(o: ResolvedSynthOptions, f: number): string {
  const ms = Date.parse(`${o.startIso}Z`) + Math.round(f * (o.exposureS + GAP_S) * 1000);
  return new Date(ms).toISOString().slice(0, 23);
}

export function generateConditions(o: ResolvedSynthOptions, seeing: SeeingSeries): FrameConditions[] {
  const cx = (o.width - 1) / 2;
  const cy = (o.height - 1) / 2;
  const field = generateFieldSeeing(o);
  const transparency = generateTransparency(o);
  const clouds = generateClouds(o);
  const sky = generateSky(o);
  const pointing = generatePointing(o);
  const trails = generateTrails(o);
  return pointing.map((p, f) => {
    const sceneToFrame = sceneToFrameAffine(cx, cy, p.dx, p.dy, p.rotationDeg);
    return {
      index: f,
      dx: p.dx,
      dy: p.dy,
      rotationDeg: p.rotationDeg,
      sceneToFrame,
      frameToScene: invertAffine(sceneToFrame),
      fwhmPx: seeing.fwhmPx[f],
      badSeeing: seeing.bad[f],
      fieldSeeing: field[f],
      transparency: transparency[f],
      cloud: clouds[f],
      sky: sky[f],
      trail: trails[f],
      dateObs: dateObs(o, f),
    };
  });
}
