import type { BayerPattern } from '../image/image';
import type { ResolvedSynthOptions } from './options';

/**
 * The complete, deterministic description of a synthetic set: everything a frame needs is here,
 * so frames can be rendered in any order, independently, one at a time. All coordinates follow
 * METHOD.md section 0 (x = column, y = row, 0-based, pixel centres at integers).
 */

/** 2x3 affine [a, b, tx, c, d, ty]: x' = a*x + b*y + tx, y' = c*x + d*y + ty. */
export type Affine = readonly [number, number, number, number, number, number];

/** R, G, B fluxes of a full colour plane; normalised so (R + 2G + B)/4 = the mono flux. */
export type Rgb = readonly [number, number, number];

export interface SynthStar {
  readonly id: number;
  /** Scene coordinates; stars fill a margin around the scene so shifted frames have stars at their edges. */
  readonly x: number;
  readonly y: number;
  /** Total ADU per frame at unit transparency (mono flux, see Rgb). */
  readonly flux: number;
  /** Colour ratios (R, G, B), (r + 2g + b)/4 = 1; [1, 1, 1] for mono sets. */
  readonly colour: Rgb;
}

/** One elliptical Gaussian of an extended source, offset from the source centre (scene coordinates). */
export interface GaussianBlob {
  readonly dx: number;
  readonly dy: number;
  /** Share of the source's flux. */
  readonly weight: number;
  /** Covariance [px^2] in scene coordinates before the PSF. */
  readonly cxx: number;
  readonly cxy: number;
  readonly cyy: number;
}

export interface ExtendedSource {
  readonly kind: 'galaxy' | 'nebula';
  readonly x: number;
  readonly y: number;
  readonly flux: number;
  readonly colour: Rgb;
  readonly blobs: readonly GaussianBlob[];
}

export interface HotPixel {
  /** Sensor (= frame) coordinates: they never move with the sky. */
  readonly x: number;
  readonly y: number;
  /** Dark signal added before noise [ADU]. */
  readonly adu: number;
}

/** Seeing varies linearly across the frame: FWHM(x,y) = fwhm * (1 + amplitude * u), u in [-1, 1]. */
export interface FieldSeeing {
  readonly amplitude: number;
  /** Direction (frame coordinates) in which the FWHM grows. */
  readonly angleDeg: number;
}

/**
 * A soft-edged straight band of thin cloud in frame coordinates. With s = signed distance of a
 * pixel from the band's centre line, |s| <= halfWidthPx dims to (1 - depth); the dimming falls to
 * 0 with a raised cosine over edgePx beyond; |s| >= halfWidthPx + edgePx is clear.
 */
export interface CloudBand {
  /** Direction of the band's normal (the direction it drifts). */
  readonly angleDeg: number;
  /** Signed distance of the centre line from the frame centre along the normal [px]. */
  readonly offsetPx: number;
  readonly halfWidthPx: number;
  readonly edgePx: number;
  /** Fractional dimming in the core, 0.1..0.4 (transmission 60-90 %). */
  readonly depth: number;
}

/** Sky (ADU above pedestal) = level * colour * (1 + gradient * (u cos a + v sin a) + quadratic * (u^2 + v^2)). */
export interface SkyModel {
  readonly levelAdu: number;
  readonly gradient: number;
  readonly angleDeg: number;
  readonly quadratic: number;
}

/** A satellite trail across the whole frame (frame coordinates), PSF-wide. */
export interface Trail {
  /** A point on the line and its direction. */
  readonly x: number;
  readonly y: number;
  readonly angleDeg: number;
  /** Flux per pixel of trail length [ADU/px]. */
  readonly fluxPerPx: number;
}

export interface FrameConditions {
  readonly index: number;
  /** Scene -> frame: frame = R(theta)(scene - c) + c + (dx, dy), c = the scene centre. */
  readonly dx: number;
  readonly dy: number;
  readonly rotationDeg: number;
  readonly sceneToFrame: Affine;
  readonly frameToScene: Affine;
  /** Seeing FWHM at the frame centre [px]. */
  readonly fwhmPx: number;
  readonly badSeeing: boolean;
  readonly fieldSeeing: FieldSeeing;
  /** Global transparency (haze), multiplies all sources. */
  readonly transparency: number;
  readonly cloud: CloudBand | null;
  readonly sky: SkyModel;
  readonly trail: Trail | null;
  readonly dateObs: string;
}

export interface PsfModel {
  /** Flux share of the halo Gaussian. */
  readonly haloFraction: number;
  /** sigma_halo / sigma_core. */
  readonly haloSigmaRatio: number;
  /** FWHM of the whole profile / sigma_core. */
  readonly fwhmPerCoreSigma: number;
}

export interface SkySpec {
  readonly options: ResolvedSynthOptions;
  readonly width: number;
  readonly height: number;
  readonly bayer: BayerPattern | null;
  /** Scene centre (rotation centre) and half diagonal (field-seeing normalisation). */
  readonly centre: readonly [number, number];
  readonly halfDiagonal: number;
  readonly psf: PsfModel;
  readonly stars: readonly SynthStar[];
  readonly extended: readonly ExtendedSource[];
  readonly hotPixels: readonly HotPixel[];
  /** Sky colour ratios for mosaics, (r + 2g + b)/4 = 1. */
  readonly skyColour: Rgb;
  readonly frames: readonly FrameConditions[];
  /** Smallest per-frame FWHM: the seeing of the truth scene. */
  readonly bestFwhmPx: number;
  /** First/last frame index (inclusive) of every bad-seeing stretch. */
  readonly badStretches: readonly (readonly [number, number])[];
}
