/**
 * Synthetic skies: the test bed of the pipeline. Describe a set (`createSkySpec`), render any
 * frame on its own (`renderFrame`), render the truth (`renderTruthScene`), or write a whole set
 * with its truth files (`writeSynthSet`; conventions in the README.txt it writes, see truth.ts).
 *
 * The physics, and why each piece is there:
 * - Stars: uniform positions, fluxes from dN/dF ∝ F^-alpha (alpha = 2 by default; 2.5 would be
 *   a Euclidean population), so most stars are faint and a few saturate. Colours follow a rough
 *   black-body sequence. Galaxies (three concentric elliptical Gaussians) and a faint red nebula
 *   (six large Gaussians) give the tiles extended structure.
 * - PSF: Gaussian core + a 2x wider Gaussian halo with 10 % of the flux (psf.ts): Moffat-like
 *   wings, but separable and integrated over each pixel exactly, so fluxes and centroids are exact
 *   (~1e-6) instead of limited by supersampling. Galaxies are convolved analytically.
 * - Seeing per frame: log-normal around the median with an AR(1) drift (rho 0.8) plus bad
 *   stretches (3-12 consecutive frames, 1.4-1.8x worse), clamped to a range. Within a frame the
 *   FWHM changes linearly across the field (a per-frame direction that random-walks): different
 *   frames are sharpest in different regions, which is what tile-local weighting exploits.
 * - Atmosphere: haze (transparency 0.85-1, AR(1)) and, in ~10 % of the frames, a thin cloud band
 *   (60-90 % transmission, soft raised-cosine edges) drifting part-way across the field.
 * - Sky: level drifting slowly over the night, linear gradient whose direction turns slowly,
 *   slight quadratic term; not dimmed by cloud (light pollution comes from below the cloud).
 * - Pointing: a slow drift plus a per-frame dither within +-shiftMaxPx, rotation within
 *   +-rotationMaxDeg about the scene centre; frames are rendered at the transformed positions.
 * - Sensor: hot pixels fixed on the sensor, a satellite trail in ~3 % of frames, shot noise on
 *   electrons (exact Poisson < 50 e-, Gaussian above), Gaussian read noise, pedestal, 16-bit ADC
 *   with rounding and saturation at 65535.
 * Every random draw comes from a labelled mulberry32 stream (random.ts): same seed, same bytes.
 */
export { createSkySpec } from './create-sky-spec';
export { resolveSynthOptions, SynthOptionError, type SynthOptions, type ResolvedSynthOptions } from './options';
export { renderFrame, renderTruthPlane, renderTruthScene, truthPlaneCount } from './render';
export { frameCards, SYNTH_INSTRUMENT } from './frame-cards';
export { writeSynthSet, SynthCancelledError, type WriteSynthOptions, type SynthSetSummary } from './write-synth-set';
export { formatTruthJson, frameFileName, framesJson, sensorJson, starsJson, truthReadme } from './truth';
export { applyAffine, cloudDimming, fwhmAt, invertAffine, sceneToFrame, skyAt, transmissionAt } from './field-models';
export { centredPeakShare, coreSigma, normalCdf, STAMP_SIGMAS } from './psf';
export { SATURATION_ADU } from './noise';
export type * from './spec-types';
