import { bayerColorAt, type BayerPattern, type Image } from '../image/image';
import { medianAndSigmaMad, medianInPlace, MAD_TO_SIGMA } from '../image/stats';

/**
 * [EXT] Isolated-pixel suppression on a normalized CFA mosaic, for measuring only (P6.5 local
 * metrics of OSC data; the stacked pixels are untouched, sigma clipping handles them there).
 *
 * Why: on the OSC luminance view (2x2 sliding mean) a hot pixel becomes a flat 2x2 block of FWHM
 * about 2 px, which the star measurement cannot tell from a sharp star, and sensor-fixed hot pixels
 * outnumber the real stars of a tile in short subs: the tile FWHM then sat at ~2.3 px whatever the
 * seeing (bench/QUALITY.md, OSC). A star lights its four direct neighbours too (other colours, one
 * pixel away: >= 25 % of its peak excess for FWHM >= 1.5 px even for strongly coloured stars); a hot
 * pixel or cosmic ray does not.
 *
 * Rule: pixel p with excess e = v - b over the median b of its 8 same-colour neighbours (two pixels
 * away) is isolated iff e > ISOLATED_MIN_SIGMA * sigma and the mean excess of its 4 direct
 * neighbours over their own same-colour backgrounds is below ISOLATED_NEIGHBOUR_SHARE * e; it is
 * replaced by b. sigma = sigma_MAD of (v - b) over a regular sample. NaN stays NaN. Borders (2 px)
 * are left as they are.
 */
export const ISOLATED_MIN_SIGMA = 5;
export const ISOLATED_NEIGHBOUR_SHARE = 0.1;
const NOISE_SAMPLE_STRIDE = 7;

/** Median of the 8 same-colour neighbours (distance 2) of (x, y); NaN-free callers only. */
function sameColourBackground(d: Float32Array, w: number, i: number, scratch: Float64Array): number {
  const up = i - 2 * w;
  const down = i + 2 * w;
  scratch[0] = d[up - 2];
  scratch[1] = d[up];
  scratch[2] = d[up + 2];
  scratch[3] = d[i - 2];
  scratch[4] = d[i + 2];
  scratch[5] = d[down - 2];
  scratch[6] = d[down];
  scratch[7] = d[down + 2];
  let n = 0;
  for (let k = 0; k < 8; k++) if (scratch[k] === scratch[k]) scratch[n++] = scratch[k];
  return n === 0 ? Number.NaN : medianInPlace(scratch.subarray(0, n));
}

/** Isolated bright pixels of a mosaic and their replacement values; reads `mosaic` only. */
function findIsolatedPixels(mosaic: Float32Array, w: number, h: number): { index: number[]; value: number[] } {
  if (mosaic.length !== w * h) throw new RangeError(`suppressIsolatedPixels: ${mosaic.length} values for ${w}x${h}`);
  const found = { index: [] as number[], value: [] as number[] };
  if (w < 5 || h < 5) return found;
  const scratch = new Float64Array(8);
  // noise of the excess over the same-colour background, from a sparse regular sample
  const sample: number[] = [];
  for (let y = 2; y < h - 2; y += NOISE_SAMPLE_STRIDE) {
    for (let x = 2; x < w - 2; x += NOISE_SAMPLE_STRIDE) {
      const i = y * w + x;
      const e = mosaic[i] - sameColourBackground(mosaic, w, i, scratch);
      if (e === e) sample.push(e);
    }
  }
  if (sample.length < 16) return found;
  const centre = medianInPlace(Float64Array.from(sample));
  const sigma = MAD_TO_SIGMA * medianInPlace(Float64Array.from(sample, (v) => Math.abs(v - centre)));
  if (!(sigma > 0)) return found;
  const floor = ISOLATED_MIN_SIGMA * sigma;
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      const i = y * w + x;
      const v = mosaic[i];
      // cheap pre-test: most pixels are not above their direct neighbours at all
      if (!(v - floor > mosaic[i - 1] && v - floor > mosaic[i + 1])) continue;
      const b = sameColourBackground(mosaic, w, i, scratch);
      const e = v - b;
      if (!(e > floor)) continue;
      let s = 0;
      let n = 0;
      for (const j of [i - 1, i + 1, i - w, i + w]) {
        const ej = mosaic[j] - sameColourBackground(mosaic, w, j, scratch);
        if (ej === ej) {
          s += ej;
          n++;
        }
      }
      if (n > 0 && s / n < ISOLATED_NEIGHBOUR_SHARE * e) {
        found.index.push(i);
        found.value.push(b);
      }
    }
  }
  return found;
}

