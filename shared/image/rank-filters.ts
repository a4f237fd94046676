/**
 * Faster equivalents of two filters.ts kernels for the whole-frame passes of P2 (METHOD.md P2.2
 * object masks, P2.4 P' = 3x3 median of the proxy). Same outputs, element for element, as
 * filters.ts dilateDisk and median3x3; different algorithms:
 * - dilateDiskByRuns paints each run of set pixels once per disk row instead of testing every
 *   output pixel of every disk row (object masks are sparse: a few % of the pixels);
 * - median3x3BySortedColumns sorts each 3-pixel column of a row once and takes the median of
 *   the window from the three sorted columns (Paeth's median-of-9 network: the median of the
 *   largest lows, the middle mids and the smallest highs), instead of sorting 9 values per pixel.
 * Measured on a 3.1 MP frame / its 0.8 MP proxy (Node 20, one core, interleaved runs): dilation
 * 87 -> 7 ms, median 128 -> 12 ms. The whole-plane median runs the same network in WebAssembly SIMD
 * where available (pipeline/wasm/bg-median3x3: ~25 -> ~2 ms per 0.8 MP proxy, same bits).
 */
import { median3x3Wasm } from './wasm/bg-median3x3';

function checkPlane(plane: ArrayLike<number>, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 0 || h < 0 || plane.length < w * h) {
    throw new RangeError(`plane of ${plane.length} values does not hold ${w} x ${h} pixels`);
  }
}

/**
 * Dilation of a 0/1 mask by a disk of radius r (offsets with dx^2 + dy^2 <= r^2; pixels outside
 * the array count as unset), as filters.ts dilateDisk. Each maximal run [a, b] of set pixels of a
 * source row sets [a - hw, b + hw] in the rows sy - r .. sy + r, hw = floor(sqrt(r^2 - dy^2)).
 */
export function dilateDiskByRuns(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  checkPlane(mask, w, h);
  if (!Number.isInteger(r) || r < 0) throw new RangeError(`disk radius must be an integer >= 0, got ${r}`);
  const out = new Uint8Array(w * h);
  const halfWidth = new Int32Array(2 * r + 1);
  for (let dy = -r; dy <= r; dy++) halfWidth[dy + r] = Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9);
  // object masks are mostly zero: skip 4 bytes at a time where the mask is word-aligned
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  for (let sy = 0; sy < h; sy++) {
    const base = sy * w;
    const yLo = sy - r < 0 ? 0 : sy - r;
    const yHi = sy + r >= h ? h - 1 : sy + r;
    let x = 0;
    while (x < w) {
      if (mask[base + x] === 0) {
        x++;
        if (words !== null && ((base + x) & 3) === 0) {
          while (x + 4 <= w && words[(base + x) >> 2] === 0) x += 4;
        }
        continue;
      }
      const a = x;
      while (x < w && mask[base + x] !== 0) x++;
      // run [a, x - 1]
      for (let y = yLo; y <= yHi; y++) {
        const hw = halfWidth[y - sy + r];
        const lo = a - hw < 0 ? 0 : a - hw;
        const hi = x - 1 + hw >= w ? w - 1 : x - 1 + hw;
        const row = y * w;
        for (let i = row + lo; i <= row + hi; i++) out[i] = 1;
      }
    }
  }
  return out;
}

/**
 * 3x3 median, edge-replicated, NaN where any window pixel is NaN (or infinite), as filters.ts
 * median3x3. On noise every comparison is a coin toss, and the mispredicted branches were two
 * thirds of the time (38 ms per 0.8 MP against 10 ms on a smooth ramp), so when the values allow
 * it min and max are computed without branches: min(a, b) = (a + b - |a - b|) / 2, exact in
 * float64 when the binary exponents of the float32 inputs differ by at most 28 (a + b and a - b
 * then need at most 53 bits, and halving is exact). One pass over the plane checks that (largest
 * over smallest non-zero magnitude below 2^28; zeros are exact anyway); other planes take the
 * branching path. Measured on a 0.8 MP proxy: 40 -> 12 ms. Two outputs per step share their middle
 * columns' max low, min high and sorted mids: a further ~20 % (6 MP proxy, one core: 180 -> 148 ms).
 */
