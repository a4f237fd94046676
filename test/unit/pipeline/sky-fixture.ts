/** Synthetic skies for the metric tests: flat or sloped background, Gaussian noise, Gaussian stars. */
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

export interface SkyStar {
  x: number;
  y: number;
  flux: number;
  sigma: number;
  /** sigma along y if different (elliptical star). */
  sigmaY?: number;
}

export interface SkyOptions {
  bg?: number;
  noise?: number;
  seed?: number;
  stars?: SkyStar[];
  /** background += gx*(x - w/2) + gy*(y - h/2) */
  gx?: number;
  gy?: number;
}

export function starValue(s: SkyStar, x: number, y: number): number {
  const sy = s.sigmaY ?? s.sigma;
  const dx = x - s.x;
  const dy = y - s.y;
  return (s.flux / (2 * Math.PI * s.sigma * sy)) * Math.exp(-0.5 * ((dx * dx) / (s.sigma * s.sigma) + (dy * dy) / (sy * sy)));
}

export function makeSky(w: number, h: number, o: SkyOptions = {}): Float32Array {
  const out = new Float32Array(w * h);
  const g = gaussianSource(mulberry32(o.seed ?? 1));
  const bg = o.bg ?? 1;
  const noise = o.noise ?? 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = bg + (o.gx ?? 0) * (x - w / 2) + (o.gy ?? 0) * (y - h / 2);
      if (noise > 0) v += noise * g();
      out[y * w + x] = v;
    }
  for (const s of o.stars ?? []) {
    const r = Math.ceil(6 * Math.max(s.sigma, s.sigmaY ?? 0));
    for (let y = Math.max(0, Math.floor(s.y - r)); y <= Math.min(h - 1, Math.ceil(s.y + r)); y++)
      for (let x = Math.max(0, Math.floor(s.x - r)); x <= Math.min(w - 1, Math.ceil(s.x + r)); x++) out[y * w + x] += starValue(s, x, y);
  }
  return out;
}

/** A grid of stars spaced `step` px apart, `margin` px from the edges. */
export function starGrid(w: number, h: number, step: number, margin: number, flux: number, sigma: number, jitter = 0.3): SkyStar[] {
  const stars: SkyStar[] = [];
  let k = 0;
  for (let y = margin; y <= h - margin; y += step)
    for (let x = margin; x <= w - margin; x += step) {
      k++;
      stars.push({ x: x + jitter * Math.sin(k * 1.7), y: y + jitter * Math.cos(k * 2.3), flux, sigma });
    }
  return stars;
}