/** The mosaic with isolated bright pixels replaced by their same-colour background (a copy). */
export function suppressIsolatedPixels(mosaic: Float32Array, w: number, h: number): { data: Float32Array; replaced: number } {
  const { index, value } = findIsolatedPixels(mosaic, w, h);
  const data = mosaic.slice();
  index.forEach((i, k) => (data[i] = value[k]));
  return { data, replaced: index.length };
}

/**
 * The same replacement applied to `mosaic` itself (detection sees only the original values, so the
 * result equals suppressIsolatedPixels'); returns the count. Saves a frame-sized copy in P6.
 */
export function suppressIsolatedPixelsInPlace(mosaic: Float32Array, w: number, h: number): number {
  const { index, value } = findIsolatedPixels(mosaic, w, h);
  index.forEach((i, k) => (mosaic[i] = value[k]));
  return index.length;
}

/**
 * Cosmetic correction [REF] (P12.3 on the result; with stacking.per_frame_cosmetic_correction also
 * per frame after calibration, P1): a pixel above median + k*sigma_MAD with at most 1 of its 8
 * neighbours above median + (k/2)*sigma_MAD is an isolated hot pixel and becomes the mean of the
 * valid pixels at distance 2 (x+-2, y+-2). Statistics per plane, or per CFA colour for a mosaic with
 * `cfa` (distance 2 keeps the CFA colour). Decisions read the uncorrected image: the corrections of
 * a plane are collected first and written after its scan, so the image is changed in place with no
 * second frame in memory (per-frame use in the workers). Returns the number of corrected pixels.
 */
export function hotPixelCorrectionInPlace(image: Image, sigmaK: number, cfa?: BayerPattern): number {
  const { width: w, height: h, planes } = image;
  const np = w * h;
  const groups = cfa && planes === 1 ? 3 : 1;
  const groupOf = (x: number, y: number) => (groups === 1 ? 0 : bayerColorAt(cfa!, x, y));
  const gather = new Float32Array(groups === 1 ? 0 : np);
  let corrected = 0;
  for (let c = 0; c < planes; c++) {
    const plane = image.data.subarray(c * np, (c + 1) * np);
    const hot = new Float64Array(groups);
    const warm = new Float64Array(groups);
    for (let g = 0; g < groups; g++) {
      let vals: Float32Array;
      // medianAndSigmaMad reads a typed array without reordering or copying it
      if (groups === 1) vals = plane;
      else {
        let n = 0;
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (bayerColorAt(cfa!, x, y) === g) gather[n++] = plane[y * w + x];
        vals = gather.subarray(0, n);
      }
      const { median: m, sigma } = medianAndSigmaMad(vals);
      hot[g] = m + sigmaK * sigma;
      warm[g] = m + (sigmaK / 2) * sigma;
    }
    const fixAt: number[] = [];
    const fixTo: number[] = [];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = plane[y * w + x];
        if (!(v > hot[groupOf(x, y)])) continue;
        let warmNeighbours = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if ((dx === 0 && dy === 0) || xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            if (plane[yy * w + xx] > warm[groupOf(xx, yy)]) warmNeighbours++;
          }
        }
        if (warmNeighbours > 1) continue;
        let s = 0;
        let n = 0;
        for (const [xx, yy] of [[x - 2, y], [x + 2, y], [x, y - 2], [x, y + 2]]) {
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const u = plane[yy * w + xx];
          if (Number.isFinite(u)) {
            s += u;
            n++;
          }
        }
        if (n === 0) continue;
        fixAt.push(y * w + x);
        fixTo.push(s / n);
      }
    }
    for (let i = 0; i < fixAt.length; i++) plane[fixAt[i]] = fixTo[i];
    corrected += fixAt.length;
  }
  return corrected;
}
