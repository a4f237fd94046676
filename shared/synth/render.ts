import { bayerColorAt, type BayerPattern, type Image } from '../image/image';
import { cloudDimmingFn, fwhmAt, skyFn } from './field-models';
import { addSensorNoise } from './noise';
import { coreSigma } from './psf';
import { addGaussian, addLine, addStar, type Plane } from './splat';
import type { Affine, FrameConditions, Rgb, SkySpec } from './spec-types';

/**
 * Rendering. A frame is built in its own pixel grid in this order:
 *   sources (stars, galaxies, nebula, satellite trail; ADU per frame at unit transmission)
 *   x transmission (haze x cloud band, per pixel) + sky + hot pixels, then noise or expectation.
 * Only stamps are drawn per star, so the cost is ~ (pixels + stars x stamp area), one frame in RAM.
 */

/** How scene sources land on a pixel grid. */
interface Geometry {
  readonly matrix: Affine;
  /** Seeing FWHM at a pixel of the target grid. */
  fwhmAt(x: number, y: number): number;
}

/** Where colour goes: a mono/CFA plane (per-phase colour index) or three RGB planes. */
type Layout = { readonly kind: 'mono' } | { readonly kind: 'mosaic'; readonly pattern: BayerPattern } | { readonly kind: 'rgb' };

const PIXEL_BOX_VARIANCE = 1 / 12;

/** Per-phase fluxes for the four CFA phases (index (y&1)<<1 | (x&1)). */
function phaseFluxes(layout: Layout, flux: number, colour: Rgb, plane: number): number[] {
  switch (layout.kind) {
    case 'mono':
      return [flux, flux, flux, flux];
    case 'rgb':
      return [0, 0, 0, 0].fill(flux * colour[plane]);
    case 'mosaic':
      return [0, 1, 2, 3].map((p) => flux * colour[bayerColorAt(layout.pattern, p & 1, p >> 1)]);
  }
}

/** A plane to draw into and the colour channel it holds (0 for mono and mosaics). */
interface Target {
  readonly plane: Plane;
  readonly channel: number;
}

function drawSources(spec: SkySpec, targets: readonly Target[], layout: Layout, geo: Geometry): void {
  const { haloFraction, haloSigmaRatio } = spec.psf;
  const [a, b, tx, c, d, ty] = geo.matrix;
  for (const star of spec.stars) {
    const x = a * star.x + b * star.y + tx;
    const y = c * star.x + d * star.y + ty;
    const sigma = coreSigma(geo.fwhmAt(x, y), spec.psf);
    for (const { plane, channel } of targets) {
      addStar(plane, x, y, sigma, haloFraction, haloSigmaRatio, phaseFluxes(layout, star.flux, star.colour, channel));
    }
  }
  for (const src of spec.extended) {
    for (const blob of src.blobs) {
      const sx = src.x + blob.dx;
      const sy = src.y + blob.dy;
      const x = a * sx + b * sy + tx;
      const y = c * sx + d * sy + ty;
      // rotate the covariance into the grid: S' = A S A^T (A = the linear part, a rotation here)
      const cxx = a * a * blob.cxx + 2 * a * b * blob.cxy + b * b * blob.cyy;
      const cxy = a * c * blob.cxx + (a * d + b * c) * blob.cxy + b * d * blob.cyy;
      const cyy = c * c * blob.cxx + 2 * c * d * blob.cxy + d * d * blob.cyy;
      const sCore = coreSigma(geo.fwhmAt(x, y), spec.psf);
      const sHalo = sCore * haloSigmaRatio;
      const parts = psfParts(haloFraction, sCore, sHalo, Math.min(blob.cxx, blob.cyy) - Math.abs(blob.cxy));
      for (const { plane, channel } of targets) {
        for (const [share, v] of parts) {
          const flux = src.flux * blob.weight * share;
          addGaussian(plane, x, y, cxx + v, cxy, cyy + v, phaseFluxes(layout, flux, src.colour, channel));
        }
      }
    }
  }
}

/**
 * (flux share, variance) of the PSF parts a blob is convolved with. A blob much wider than the
 * halo (sigma > 5 sigma_halo) gets one Gaussian of the PSF's total variance instead of two: the
 * result differs by O((sigma_psf/sigma_blob)^4) < 1e-3 relative and halves the cost of the nebula.
 */
function psfParts(haloFraction: number, sCore: number, sHalo: number, blobMinVariance: number): [number, number][] {
  const core = sCore * sCore;
  const halo = sHalo * sHalo;
  if (haloFraction === 0) return [[1, core + PIXEL_BOX_VARIANCE]];
  if (blobMinVariance > 25 * halo) return [[1, (1 - haloFraction) * core + haloFraction * halo + PIXEL_BOX_VARIANCE]];
  return [
    [1 - haloFraction, core + PIXEL_BOX_VARIANCE],
    [haloFraction, halo + PIXEL_BOX_VARIANCE],
  ];
}

