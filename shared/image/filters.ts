/**
 * Small neighbourhood kernels on one plane (METHOD.md section 0). Inputs are row-major planes of
 * w x h pixels and are never mutated; outputs are new arrays. NaN is the invalid value:
 * - boxMean averages the valid pixels of each window (NaN only if the window has none),
 * - sobelMagnitudeSq, laplacian3x3 and median3x3 output NaN if any pixel of the 3x3 window is NaN,
 *   because a gradient or median over a hole is not a measurement.
 * Accumulations are float64. gaussianBlur lives in gaussian.ts (another owner).
 */

import { sobelInteriorWasm } from './wasm/sobel';

function checkPlane(plane: ArrayLike<number>, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 0 || h < 0 || plane.length < w * h) {
    throw new RangeError(`plane of ${plane.length} values does not hold ${w} x ${h} pixels`);
  }
}

/**
 * Reflect-101 index (…, 2, 1, | 0, 1, …, n-1, | n-2, n-3, …): the edge pixel is not repeated.
 * Periodic so that windows wider than the array (box31 on a small tile) stay defined.
 */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/** Retained scratch for box sums (one tile's worth); larger planes allocate their own. */
const SCRATCH_KEEP_MAX = 1 << 17;
let sumScratch: Float64Array = new Float64Array(0);
let countScratch: Float64Array = new Float64Array(0);

function scratch64(current: Float64Array, n: number): Float64Array {
  if (current.length >= n) return current;
  return new Float64Array(n);
}

function reflectedIndices(n: number, k: number): Int32Array {
  const half = (k - 1) >> 1;
  const index = new Int32Array(n + k - 1);
  for (let i = 0; i < index.length; i++) index[i] = reflect101(i - half, n);
  return index;
}

function allFinite(plane: ArrayLike<number>, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const v = plane[i];
    if (!(v - v === 0)) return false;
  }
  return true;
}

/**
 * k x k box mean (k odd) with reflect-101 padding; each output is the mean of the valid (finite)
 * pixels of its window, NaN if none. Separable on sums and counts, so O(w*h) for any k.
 * Writes into `out` when given (length >= w*h; callers measuring many tiles reuse one buffer).
 * Every output is the same float64 sequence of additions as a column-at-a-time running sum; the
 * vertical pass runs row-wise over per-column sums only because that reads memory in order.
 */
export function boxMean(plane: ArrayLike<number>, w: number, h: number, k: number, out?: Float32Array): Float32Array {
  return boxFilter(plane, w, h, k, out, false);
}

/**
 * plane - boxMean(plane) (the box mean rounded to float32 first, as when the two are taken one
 * after the other), in one pass: the P6.5 local metrics need only this residual of every tile.
 */
export function boxResidual(plane: ArrayLike<number>, w: number, h: number, k: number, out?: Float32Array): Float32Array {
  return boxFilter(plane, w, h, k, out, true);
}

/**
 * The horizontal pass of a box filter over a row with NaN: at `at + x` the sum of the valid pixels
 * of the reflected window and their count. `xIndex` = reflectedIndices(w, k); rowVal and rowOk are
 * scratch of w + k - 1 values. Shared by boxFilter and the registration's streamed high-pass,
 * whose values must be boxFilter's to the bit.
 */
export function boxRowSumsAndCounts(
  plane: ArrayLike<number>,
  at: number,
  w: number,
  k: number,
  xIndex: Int32Array,
  rowVal: Float64Array,
  rowOk: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
): void {
  for (let i = 0; i < xIndex.length; i++) {
    const v = plane[at + xIndex[i]];
    const ok = Number.isFinite(v);
    rowVal[i] = ok ? v : 0;
    rowOk[i] = ok ? 1 : 0;
  }
  let s = 0;
  let c = 0;
  for (let i = 0; i < k; i++) {
    s += rowVal[i];
    c += rowOk[i];
  }
  for (let x = 0; x < w; x++) {
    sums[at + x] = s;
    counts[at + x] = c;
    if (x + 1 < w) {
      s += rowVal[x + k] - rowVal[x];
      c += rowOk[x + k] - rowOk[x];
    }
  }
}