export function median3x3BySortedColumns(plane: ArrayLike<number>, w: number, h: number): Float32Array {
  if (plane instanceof Float32Array) {
    checkPlane(plane, w, h);
    const fast = median3x3Wasm(plane, w, h);
    // the kernel computes what the arithmetic path below gives: kept where that path is taken
    if (fast !== null && (fast.largest === 0 || fast.largest < fast.smallest * ARITHMETIC_SPAN)) return fast.out;
  }
  const rowOf = median3x3Rows(plane, w, h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) rowOf(y, out, y * w);
  return out;
}

/** Writes row y of the 3x3 median to out[at .. at + w). */
export type MedianRowWriter = (y: number, out: Float32Array, at: number) => void;

/**
 * median3x3BySortedColumns one row at a time, rows in any order (each is computed from the three
 * plane rows around it): for passes that feed the median straight into another filter without
 * holding a whole median plane (the registration high-pass, P4.6). Same values as the whole plane.
 */
export function median3x3Rows(plane: ArrayLike<number>, w: number, h: number): MedianRowWriter {
  checkPlane(plane, w, h);
  const cols: Columns = { lows: new Float64Array(w + 2), mids: new Float64Array(w + 2), highs: new Float64Array(w + 2), bad: new Uint8Array(w + 2) };
  if (w === 0 || h === 0) return () => {};
  return arithmeticIsExact(plane, w * h)
    ? (y, out, at) => medianRowArithmetic(plane, w, h, y, cols, out, at)
    : (y, out, at) => medianRowBranching(plane, w, h, y, cols, out, at);
}

/** A row's sorted 3-pixel columns (lows, mids, highs) and NaN marks, edge columns at 0 and w + 1. */
interface Columns {
  readonly lows: Float64Array;
  readonly mids: Float64Array;
  readonly highs: Float64Array;
  readonly bad: Uint8Array;
}

/** 2^28: the largest magnitude span over which the arithmetic min/max are exact. */
const ARITHMETIC_SPAN = 268435456;

/** Finite non-zero magnitudes span less than a factor 2^28 (and every value fits a float32). */
function arithmeticIsExact(plane: ArrayLike<number>, n: number): boolean {
  if (!(plane instanceof Float32Array)) {
    for (let i = 0; i < n; i++) {
      const v = plane[i];
      if (Math.fround(v) !== v && v === v) return false; // float64 input with more than 24 bits
    }
  }
  let smallest = Infinity;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(plane[i]);
    if (a === 0 || a === Infinity || a !== a) continue;
    if (a < smallest) smallest = a;
    if (a > largest) largest = a;
  }
  return largest === 0 || largest < smallest * ARITHMETIC_SPAN;
}

function medianRowArithmetic(plane: ArrayLike<number>, w: number, h: number, y: number, cols: Columns, out: Float32Array, at: number): void {
  const { lows, mids, highs, bad } = cols;
  const up = (y === 0 ? 0 : y - 1) * w;
  const row = y * w;
  const down = (y === h - 1 ? y : y + 1) * w;
  for (let x = 0; x < w; x++) {
    const a = plane[up + x];
    const b = plane[row + x];
    const c = plane[down + x];
    bad[x + 1] = a - a === 0 && b - b === 0 && c - c === 0 ? 0 : 1;
    // sort a, b, c: (lo1, hi1) = minmax(a, b); (m1, hi) = minmax(hi1, c); (lo, mid) = minmax(lo1, m1)
    const s1 = a + b;
    const d1 = Math.abs(a - b);
    const lo1 = 0.5 * (s1 - d1);
    const hi1 = 0.5 * (s1 + d1);
    const s2 = hi1 + c;
    const d2 = Math.abs(hi1 - c);
    const m1 = 0.5 * (s2 - d2);
    const s3 = lo1 + m1;
    const d3 = Math.abs(lo1 - m1);
    lows[x + 1] = 0.5 * (s3 - d3);
    mids[x + 1] = 0.5 * (s3 + d3);
    highs[x + 1] = 0.5 * (s2 + d2);
  }
  replicateEdges(cols, w);
  // Two outputs per step: windows x and x + 1 share columns x + 1 and x + 2, so the larger of
  // their lows, the smaller of their highs and the sorted pair of their mids are found once (every
  // min and max here is exact, so the grouping does not change a value).
  let x = 0;
  for (; x + 1 < w; x += 2) {
    const l1 = lows[x + 1];
    const l2 = lows[x + 2];
    const maxLow12 = 0.5 * (l1 + l2 + Math.abs(l1 - l2));
    const h1 = highs[x + 1];
    const h2 = highs[x + 2];
    const minHigh12 = 0.5 * (h1 + h2 - Math.abs(h1 - h2));
    const sm = mids[x + 1] + mids[x + 2];
    const dm = Math.abs(mids[x + 1] - mids[x + 2]);
    const midLo = 0.5 * (sm - dm);
    const midHi = 0.5 * (sm + dm);
    const b12 = bad[x + 1] | bad[x + 2];
    out[at + x] = (b12 | bad[x]) !== 0 ? Number.NaN : medianOfColumns(lows[x], maxLow12, highs[x], minHigh12, mids[x], midLo, midHi);
    out[at + x + 1] = (b12 | bad[x + 3]) !== 0 ? Number.NaN : medianOfColumns(lows[x + 3], maxLow12, highs[x + 3], minHigh12, mids[x + 3], midLo, midHi);
  }
  if (x < w) {
    const l1 = lows[x + 1];
    const l2 = lows[x + 2];
    const h1 = highs[x + 1];
    const h2 = highs[x + 2];
    const sm = mids[x + 1] + mids[x + 2];
    const dm = Math.abs(mids[x + 1] - mids[x + 2]);
    out[at + x] =
      (bad[x] | bad[x + 1] | bad[x + 2]) !== 0
        ? Number.NaN
        : medianOfColumns(lows[x], 0.5 * (l1 + l2 + Math.abs(l1 - l2)), highs[x], 0.5 * (h1 + h2 - Math.abs(h1 - h2)), mids[x], 0.5 * (sm - dm), 0.5 * (sm + dm));
  }
}