function layoutOf(spec: SkySpec, truth: boolean): Layout {
  if (spec.bayer === null) return { kind: 'mono' };
  return truth ? { kind: 'rgb' } : { kind: 'mosaic', pattern: spec.bayer };
}

/**
 * Frame f as the camera stores it: a mono or CFA mosaic plane in ADU, integers in [0, 65535]
 * (or, with `noiseFree`, the float expectation value of that readout before rounding/clipping).
 */
export function renderFrame(spec: SkySpec, f: number): Image {
  const frame = spec.frames[f];
  if (!frame) throw new RangeError(`frame ${f} is not in [0, ${spec.frames.length})`);
  const { width, height } = spec;
  const data = new Float32Array(width * height);
  const layout = layoutOf(spec, false);
  const plane: Plane = { data, offset: 0, width, height };
  drawSources(spec, [{ plane, channel: 0 }], layout, { matrix: frame.sceneToFrame, fwhmAt: (x, y) => fwhmAt(spec, frame, x, y) });
  if (frame.trail) {
    const t = frame.trail;
    const factors = phaseFluxes(layout, 1, [1, 1, 1], 0);
    addLine(plane, t.x, t.y, t.angleDeg, coreSigma(frame.fwhmPx, spec.psf), spec.psf.haloFraction, spec.psf.haloSigmaRatio, t.fluxPerPx, factors);
  }
  addAtmosphereAndSky(spec, frame, data, layout);
  for (const hot of spec.hotPixels) data[hot.y * width + hot.x] += hot.adu;
  const o = spec.options;
  if (o.noiseFree) {
    for (let i = 0; i < data.length; i++) data[i] += o.pedestalAdu;
  } else {
    addSensorNoise(data, o, o.seed, f);
  }
  return { width, height, planes: 1, data };
}

/** sources x transmission (haze x cloud band) + sky, one pass. */
function addAtmosphereAndSky(spec: SkySpec, frame: FrameConditions, data: Float32Array, layout: Layout): void {
  const { width, height } = spec;
  const t = frame.transparency;
  const dimming = frame.cloud ? cloudDimmingFn(frame.cloud, spec.centre[0], spec.centre[1]) : null;
  const factors = phaseFluxes(layout, 1, spec.skyColour, 0);
  // skyAt(x, y) is a row part plus a column part (the model has no x*y term)
  const sky = skyFn(spec, frame);
  const cx = spec.centre[0];
  const atCentre = sky(cx, 0);
  const column = new Float64Array(width);
  for (let x = 0; x < width; x++) column[x] = sky(x, 0) - atCentre;
  for (let y = 0; y < height; y++) {
    const row = sky(cx, y);
    const rowBit = (y & 1) << 1;
    const fEven = factors[rowBit];
    const fOdd = factors[rowBit | 1];
    let p = y * width;
    for (let x = 0; x < width; x++, p++) {
      const transmission = dimming ? t * (1 - dimming(x, y)) : t;
      data[p] = data[p] * transmission + (row + column[x]) * ((x & 1) === 0 ? fEven : fOdd);
    }
  }
}

/**
 * The truth: the scene in SCENE coordinates (frame = M_f * scene), noise-free, at the best seeing
 * of the set with no field variation, no atmosphere (transmission 1), no sky, no pedestal, no
 * sensor defects, no trails. Mono sets: one plane; colour sets: R, G, B planes (colour fluxes).
 */
export function renderTruthScene(spec: SkySpec): Image {
  const { width, height } = spec;
  const planes = truthPlaneCount(spec);
  const data = new Float32Array(width * height * planes);
  for (let c = 0; c < planes; c++) data.set(renderTruthPlane(spec, c), c * width * height);
  return { width, height, planes, data };
}

/** 1 for mono sets, 3 (R, G, B) for colour sets. */
export function truthPlaneCount(spec: SkySpec): number {
  return spec.bayer === null ? 1 : 3;
}

/** One plane of renderTruthScene, so a writer can stream a colour truth with one plane in memory. */
export function renderTruthPlane(spec: SkySpec, channel: number): Float32Array {
  if (!(Number.isInteger(channel) && channel >= 0 && channel < truthPlaneCount(spec))) {
    throw new RangeError(`truth plane ${channel} is not in [0, ${truthPlaneCount(spec)})`);
  }
  const { width, height } = spec;
  const data = new Float32Array(width * height);
  const identity: Affine = [1, 0, 0, 0, 1, 0];
  const plane: Plane = { data, offset: 0, width, height };
  drawSources(spec, [{ plane, channel }], layoutOf(spec, true), { matrix: identity, fwhmAt: () => spec.bestFwhmPx });
  return data;
}
