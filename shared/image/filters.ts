/**
 * Small neighbourhood kernels on one plane (METHOD.md section 0). Inputs are row-major planes of
 * w x h pixels and are never mutated; outputs are new arrays. NaN is the invalid value:
 * - boxMean averages the valid pixels of each window (NaN only if the window has none),
 * - sobelMagnitudeSq, laplacian3x3 and median3x3 output NaN if any pixel of the 3x3 window is NaN,
 *   because a gradient or median over a hole is not a measurement.
 * Accumulations are float64. gaussianBlur lives in gaussian.ts (another owner).
 */

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

/**
 * k x k box mean (k odd) with reflect-101 padding; each output is the mean of the valid (finite)
 * pixels of its window, NaN if none. Separable on sums and counts, so O(w*h) for any k.
 */
export function boxMean(plane: ArrayLike<number>, w: number, h: number, k: number): Float32Array {
  checkPlane(plane, w, h);
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new RangeError(`box size must be an odd integer >= 1, got ${k}`);
  const out = new Float32Array(w * h);
  if (w === 0 || h === 0) return out;
  const half = (k - 1) >> 1;
  // horizontal pass: window sums and valid counts per pixel
  const hSum = new Float64Array(w * h);
  const hCnt = new Float64Array(w * h);
  const xIndex = new Int32Array(w + k - 1);
  for (let i = 0; i < xIndex.length; i++) xIndex[i] = reflect101(i - half, w);
  const rowVal = new Float64Array(w + k - 1);
  const rowOk = new Float64Array(w + k - 1);
  for (let y = 0; y < h; y++) {
    const base = y * w;
    for (let i = 0; i < xIndex.length; i++) {
      const v = plane[base + xIndex[i]];
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
      hSum[base + x] = s;
      hCnt[base + x] = c;
      if (x + 1 < w) {
        s += rowVal[x + k] - rowVal[x];
        c += rowOk[x + k] - rowOk[x];
      }
    }
  }
  // vertical pass over the row sums, one column at a time
  const yIndex = new Int32Array(h + k - 1);
  for (let i = 0; i < yIndex.length; i++) yIndex[i] = reflect101(i - half, h);
  const colSum = new Float64Array(h + k - 1);
  const colCnt = new Float64Array(h + k - 1);
  for (let x = 0; x < w; x++) {
    for (let i = 0; i < yIndex.length; i++) {
      colSum[i] = hSum[yIndex[i] * w + x];
      colCnt[i] = hCnt[yIndex[i] * w + x];
    }
    let s = 0;
    let c = 0;
    for (let i = 0; i < k; i++) {
      s += colSum[i];
      c += colCnt[i];
    }
    for (let y = 0; y < h; y++) {
      // counts are small integers, so c is exact; recompute-free running sums are fine in float64
      out[y * w + x] = c > 0.5 ? s / c : Number.NaN;
      if (y + 1 < h) {
        s += colSum[y + k] - colSum[y];
        c += colCnt[y + k] - colCnt[y];
      }
    }
  }
  return out;
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
 * NaN where any pixel of the 3x3 window (centre included) is NaN.
 */
export function sobelMagnitudeSq(plane: ArrayLike<number>, w: number, h: number): Float32Array {
  checkPlane(plane, w, h);
  const out = new Float32Array(w * h);
  const a = new Float64Array(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!window3x3(plane, w, h, x, y, a)) {
        out[y * w + x] = Number.NaN;
        continue;
      }
      const gx = a[2] - a[0] + 2 * (a[5] - a[3]) + a[8] - a[6];
      const gy = a[6] - a[0] + 2 * (a[7] - a[1]) + a[8] - a[2];
      out[y * w + x] = gx * gx + gy * gy;
    }
  }
  return out;
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
