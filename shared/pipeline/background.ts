/**
 * P2.2 background per colour (METHOD.md): an object mask per colour c (|v - median_c| >
 * 3*sigma_MAD_c, statistics of colour c only), the union of those masks dilated by a disk of
 * radius 3, then B[f,c] = median of the non-object pixels of colour c. If that is <= eps_bg, the
 * median after 5 rounds of 3-SD clipping of colour c; still <= eps_bg -> NO_POSITIVE_BACKGROUND,
 * returned as data (the frame is excluded, the run goes on).
 * Colours: MONO one; RGB the three planes; OSC R, G (both G phases together), B of the mosaic.
 * The colour helpers here are shared with local background matching (P6.4).
 */
import { bayerColorAt, type BayerPattern, type ColorMode, type Image } from '../image/image';
import { radixMedian, radixMedianAndSigmaMad, type PixelRuns } from '../image/radix-median';
import { dilateDiskByRuns } from '../image/rank-filters';
import { markObjectsWasm, withResidentPixels } from '../image/wasm/bg-radix';
import { medianInPlace } from '../image/stats';

export const EPS_BG = 1e-6;
export const OBJECT_MASK_SIGMA = 3;
export const OBJECT_MASK_DILATION_PX = 3;

/** How the pixels of an image split into colours. */
export interface ColourLayout {
  readonly colorMode: ColorMode;
  /** Required for OSC. */
  readonly pattern?: BayerPattern;
}

/** Pixel box [x0, x0+w) x [y0, y0+h). */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
}

export function colourCount(layout: ColourLayout): number {
  return layout.colorMode === 'MONO' ? 1 : 3;
}

/** Colour index of the 2x2 phase ((y & 1) << 1 | (x & 1)); all zeros for non-OSC layouts. */
export function phaseColours(layout: ColourLayout): Uint8Array {
  const t = new Uint8Array(4);
  if (layout.colorMode !== 'OSC') return t;
  if (!layout.pattern) throw new RangeError('OSC layout needs a Bayer pattern');
  for (let p = 0; p < 4; p++) t[p] = bayerColorAt(layout.pattern, p & 1, p >> 1);
  return t;
}

function checkLayout(image: Image, layout: ColourLayout): void {
  const want = layout.colorMode === 'RGB' ? 3 : 1;
  if (image.planes !== want) throw new RangeError(`${layout.colorMode} image needs ${want} plane(s), got ${image.planes}`);
}

/**
 * Calls visit(dataStart, pixelStart, step, count) for each row of `box` (default: the whole image)
 * that holds pixels of colour c, in row-major order: the row's colour-c pixels are
 * data[dataStart + k*step] at pixel index pixelStart + k*step, k < count. Per-row runs keep the
 * per-pixel loops of the callers tight (a callback per pixel cost more than the statistics).
 */
export function forEachColourRun(
  image: Image,
  layout: ColourLayout,
  c: number,
  visit: (dataStart: number, pixelStart: number, step: number, count: number) => void,
  box?: Box,
): void {
  const { width: w, height: h } = image;
  const x0 = box ? Math.max(0, box.x0) : 0;
  const y0 = box ? Math.max(0, box.y0) : 0;
  const x1 = box ? Math.min(w, box.x0 + box.w) : w;
  const y1 = box ? Math.min(h, box.y0 + box.h) : h;
  if (x1 <= x0) return;
  if (layout.colorMode === 'OSC') {
    const phase = phaseColours(layout);
    for (let y = y0; y < y1; y++) {
      const row = y * w;
      const even = phase[(y & 1) << 1] === c;
      const odd = phase[((y & 1) << 1) | 1] === c;
      if (even && odd) visit(row + x0, row + x0, 1, x1 - x0);
      else if (even || odd) {
        // first x >= x0 of the wanted parity
        const start = x0 + ((x0 & 1) === (even ? 0 : 1) ? 0 : 1);
        if (start < x1) visit(row + start, row + start, 2, ((x1 - start + 1) >> 1));
      }
    }
    return;
  }
  const planeBase = layout.colorMode === 'RGB' ? c * w * h : 0;
  for (let y = y0; y < y1; y++) {
    const row = y * w;
    visit(planeBase + row + x0, row + x0, 1, x1 - x0);
  }
}

