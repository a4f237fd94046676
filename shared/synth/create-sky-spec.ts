import { generateGalaxies, generateHotPixels, generateNebula, generateStars, normaliseColour, sceneMarginPx } from './catalogue';
import { generateConditions, generateSeeing } from './conditions';
import { resolveSynthOptions, type SynthOptions } from './options';
import { psfModel } from './psf';
import type { SkySpec } from './spec-types';

/**
 * Describe a synthetic set (no pixels yet): validated options, the sky, the sensor and every
 * frame's conditions. Deterministic in the options; cheap (a 24 MP set's spec is ~50k stars).
 */
export function createSkySpec(options: SynthOptions): SkySpec {
  const o = resolveSynthOptions(options);
  const psf = psfModel(o.psfHaloFraction);
  const seeing = generateSeeing(o);
  const frames = generateConditions(o, seeing);
  return {
    options: o,
    width: o.width,
    height: o.height,
    bayer: o.bayer,
    centre: [(o.width - 1) / 2, (o.height - 1) / 2],
    halfDiagonal: 0.5 * Math.hypot(o.width, o.height),
    psf,
    stars: generateStars(o, sceneMarginPx(o, psf)),
    extended: [...generateGalaxies(o), ...generateNebula(o)],
    hotPixels: generateHotPixels(o),
    // a light-polluted sky: reddish, weak in blue
    skyColour: o.bayer ? normaliseColour(1.15, 1, 0.85) : [1, 1, 1],
    frames,
    bestFwhmPx: seeing.fwhmPx.reduce((m, v) => Math.min(m, v), Infinity),
    badStretches: seeing.stretches,
  };
}
