import type { Image } from '../../../shared/image/image';
import { createSkySpec, type SynthOptions } from '../../../shared/synth';
import type { SkySpec, SynthStar } from '../../../shared/synth';

/** Only stars (and the flat-ish sky): the cleanest scene for photometry and astrometry checks. */
export const STARS_ONLY: Partial<SynthOptions> = {
  noiseFree: true,
  galaxyCount: 0,
  nebula: false,
  hotPixelFraction: 0,
  cloudFraction: 0,
  trailFraction: 0,
};

export function spec(options: Partial<SynthOptions> & Pick<SynthOptions, 'frames' | 'width' | 'height'>): SkySpec {
  return createSkySpec(options as SynthOptions);
}

/** Stars whose nearest neighbour (any flux) is farther than `isolation` px in the scene. */
export function isolatedStars(s: SkySpec, isolation: number, minFlux = 0): SynthStar[] {
  return s.stars.filter(
    (a) => a.flux >= minFlux && s.stars.every((b) => b === a || Math.hypot(a.x - b.x, a.y - b.y) > isolation),
  );
}

export interface StampMoments {
  readonly sum: number;
  readonly cx: number;
  readonly cy: number;
  /** Second central moments (variance along x and y). */
  readonly vxx: number;
  readonly vyy: number;
}

/**
 * Flux-weighted moments of (image - background(x, y)) in the box of half-size r around (x, y),
 * or null if the box leaves the image.
 */
export function stampMoments(
  img: Image,
  x: number,
  y: number,
  r: number,
  background: (x: number, y: number) => number,
  plane = 0,
): StampMoments | null {
  const x0 = Math.round(x) - r;
  const y0 = Math.round(y) - r;
  if (x0 < 0 || y0 < 0 || x0 + 2 * r >= img.width || y0 + 2 * r >= img.height) return null;
  let s = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  const base = plane * img.width * img.height;
  for (let j = y0; j <= y0 + 2 * r; j++) {
    for (let i = x0; i <= x0 + 2 * r; i++) {
      const v = img.data[base + j * img.width + i] - background(i, j);
      s += v;
      sx += v * i;
      sy += v * j;
      sxx += v * i * i;
      syy += v * j * j;
    }
  }
  const cx = sx / s;
  const cy = sy / s;
  return { sum: s, cx, cy, vxx: sxx / s - cx * cx, vyy: syy / s - cy * cy };
}