/**
 * Median of a 3x3 window from its sorted columns, branch-free (Paeth): the median of the largest
 * low, the middle mid and the smallest high. The window's two shared columns come pre-combined:
 * maxLow12 / minHigh12 are their larger low and smaller high, midLo <= midHi their mids.
 */
function medianOfColumns(low: number, maxLow12: number, high: number, minHigh12: number, mid: number, midLo: number, midHi: number): number {
  const maxLow = 0.5 * (low + maxLow12 + Math.abs(low - maxLow12));
  const minHigh = 0.5 * (high + minHigh12 - Math.abs(high - minHigh12));
  // median of three = max(lo, min(hi, third)) for a sorted pair lo <= hi
  const mq = 0.5 * (midHi + mid - Math.abs(midHi - mid));
  const midMid = 0.5 * (midLo + mq + Math.abs(midLo - mq));
  const sf = maxLow + midMid;
  const df = Math.abs(maxLow - midMid);
  const fr = 0.5 * (0.5 * (sf + df) + minHigh - Math.abs(0.5 * (sf + df) - minHigh));
  return 0.5 * (0.5 * (sf - df) + fr + Math.abs(0.5 * (sf - df) - fr));
}

/** The same columns and network with comparisons: any float input. */
function medianRowBranching(plane: ArrayLike<number>, w: number, h: number, y: number, cols: Columns, out: Float32Array, at: number): void {
  const { lows, mids, highs, bad } = cols;
  const up = (y === 0 ? 0 : y - 1) * w;
  const row = y * w;
  const down = (y === h - 1 ? y : y + 1) * w;
  for (let x = 0; x < w; x++) {
    const a = plane[up + x];
    const b = plane[row + x];
    const c = plane[down + x];
    bad[x + 1] = a - a === 0 && b - b === 0 && c - c === 0 ? 0 : 1;
    const ab = Math.min(a, b);
    const AB = Math.max(a, b);
    lows[x + 1] = Math.min(ab, c);
    mids[x + 1] = Math.max(ab, Math.min(AB, c));
    highs[x + 1] = Math.max(AB, c);
  }
  replicateEdges(cols, w);
  for (let x = 0; x < w; x++) {
    if ((bad[x] | bad[x + 1] | bad[x + 2]) !== 0) {
      out[at + x] = Number.NaN;
      continue;
    }
    const maxLow = Math.max(lows[x], lows[x + 1], lows[x + 2]);
    const minHigh = Math.min(highs[x], highs[x + 1], highs[x + 2]);
    out[at + x] = median3(maxLow, median3(mids[x], mids[x + 1], mids[x + 2]), minHigh);
  }
}

function replicateEdges({ lows, mids, highs, bad }: Columns, w: number): void {
  lows[0] = lows[1];
  mids[0] = mids[1];
  highs[0] = highs[1];
  bad[0] = bad[1];
  lows[w + 1] = lows[w];
  mids[w + 1] = mids[w];
  highs[w + 1] = highs[w];
  bad[w + 1] = bad[w];
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