function boxFilter(plane: ArrayLike<number>, w: number, h: number, k: number, out: Float32Array | undefined, residual: boolean): Float32Array {
  checkPlane(plane, w, h);
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`box size must be an odd integer >= 1, got ${k}`);
  const n = w * h;
  if (out && out.length < n) throw new RangeError(`output of ${out.length} values does not hold ${w} x ${h} pixels`);
  const res = out ?? new Float32Array(n);
  if (w === 0 || h === 0) return res;
  const xIndex = reflectedIndices(w, k);
  const yIndex = reflectedIndices(h, k);
  const finite = allFinite(plane, n);
  const hSum = scratch64(sumScratch, n);
  const hCnt = finite ? hSum : scratch64(countScratch, n);
  if (n <= SCRATCH_KEEP_MAX) {
    sumScratch = hSum;
    if (!finite) countScratch = hCnt;
  }
  // horizontal pass: window sums (and valid counts) per pixel
  if (finite) {
    // two rows per loop: each running sum is a chain of dependent additions, two chains overlap
    // (an odd last row runs as both rows of its pair)
    for (let y = 0; y < h; y += 2) {
      const b0 = y * w;
      const b1 = y + 1 < h ? b0 + w : b0;
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < k; i++) {
        s0 += plane[b0 + xIndex[i]];
        s1 += plane[b1 + xIndex[i]];
      }
      for (let x = 0; x < w - 1; x++) {
        hSum[b0 + x] = s0;
        hSum[b1 + x] = s1;
        s0 += plane[b0 + xIndex[x + k]] - plane[b0 + xIndex[x]];
        s1 += plane[b1 + xIndex[x + k]] - plane[b1 + xIndex[x]];
      }
      hSum[b0 + w - 1] = s0;
      hSum[b1 + w - 1] = s1;
    }
  } else {
    const rowVal = new Float64Array(w + k - 1);
    const rowOk = new Float64Array(w + k - 1);
    for (let y = 0; y < h; y++) boxRowSumsAndCounts(plane, y * w, w, k, xIndex, rowVal, rowOk, hSum, hCnt);
  }
  // vertical pass over the row sums: per column, the running sum of k rows
  const colSum = new Float64Array(w);
  for (let i = 0; i < k; i++) {
    const row = yIndex[i] * w;
    for (let x = 0; x < w; x++) colSum[x] += hSum[row + x];
  }
  if (finite) {
    // every window holds k*k valid pixels, the count the general branch would sum up exactly
    const count = k * k;
    for (let y = 0; y < h; y++) {
      const base = y * w;
      if (residual) for (let x = 0; x < w; x++) res[base + x] = plane[base + x] - Math.fround(colSum[x] / count);
      else for (let x = 0; x < w; x++) res[base + x] = colSum[x] / count;
      if (y + 1 < h) {
        const enter = yIndex[y + k] * w;
        const leave = yIndex[y] * w;
        for (let x = 0; x < w; x++) colSum[x] += hSum[enter + x] - hSum[leave + x];
      }
    }
    return res;
  }
  const colCnt = new Float64Array(w);
  for (let i = 0; i < k; i++) {
    const row = yIndex[i] * w;
    for (let x = 0; x < w; x++) colCnt[x] += hCnt[row + x];
  }
  for (let y = 0; y < h; y++) {
    const base = y * w;
    // counts are small integers, so they are exact; the running sums stay in float64
    for (let x = 0; x < w; x++) {
      const mean = colCnt[x] > 0.5 ? colSum[x] / colCnt[x] : Number.NaN;
      res[base + x] = residual ? plane[base + x] - Math.fround(mean) : mean;
    }
    if (y + 1 < h) {
      const enter = yIndex[y + k] * w;
      const leave = yIndex[y] * w;
      for (let x = 0; x < w; x++) {
        colSum[x] += hSum[enter + x] - hSum[leave + x];
        colCnt[x] += hCnt[enter + x] - hCnt[leave + x];
      }
    }
  }
  return res;
}

/** Gathers the 3x3 edge-replicated window of (x, y) into `win` (row-major); false if any is NaN. */
function window3x3(plane: ArrayLike<number>, w: number, h: number, x: number, y: number, win: Float64Array): boolean {
  let i = 0;
  for (let dy = -1; dy <= 1; dy++) {
    const row = clampIndex(y + dy, h) * w;
    for (let dx = -1; dx <= 1; dx++) {
      const v = plane[row + clampIndex(x + dx, w)];
      if (!Number.isFinite(v)) return false;
      win[i++] = v;
    }
  }
  return true;
}

/**
 * |grad|^2 = Gx^2 + Gy^2 with Gx = [-1 0 1; -2 0 2; -1 0 1], Gy = Gx^T, edge-replicated.
 * NaN where any pixel of the 3x3 window (centre included) is NaN. Writes into `out` when given.
 */
