import { bayerColorAt, type BayerPattern, type Image } from '../image/image';
import { median } from '../image/stats';
import { hotPixelCorrectionInPlace } from './cosmetic';
import { debayerBilinear } from './demosaic-bilinear';
import { debayerRcd } from './demosaic-rcd';

/**
 * P12 finish (METHOD.md): scale by B_out, debayer (RCD or bilinear), optional cosmetic correction, validity
 * by coverage, invalid value, crop to valid. Pure; the runner writes the FITS and PNG files.
 */

export interface FinishConfig {
  readonly debayer: boolean;
  readonly stacking: { readonly cosmetic_correction: boolean; readonly cosmetic_correction_sigma: number; readonly debayer_method: DebayerMethod };
  readonly output: { readonly min_coverage_fraction: number; readonly invalid_value: 'zero' | 'nan'; readonly crop_to_valid: boolean };
}

/** B_out[c] = median_f B[f,c] over finite positive values, else 1 [REF]. `bByChannel[c][f]`. */
export function outputBackgrounds(bByChannel: readonly ArrayLike<number>[]): number[] {
  return bByChannel.map((b) => {
    const pos: number[] = [];
    for (let f = 0; f < b.length; f++) if (Number.isFinite(b[f]) && b[f] > 0) pos.push(b[f]);
    const m = median(pos);
    return Number.isFinite(m) && m > 0 ? m : 1;
  });
}

/** Multiplies channel c by bOut[c]: plane c (mono/RGB) or CFA colour c of a mosaic when `cfa` is given. */
export function scaleByBackground(image: Image, bOut: readonly number[], cfa?: BayerPattern): Image {
  const { width: w, height: h, planes } = image;
  const out = new Float32Array(image.data.length);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (c * h + y) * w + x;
        const ch = cfa && planes === 1 ? bayerColorAt(cfa, x, y) : c;
        const s = bOut[ch] ?? 1;
        out[i] = image.data[i] * s;
      }
    }
  }
  return { width: w, height: h, planes, data: out };
}

export { debayerBilinear } from './demosaic-bilinear';
export { debayerRcd } from './demosaic-rcd';

/** P12.2 demosaic [DIFF: METHOD.md names bilinear only; rcd is the default, bench/QUALITY.md]. */
export type DebayerMethod = 'rcd' | 'bilinear';

/** The mosaic debayered by `method` (3 planes); the result, the mean stack and the QA views all go through here. */
export function debayerMosaic(mosaic: Float32Array, width: number, height: number, pattern: BayerPattern, method: DebayerMethod): Image {
  return method === 'rcd' ? debayerRcd(mosaic, width, height, pattern) : debayerBilinear(mosaic, width, height, pattern);
}

/**
 * P12.3 cosmetic correction on a copy of the image (the rule: hotPixelCorrectionInPlace).
 */
export function cosmeticCorrection(image: Image, sigmaK: number, cfa?: BayerPattern): { image: Image; corrected: number } {
  const copy = { width: image.width, height: image.height, planes: image.planes, data: image.data.slice() };
  return { image: copy, corrected: hotPixelCorrectionInPlace(copy, sigmaK, cfa) };
}

/** Coverage threshold of P12.4: max(1, ceil(min_coverage_fraction*N)). */
export function minCoverage(minCoverageFraction: number, nUsable: number): number {
  return Math.max(1, Math.ceil(minCoverageFraction * nUsable));
}

export interface ValidityResult {
  readonly image: Image;
  /** 1 where the pixel is finite in every plane and covered by enough frames. */
  readonly mask: Uint8Array;
  readonly validPixels: number;
}

/** Invalid (non-finite, or coverage below the threshold) pixels become 0 or NaN. */
export function applyValidity(image: Image, coverage: ArrayLike<number>, minCov: number, invalidValue: 'zero' | 'nan', inPlace = false): ValidityResult {
  const { width: w, height: h, planes } = image;
  const np = w * h;
  if (coverage.length !== np) throw new RangeError(`validity: coverage has ${coverage.length} pixels, image ${np}`);
  const fill = invalidValue === 'zero' ? 0 : Number.NaN;
  const data = inPlace ? image.data : image.data.slice();
  const mask = new Uint8Array(np);
  let validPixels = 0;
  for (let i = 0; i < np; i++) {
    const covered = coverage[i] >= minCov;
    let all = covered;
    for (let c = 0; c < planes; c++) {
      const k = c * np + i;
      if (!covered || !Number.isFinite(data[k])) {
        data[k] = fill;
        all = false;
      }
    }
    if (all) {
      mask[i] = 1;
      validPixels++;
    }
  }
  return { image: { width: w, height: h, planes, data }, mask, validPixels };
}