/**
 * Calls visit(i, pixelIndex) for each pixel of colour c inside `box` (default: the whole image),
 * in row-major order; `i` is the offset into image.data (plane-major), pixelIndex = y*width + x.
 */
export function forEachColourPixel(
  image: Image,
  layout: ColourLayout,
  c: number,
  visit: (dataIndex: number, pixelIndex: number) => void,
  box?: Box,
): void {
  forEachColourRun(image, layout, c, (i0, p0, step, count) => {
    for (let k = 0, i = i0, p = p0; k < count; k++, i += step, p += step) visit(i, p);
  }, box);
}

/** The runs of forEachColourRun as a flat list of (dataStart, pixelStart, step, count). */
export function colourRuns(image: Image, layout: ColourLayout, c: number, box?: Box): PixelRuns {
  const runs: number[] = [];
  forEachColourRun(image, layout, c, (i0, p0, step, count) => {
    runs.push(i0, p0, step, count);
  }, box);
  return Int32Array.from(runs);
}

/** Number of pixels of colour c inside `box` (valid or not). */
export function colourPixelCount(image: Image, layout: ColourLayout, c: number, box?: Box): number {
  let n = 0;
  forEachColourRun(image, layout, c, (_i, _p, _step, count) => {
    n += count;
  }, box);
  return n;
}

/** Finite values of colour c (optionally inside a box, optionally skipping masked pixels). */
export function colourValues(image: Image, layout: ColourLayout, c: number, mask?: Uint8Array, box?: Box): Float64Array {
  const d = image.data;
  let n = 0;
  forEachColourRun(image, layout, c, (i0, p0, step, count) => {
    for (let k = 0, i = i0, p = p0; k < count; k++, i += step, p += step) {
      const v = d[i];
      // v - v is 0 for finite v, NaN for NaN and +-Infinity (Number.isFinite without the call)
      if (v - v === 0 && !(mask && mask[p])) n++;
    }
  }, box);
  const out = new Float64Array(n);
  let j = 0;
  forEachColourRun(image, layout, c, (i0, p0, step, count) => {
    for (let k = 0, i = i0, p = p0; k < count; k++, i += step, p += step) {
      const v = d[i];
      if (v - v === 0 && !(mask && mask[p])) out[j++] = v;
    }
  }, box);
  return out;
}

/**
 * Object mask of METHOD.md P2.2 over pixel positions (width x height): a pixel is an object if
 * its value deviates from its colour's median by more than 3 sigma_MAD of that colour, in any
 * colour/plane; the union is dilated by a disk of radius 3. NaN pixels are never objects.
 */
export function objectMask(image: Image, layout: ColourLayout): Uint8Array {
  return objectMasks(image, layout, false)[0];
}

/**
 * The mask to use for each colour. `independentColours` false: the spec's union mask for every
 * colour. true: each colour's own mask, dilated on its own, so that no colour's pixels influence
 * another colour's statistics (the strict profile's channel independence, METHOD.md property 7).
 */
export function objectMasks(image: Image, layout: ColourLayout, independentColours: boolean): Uint8Array[] {
  checkLayout(image, layout);
  // the median/MAD and marking passes of every colour read the pixels from one copy in the kernel
  return withResidentPixels(image.data, () => objectMasksOf(image, layout, independentColours));
}

function objectMasksOf(image: Image, layout: ColourLayout, independentColours: boolean): Uint8Array[] {
  const { width: w, height: h } = image;
  const nc = colourCount(layout);
  const d = image.data;
  const raws: Uint8Array[] = [];
  let raw = new Uint8Array(w * h);
  for (let c = 0; c < nc; c++) {
    if (independentColours && c > 0) raw = new Uint8Array(w * h);
    const runs = colourRuns(image, layout, c);
    const { median: med, sigma } = radixMedianAndSigmaMad(d, runs);
    if (Number.isFinite(med)) markObjects(d, runs, med, OBJECT_MASK_SIGMA * sigma, raw);
    if (independentColours) raws.push(raw);
  }
  if (!independentColours) {
    const union = dilateDiskByRuns(raw, w, h, OBJECT_MASK_DILATION_PX);
    return new Array<Uint8Array>(nc).fill(union);
  }
  return raws.map((m) => dilateDiskByRuns(m, w, h, OBJECT_MASK_DILATION_PX));
}