export function sobelMagnitudeSq(plane: ArrayLike<number>, w: number, h: number, out?: Float32Array): Float32Array {
  checkPlane(plane, w, h);
  if (out && out.length < w * h) throw new RangeError(`output of ${out.length} values does not hold ${w} x ${h} pixels`);
  const res = out ?? new Float32Array(w * h);
  const a = new Float64Array(9);
  if (!(plane instanceof Float32Array) || w < 3 || h < 3) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) res[y * w + x] = sobelAt(plane, w, h, x, y, a);
    return res;
  }
  for (let x = 0; x < w; x++) {
    res[x] = sobelAt(plane, w, h, x, 0, a);
    res[(h - 1) * w + x] = sobelAt(plane, w, h, x, h - 1, a);
  }
  // the interior through the WebAssembly kernel (the same values), the edge columns here
  if (sobelInteriorWasm(plane, w, h, res)) {
    for (let y = 1; y < h - 1; y++) {
      res[y * w] = sobelAt(plane, w, h, 0, y, a);
      res[y * w + w - 1] = sobelAt(plane, w, h, w - 1, y, a);
    }
    return res;
  }
  // Interior, written out (the window gather per pixel was most of the cost). The NaN rule holds
  // without testing all nine pixels: Gx and Gy together read every pixel but the centre, so a NaN
  // or an infinity there makes the sum NaN or infinite, which float32 data cannot reach otherwise.
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    res[row] = sobelAt(plane, w, h, 0, y, a);
    for (let i = row + 1; i < row + w - 1; i++) {
      const a0 = plane[i - w - 1];
      const a1 = plane[i - w];
      const a2 = plane[i - w + 1];
      const a3 = plane[i - 1];
      const a5 = plane[i + 1];
      const a6 = plane[i + w - 1];
      const a7 = plane[i + w];
      const a8 = plane[i + w + 1];
      const gx = a2 - a0 + 2 * (a5 - a3) + a8 - a6;
      const gy = a6 - a0 + 2 * (a7 - a1) + a8 - a2;
      const v = gx * gx + gy * gy;
      const c = plane[i];
      // v for finite v and c, NaN otherwise, without a branch
      res[i] = v + (v - v + (c - c));
    }
    res[row + w - 1] = sobelAt(plane, w, h, w - 1, y, a);
  }
  return res;
}

/** |grad|^2 at one pixel through the edge-replicated window; NaN if the window holds a NaN. */
function sobelAt(plane: ArrayLike<number>, w: number, h: number, x: number, y: number, a: Float64Array): number {
  if (!window3x3(plane, w, h, x, y, a)) return Number.NaN;
  const gx = a[2] - a[0] + 2 * (a[5] - a[3]) + a[8] - a[6];
  const gy = a[6] - a[0] + 2 * (a[7] - a[1]) + a[8] - a[2];
  return gx * gx + gy * gy;
}

/**
 * 4-neighbour Laplacian [0 1 0; 1 -4 1; 0 1 0], edge-replicated; NaN where any window pixel is NaN.
 */
export function laplacian3x3(plane: ArrayLike<number>, w: number, h: number): Float32Array {
  checkPlane(plane, w, h);
  const out = new Float32Array(w * h);
  const a = new Float64Array(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      out[y * w + x] = window3x3(plane, w, h, x, y, a) ? a[1] + a[3] + a[5] + a[7] - 4 * a[4] : Number.NaN;
    }
  }
  return out;
}

/** 3x3 median, edge-replicated; NaN where any window pixel is NaN. */
export function median3x3(plane: ArrayLike<number>, w: number, h: number): Float32Array {
  checkPlane(plane, w, h);
  const out = new Float32Array(w * h);
  const a = new Float64Array(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!window3x3(plane, w, h, x, y, a)) {
        out[y * w + x] = Number.NaN;
        continue;
      }
      // insertion sort of 9 values: cheaper than a general select at this size
      for (let i = 1; i < 9; i++) {
        const v = a[i];
        let j = i - 1;
        while (j >= 0 && a[j] > v) {
          a[j + 1] = a[j];
          j--;
        }
        a[j + 1] = v;
      }
      out[y * w + x] = a[4];
    }
  }
  return out;
}

/**
 * Dilation of a 0/1 mask by a disk of radius r (offsets with dx^2 + dy^2 <= r^2). Pixels outside
 * the array count as unset. Row by row: each disk row is a horizontal run of half-width
 * floor(sqrt(r^2 - dy^2)), applied with a running count, so O(w*h*(2r+1)) time and O(w) scratch.
 */
export function dilateDisk(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  checkPlane(mask, w, h);
  if (!Number.isInteger(r) || r < 0) throw new RangeError(`disk radius must be an integer >= 0, got ${r}`);
  const out = new Uint8Array(w * h);
  const halfWidth = new Int32Array(2 * r + 1);
  for (let dy = -r; dy <= r; dy++) halfWidth[dy + r] = Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9);
  const prefix = new Int32Array(w + 1);
  for (let sy = 0; sy < h; sy++) {
    // source row sy contributes to output rows sy - r .. sy + r
    const base = sy * w;
    let any = false;
    prefix[0] = 0;
    for (let x = 0; x < w; x++) {
      const set = mask[base + x] !== 0 ? 1 : 0;
      if (set) any = true;
      prefix[x + 1] = prefix[x] + set;
    }
    if (!any) continue;
    for (let dy = -r; dy <= r; dy++) {
      const y = sy + dy;
      if (y < 0 || y >= h) continue;
      const hw = halfWidth[dy + r];
      const obase = y * w;
      for (let x = 0; x < w; x++) {
        if (out[obase + x]) continue;
        const lo = x - hw < 0 ? 0 : x - hw;
        const hi = x + hw + 1 > w ? w : x + hw + 1;
        if (prefix[hi] - prefix[lo] > 0) out[obase + x] = 1;
      }
    }
  }
  return out;
}