export interface CropBox {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Bounding box of mask = 1, or null when nothing is valid. `alignEven` moves the origin down to
 * even coordinates so a cropped mosaic keeps its Bayer phase.
 */
export function validBoundingBox(mask: Uint8Array, width: number, height: number, alignEven = false): CropBox | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  if (alignEven) {
    x0 -= x0 & 1;
    y0 -= y0 & 1;
  }
  return { x0, y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Crops every plane of an image (or a 1-plane array such as coverage) to `box`. */
export function cropPlanes<T extends Float32Array | Int32Array | Uint16Array>(data: T, width: number, height: number, planes: number, box: CropBox): T {
  const ctor = data.constructor as new (n: number) => T;
  const out = new ctor(planes * box.width * box.height);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < box.height; y++) {
      const src = (c * height + box.y0 + y) * width + box.x0;
      out.set(data.subarray(src, src + box.width) as unknown as ArrayLike<number>, (c * box.height + y) * box.width);
    }
  }
  return out;
}

export interface FinishInput {
  /** Assembled result on the canvas: mono, RGB planes, or (OSC) the 1-plane mosaic. */
  readonly stacked: Image;
  readonly colorMode: 'MONO' | 'OSC' | 'RGB';
  readonly bayerPattern?: BayerPattern;
  /** B[f,c] per channel (mono: 1, RGB/OSC: R, G, B), each over usable frames. */
  readonly backgrounds: readonly ArrayLike<number>[];
  /** P6 coverage count per canvas pixel. */
  readonly coverage: ArrayLike<number>;
  readonly nUsable: number;
}

export interface FinishResult {
  /** stack.fits data: mono or RGB (debayered OSC); the mosaic when debayer is off. */
  readonly image: Image;
  /** OSC: the scaled mosaic (stack_mosaic.fits), same validity and crop. */
  readonly mosaic: Image | null;
  readonly coverage: Int32Array;
  readonly crop: CropBox | null;
  readonly bOut: readonly number[];
  readonly validPixels: number;
  readonly cosmeticCorrected: number;
}

export function finishImage(input: FinishInput, cfg: FinishConfig): FinishResult {
  const { stacked, colorMode } = input;
  const osc = colorMode === 'OSC';
  if (osc && !input.bayerPattern) throw new RangeError('finish: OSC needs the Bayer pattern');
  const cfa = osc ? input.bayerPattern : undefined;
  const bOut = outputBackgrounds(input.backgrounds);
  const scaled = scaleByBackground(stacked, bOut, cfa);
  let image = osc && cfg.debayer ? debayerMosaic(scaled.data, scaled.width, scaled.height, cfa!, cfg.stacking.debayer_method) : scaled;
  let cosmeticCorrected = 0;
  if (cfg.stacking.cosmetic_correction) {
    cosmeticCorrected = hotPixelCorrectionInPlace(image, cfg.stacking.cosmetic_correction_sigma, image.planes === 1 ? cfa : undefined);
  }
  const minCov = minCoverage(cfg.output.min_coverage_fraction, input.nUsable);
  // every image here is this function's own copy (scaled or debayered): cosmetics and validity
  // are applied in place, which keeps a 24 MP finish two canvases smaller
  const valid = applyValidity(image, input.coverage, minCov, cfg.output.invalid_value, true);
  let mosaic = osc && cfg.debayer ? applyValidity(scaled, input.coverage, minCov, cfg.output.invalid_value, true).image : null;
  image = valid.image;
  // an Int32Array coverage (the assembler's) is used as it is: never written here, one canvas less
  let coverage = input.coverage instanceof Int32Array ? input.coverage : Int32Array.from(input.coverage);
  let crop: CropBox | null = null;
  if (cfg.output.crop_to_valid) {
    crop = validBoundingBox(valid.mask, image.width, image.height, osc);
    if (crop) {
      const box = crop;
      image = { width: box.width, height: box.height, planes: image.planes, data: cropPlanes(image.data, image.width, image.height, image.planes, box) };
      if (mosaic) mosaic = { width: box.width, height: box.height, planes: 1, data: cropPlanes(mosaic.data, mosaic.width, mosaic.height, 1, box) };
      coverage = cropPlanes(coverage, stacked.width, stacked.height, 1, box);
    }
  }
  return { image, mosaic, coverage, crop, bOut, validPixels: valid.validPixels, cosmeticCorrected };
}