/** Sets target[p] for the pixels of the runs with |v - med| > limit (NaN compares false: never). */
function markObjects(d: Float32Array, runs: PixelRuns, med: number, limit: number, target: Uint8Array): void {
  if (markObjectsWasm(d, runs, med, limit, target)) return;
  for (let r = 0; r < runs.length; r += 4) {
    const step = runs[r + 2];
    const count = runs[r + 3];
    let i = runs[r];
    let p = runs[r + 1];
    const end = i + count * step;
    const end4 = i + (count - (count & 3)) * step;
    // unrolled: V8 runs this one-test loop body ~2x slower per pixel otherwise (as in radix-median)
    for (; i < end4; i += 4 * step, p += 4 * step) {
      if (Math.abs(d[i] - med) > limit) target[p] = 1;
      if (Math.abs(d[i + step] - med) > limit) target[p + step] = 1;
      if (Math.abs(d[i + 2 * step] - med) > limit) target[p + 2 * step] = 1;
      if (Math.abs(d[i + 3 * step] - med) > limit) target[p + 3 * step] = 1;
    }
    for (; i < end; i += step, p += step) if (Math.abs(d[i] - med) > limit) target[p] = 1;
  }
}

export interface BackgroundOptions {
  /** Per-colour object masks instead of their union (strict profile); default false. */
  readonly independentColours?: boolean;
}

/** Median after `rounds` rounds of |v - mean| <= k*SD clipping (population SD); NaN if empty. */
export function sigmaClippedMedian(values: Float64Array, rounds = 5, k = 3): number {
  let cur = values;
  for (let r = 0; r < rounds && cur.length > 0; r++) {
    let s = 0;
    for (let i = 0; i < cur.length; i++) s += cur[i];
    const m = s / cur.length;
    let v = 0;
    for (let i = 0; i < cur.length; i++) v += (cur[i] - m) * (cur[i] - m);
    const sd = Math.sqrt(v / cur.length);
    let n = 0;
    for (let i = 0; i < cur.length; i++) if (Math.abs(cur[i] - m) <= k * sd) n++;
    if (n === cur.length) break;
    const next = new Float64Array(n);
    let j = 0;
    for (let i = 0; i < cur.length; i++) if (Math.abs(cur[i] - m) <= k * sd) next[j++] = cur[i];
    cur = next;
  }
  return medianInPlace(cur.slice());
}

export type BackgroundResult =
  | {
      readonly ok: true;
      /** B[f,c] per colour (MONO [B]; RGB/OSC [R, G, B]). */
      readonly background: number[];
      /** Per colour: the 3-SD-clip fallback was needed. */
      readonly usedFallback: boolean[];
    }
  | {
      readonly ok: false;
      readonly code: 'NO_POSITIVE_BACKGROUND';
      /** First colour without a positive background. */
      readonly colour: number;
      readonly background: number[];
      readonly usedFallback: boolean[];
    };

/** B[f,c] of one calibrated raw frame (P2.2). */
export function measureBackground(image: Image, layout: ColourLayout, options: BackgroundOptions = {}): BackgroundResult {
  checkLayout(image, layout);
  // the masks' passes and the masked medians below read the pixels from one copy in the kernel
  return withResidentPixels(image.data, () => measureBackgroundOf(image, layout, options));
}

function measureBackgroundOf(image: Image, layout: ColourLayout, options: BackgroundOptions): BackgroundResult {
  const masks = objectMasks(image, layout, options.independentColours ?? false);
  const background: number[] = [];
  const usedFallback: boolean[] = [];
  let failed = -1;
  for (let c = 0; c < colourCount(layout); c++) {
    let b = radixMedian(image.data, colourRuns(image, layout, c), masks[c]);
    let fallback = false;
    if (!(b > EPS_BG)) {
      fallback = true;
      b = sigmaClippedMedian(colourValues(image, layout, c));
      if (!(b > EPS_BG) && failed < 0) failed = c;
    }
    background.push(b);
    usedFallback.push(fallback);
  }
  if (failed >= 0) return { ok: false, code: 'NO_POSITIVE_BACKGROUND', colour: failed, background, usedFallback };
  return { ok: true, background, usedFallback };
}
