/**
 * Exact median and sigma_MAD of millions of float32 pixels (P2: METHOD.md P2.2 and P2.4 need them
 * over whole frames and proxies) without copying the pixels into a scratch array and partitioning it.
 *
 * A float32's bits, with the sign handled, order the values, so one counting pass over the top 20
 * bits of those keys (sign, exponent, 11 mantissa bits: buckets 1/2048 wide relative to the value)
 * finds the buckets holding the median's ranks. The deviations |v - m| grow with the distance from m
 * on each side of it, so the same histogram, with m known to lie in those buckets, bounds every
 * bucket's deviations and narrows the MAD's ranks to a band of deviations held by a few buckets on
 * each side. One more pass copies out the pixels of the median buckets and of the band buckets
 * (a few % of the pixels); small selects finish the median, then the MAD over the exact deviations
 * of the copied pixels, the deviations certainly below the band counted from the histogram. Every
 * count and every selected value is exact, so the results equal stats.ts medianAndSigmaMad on the
 * finite values bit for bit (same even-n rule, deviations computed the same way in float64).
 * Measured on one 3.1 MP frame (Node 20, one core, interleaved runs, CPU time): gather + select
 * 130 ms (55 ms with the sampled select of stats.ts), this 19 ms.
 *
 * Pixels are visited as runs (start, step, count) so callers can select one CFA colour of a mosaic
 * or one plane; an optional mask (by pixel index) leaves pixels out. Non-finite values are skipped:
 * in key order all of them fall into buckets below or above the finite ones.
 */
import { collectWasm, countKeysWasm, occupiedBucketsWasm } from './wasm/bg-radix';
import { MAD_TO_SIGMA, medianAndSigmaMad, medianInPlace, selectRank } from './stats';

/**
 * Runs of wanted pixels as quadruples (dataStart, pixelStart, step, count): data indices
 * dataStart + k*step and mask (pixel) indices pixelStart + k*step, k < count. A flat list rather
 * than a callback: the hot loops stay in one function without closures (V8 keeps captured and
 * mutated variables in memory, which tripled the cost of these passes).
 */
export type PixelRuns = Int32Array;

/** All of data[0..n) as one run (pixel index = data index). */
export function allPixels(n: number): PixelRuns {
  return Int32Array.of(0, 0, 1, n);
}

const KEY_SHIFT = 12;
const BUCKETS = 1 << (32 - KEY_SHIFT);
/** Keys below/above these buckets are NaN or +-Infinity (exponent all ones). */
const FIRST_FINITE_BUCKET = 0x00800000 >>> KEY_SHIFT;
const LAST_FINITE_BUCKET = (0xff7fffff >>> KEY_SHIFT) | 0;
/**
 * Below this many values a copy and a quickselect (stats.ts) beat clearing and scanning the 4 MB
 * histogram; the results are the same either way.
 */
const RADIX_MIN_COUNT = 1 << 16;

/**
 * Reused across calls: fresh 4 MB / 1 MB arrays per statistic would cost page faults on every frame.
 * Int32 counts (a frame has far fewer than 2^31 pixels), the type of the kernel's histogram view.
 */
let histogram: Int32Array | null = null;
/** Bucket classes for the collect pass; all zero between calls. */
let classes: Uint8Array | null = null;
const bitsView = new Int32Array(1);
const floatView = new Float32Array(bitsView.buffer);

/** Exact median of the finite, unmasked values of the runs; NaN if there are none. */
export function radixMedian(data: Float32Array, runs: PixelRuns, mask?: Uint8Array): number {
  const hist = countKeys(data, runs, mask);
  const occupied = occupiedBuckets(hist);
  if (occupied.n < RADIX_MIN_COUNT) return medianInPlace(gather(data, runs, mask, occupied.n));
  const ranks = centralRanks(occupied.n);
  const mid = rankBuckets(hist, occupied.first, ranks);
  const medianValues = new Float64Array(mid.count);
  collect(data, runs, mask, mid, NO_BAND, medianValues, medianValues);
  return centreOf(medianValues, ranks.lower - mid.below, ranks.upper - mid.below);
}

/**
 * Median and sigma_MAD (1.4826 * MAD) of the finite, unmasked values of the runs, equal bit for bit
 * to stats.ts medianAndSigmaMad of those values; NaNs and n = 0 when there are none.
 */
export function radixMedianAndSigmaMad(
  data: Float32Array,
  runs: PixelRuns,
  mask?: Uint8Array,
): { median: number; sigma: number; n: number } {
  const hist = countKeys(data, runs, mask);
  const occupied = occupiedBuckets(hist);
  const n = occupied.n;
  if (n < RADIX_MIN_COUNT) return medianAndSigmaMad(gather(data, runs, mask, n));
  const ranks = centralRanks(n);
  const mid = rankBuckets(hist, occupied.first, ranks);
  const band = deviationBand(hist, occupied, mid, ranks);
  const medianValues = new Float64Array(mid.count);
  const bandValues = new Float64Array(band.count);
  collect(data, runs, mask, mid, band, medianValues, bandValues);
  // deviations from the exact median: the band buckets' values, and the median buckets' own when
  // their deviations are not all certainly below the band
  const m = centreOf(medianValues, ranks.lower - mid.below, ranks.upper - mid.below);
  const deviations = new Float64Array(band.count + (band.midBelow ? 0 : mid.count));
  let below = band.below;
  let j = 0;
  const { lo, hi } = band;
  for (let i = 0; i < bandValues.length; i++) {
    const d = Math.abs(bandValues[i] - m);
    if (d < lo) below++;
    else if (d <= hi) deviations[j++] = d;
  }
  if (!band.midBelow) {
    for (let i = 0; i < medianValues.length; i++) {
      const d = Math.abs(medianValues[i] - m);
      if (d < lo) below++;
      else if (d <= hi) deviations[j++] = d;
    }
  }
  if (below > ranks.lower || below + j <= ranks.upper) {
    // unreachable while the bucket bounds hold (exact float32 values, monotone subtraction)
    throw new RangeError(`MAD band [${lo}, ${hi}] misses the central ranks (${below} below, ${j} inside)`);
  }
  const mad = centreOf(deviations.subarray(0, j), ranks.lower - below, ranks.upper - below);
  return { median: m, sigma: MAD_TO_SIGMA * mad, n };
}

interface Ranks {
  /** Ranks (0-based, ascending) of the two central values; equal for odd n. */
  readonly lower: number;
  readonly upper: number;
}

function centralRanks(n: number): Ranks {
  const upper = n >>> 1;
  return { lower: n % 2 === 1 ? upper : upper - 1, upper };
}

function checkRuns(data: Float32Array, runs: PixelRuns, mask: Uint8Array | undefined): void {
  if (runs.length % 4 !== 0) throw new RangeError(`pixel runs come in quadruples, got ${runs.length} numbers`);
  for (let r = 0; r < runs.length; r += 4) {
    const [i0, p0, step, count] = [runs[r], runs[r + 1], runs[r + 2], runs[r + 3]];
    if (count <= 0) continue;
    const lastData = i0 + (count - 1) * step;
    const lastPixel = p0 + (count - 1) * step;
    if (step < 1 || i0 < 0 || p0 < 0 || lastData >= data.length || (mask !== undefined && lastPixel >= mask.length)) {
      throw new RangeError(`pixel run (${i0}, ${p0}, ${step}, ${count}) leaves the data or the mask`);
    }
  }
}

/**
 * The histogram of keys. The loops are unrolled four times: V8 runs a one-increment loop body about
 * three times slower per pixel (measured 13 vs 4.4 ms over 3.1 MP), as it does the collect pass.
 */
function countKeys(data: Float32Array, runs: PixelRuns, mask: Uint8Array | undefined): Int32Array {
  checkRuns(data, runs, mask);
  // the pixel passes run in the bg-radix kernel where there is WebAssembly (same counts, ~2x)
  const fast = countKeysWasm(data, runs, mask);
  if (fast !== null) return fast;
  histogram ??= new Int32Array(BUCKETS);
  const hist = histogram;
  hist.fill(0);
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  for (let r = 0; r < runs.length; r += 4) {
    const step = runs[r + 2];
    const count = runs[r + 3];
    if (count <= 0) continue;
    const s2 = 2 * step;
    const s3 = 3 * step;
    const s4 = 4 * step;
    let i = runs[r];
    let p = runs[r + 1];
    const end = i + count * step;
    const end4 = i + (count - (count & 3)) * step;
    if (mask) {
      // (m - 1) >>> 31 is 1 for m = 0, else 0: adding it beat a branch per pixel by 2x
      for (; i < end4; i += s4, p += s4) {
        hist[keyOf(bits[i])] += (mask[p] - 1) >>> 31;
        hist[keyOf(bits[i + step])] += (mask[p + step] - 1) >>> 31;
        hist[keyOf(bits[i + s2])] += (mask[p + s2] - 1) >>> 31;
        hist[keyOf(bits[i + s3])] += (mask[p + s3] - 1) >>> 31;
      }
      for (; i < end; i += step, p += step) hist[keyOf(bits[i])] += (mask[p] - 1) >>> 31;
    } else {
      for (; i < end4; i += s4) {
        hist[keyOf(bits[i])]++;
        hist[keyOf(bits[i + step])]++;
        hist[keyOf(bits[i + s2])]++;
        hist[keyOf(bits[i + s3])]++;
      }
      for (; i < end; i += step) hist[keyOf(bits[i])]++;
    }
  }
  return hist;
}

/** Count of finite values and the first/last non-empty finite bucket (later walks stay inside). */
function occupiedBuckets(hist: Int32Array): { n: number; first: number; last: number } {
  const fast = occupiedBucketsWasm(hist, FIRST_FINITE_BUCKET, LAST_FINITE_BUCKET);
  if (fast !== null) return fast;
  let n = 0;
  let first = -1;
  let last = -1;
  for (let b = FIRST_FINITE_BUCKET; b <= LAST_FINITE_BUCKET; b++) {
    const c = hist[b];
    if (c !== 0) {
      n += c;
      if (first < 0) first = b;
      last = b;
    }
  }
  return { n, first, last };
}

/** Order-preserving bucket of float32 bits: sign bit flipped for positives, all bits for negatives. */
function keyOf(bits: number): number {
  return (bits ^ ((bits >> 31) | 0x80000000)) >>> KEY_SHIFT;
}

/** Smallest (top false) or largest (top true) float32 value a bucket can hold. */
function bucketValue(bucket: number, top: boolean): number {
  const key = (bucket << KEY_SHIFT) | (top ? (1 << KEY_SHIFT) - 1 : 0);
  bitsView[0] = key < 0 ? key ^ 0x80000000 : ~key;
  return floatView[0];
}

/** The finite unmasked values as a Float64Array (the small-array path). */
function gather(data: Float32Array, runs: PixelRuns, mask: Uint8Array | undefined, n: number): Float64Array {
  const out = new Float64Array(n);
  let j = 0;
  for (let r = 0; r < runs.length; r += 4) {
    const step = runs[r + 2];
    const end = runs[r] + runs[r + 3] * step;
    for (let i = runs[r], p = runs[r + 1]; i < end; i += step, p += step) {
      const v = data[i];
      // v - v is 0 for finite v, NaN for NaN and +-Infinity
      if (v - v === 0 && !(mask && mask[p])) out[j++] = v;
    }
  }
  return out;
}

/** Buckets first..last hold the central ranks; `below` values lie in lower buckets. */
interface MedianBuckets {
  readonly first: number;
  readonly last: number;
  readonly below: number;
  readonly count: number;
}

function rankBuckets(hist: Int32Array, start: number, ranks: Ranks): MedianBuckets {
  let below = 0;
  let first = start;
  while (below + hist[first] <= ranks.lower) below += hist[first++];
  let last = first;
  let through = below + hist[first];
  // the buckets between first and last are empty: the two ranks are adjacent
  while (through <= ranks.upper) through += hist[++last];
  return { first, last, below, count: through - below };
}

/**
 * Buckets whose values may have deviations inside [lo, hi]: upStart..upEnd above the median
 * buckets, downStart..downEnd below them (empty ranges have end < start). `below` values lie in buckets whose
 * deviations are certainly below lo; `midBelow`: the median buckets' own deviations are too.
 */
interface Band {
  readonly lo: number;
  readonly hi: number;
  readonly upStart: number;
  readonly upEnd: number;
  readonly downStart: number;
  readonly downEnd: number;
  readonly below: number;
  readonly midBelow: boolean;
  readonly count: number;
}

const NO_BAND: Band = { lo: 0, hi: 0, upStart: 0, upEnd: -1, downStart: 0, downEnd: -1, below: 0, midBelow: true, count: 0 };

/**
 * The MAD's band. m lies in [mLo, mHi], the value range of the median buckets, so a bucket above
 * them holding [vLo, vHi] has deviations in [vLo - mHi, vHi - mLo], one below them in
 * [mLo - vHi, mHi - vLo], and the median buckets in [0, mHi - mLo] (float64 subtraction is
 * monotone in both operands, so the computed deviation of every value lies inside its bucket's
 * computed bounds). On each side the bounds grow away from m; two pointers merged by bound visit
 * the buckets in order:
 * - hi: the largest upper bound among the first buckets that cover more than ranks.upper values;
 * - lo: the lower bound of the last bucket reached while the buckets taken before it (all with
 *   lower bounds <= it) hold at most ranks.lower values, so at most that many deviations are < lo.
 */
function deviationBand(hist: Int32Array, occupied: { first: number; last: number }, mid: MedianBuckets, ranks: Ranks): Band {
  const mLo = bucketValue(mid.first, false);
  const mHi = bucketValue(mid.last, true);
  const midUpper = mHi - mLo;
  const lowerBound = (b: number): number => (b > mid.last ? bucketValue(b, false) - mHi : mLo - bucketValue(b, true));
  const upperBound = (b: number): number => (b > mid.last ? bucketValue(b, true) - mLo : mHi - bucketValue(b, false));
  // merged walk over the non-empty buckets outside the median buckets, by one of the bounds
  const walk = (bound: (b: number) => number, visit: (b: number) => boolean): void => {
    let up = mid.last + 1;
    let down = mid.first - 1;
    for (;;) {
      while (up <= occupied.last && hist[up] === 0) up++;
      while (down >= occupied.first && hist[down] === 0) down--;
      const canUp = up <= occupied.last;
      const canDown = down >= occupied.first;
      if (!canUp && !canDown) return;
      const b = canUp && (!canDown || bound(up) <= bound(down)) ? up++ : down--;
      if (!visit(b)) return;
    }
  };
  let hi = midUpper;
  let covered = mid.count;
  if (covered <= ranks.upper) {
    walk(upperBound, (b) => {
      hi = Math.max(hi, upperBound(b));
      covered += hist[b];
      return covered <= ranks.upper;
    });
  }
  let lo = 0;
  let taken = mid.count;
  if (taken <= ranks.lower) {
    walk(lowerBound, (b) => {
      lo = Math.max(lo, lowerBound(b));
      taken += hist[b];
      return taken <= ranks.lower;
    });
  }
  lo = Math.min(lo, hi);
  // classify the buckets on each side: certainly below lo, in the band, certainly above hi
  let below = 0;
  let up = mid.last + 1;
  while (up <= occupied.last && (hist[up] === 0 || upperBound(up) < lo)) below += hist[up++];
  let upEnd = up - 1;
  while (upEnd + 1 <= occupied.last && (hist[upEnd + 1] === 0 || lowerBound(upEnd + 1) <= hi)) upEnd++;
  // below the median buckets the walk runs downwards: downEnd is reached first
  let downEnd = mid.first - 1;
  while (downEnd >= occupied.first && (hist[downEnd] === 0 || upperBound(downEnd) < lo)) below += hist[downEnd--];
  let downStart = downEnd + 1;
  while (downStart - 1 >= occupied.first && (hist[downStart - 1] === 0 || lowerBound(downStart - 1) <= hi)) downStart--;
  const midBelow = midUpper < lo;
  if (midBelow) below += mid.count;
  let count = 0;
  for (let b = up; b <= upEnd; b++) count += hist[b];
  for (let b = downStart; b <= downEnd; b++) count += hist[b];
  return { lo, hi, upStart: up, upEnd, downStart, downEnd, below, midBelow, count };
}

/**
 * One pass: the values of the median buckets into `medianValues`, those of the band buckets into
 * `bandValues` (both sized from the histogram, so exactly filled). Each pixel's bucket is looked
 * up in a class table (0 skip, 1 median, 2 band): one load instead of three range tests, which
 * halved this pass (measured 17.5 -> 8.8 ms over 3.1 MP); the table is cleared again afterwards.
 */
function collect(
  data: Float32Array,
  runs: PixelRuns,
  mask: Uint8Array | undefined,
  mid: MedianBuckets,
  band: Band,
  medianValues: Float64Array,
  bandValues: Float64Array,
): void {
  const ranges = { midFirst: mid.first, midLast: mid.last, upStart: band.upStart, upEnd: band.upEnd, downStart: band.downStart, downEnd: band.downEnd };
  if (collectWasm(data, runs, mask, ranges, medianValues, bandValues, band.count)) return;
  classes ??= new Uint8Array(BUCKETS);
  const table = classes;
  const mark = (from: number, to: number, value: number) => {
    for (let b = from; b <= to; b++) table[b] = value;
  };
  mark(mid.first, mid.last, 1);
  mark(band.upStart, band.upEnd, 2);
  mark(band.downStart, band.downEnd, 2);
  try {
    const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
    let jm = 0;
    let jb = 0;
    for (let r = 0; r < runs.length; r += 4) {
      const step = runs[r + 2];
      const count = runs[r + 3];
      if (count <= 0) continue;
      let i = runs[r];
      let p = runs[r + 1];
      const end = i + count * step;
      const end4 = i + (count - (count & 3)) * step;
      // unrolled four times like countKeys; most pixels are in class 0
      for (; i < end4; i += 4 * step, p += 4 * step) {
        const c0 = table[keyOf(bits[i])];
        const c1 = table[keyOf(bits[i + step])];
        const c2 = table[keyOf(bits[i + 2 * step])];
        const c3 = table[keyOf(bits[i + 3 * step])];
        if ((c0 | c1 | c2 | c3) === 0) continue;
        if (c0 !== 0 && !(mask && mask[p])) {
          if (c0 === 1) medianValues[jm++] = data[i];
          else bandValues[jb++] = data[i];
        }
        if (c1 !== 0 && !(mask && mask[p + step])) {
          if (c1 === 1) medianValues[jm++] = data[i + step];
          else bandValues[jb++] = data[i + step];
        }
        if (c2 !== 0 && !(mask && mask[p + 2 * step])) {
          if (c2 === 1) medianValues[jm++] = data[i + 2 * step];
          else bandValues[jb++] = data[i + 2 * step];
        }
        if (c3 !== 0 && !(mask && mask[p + 3 * step])) {
          if (c3 === 1) medianValues[jm++] = data[i + 3 * step];
          else bandValues[jb++] = data[i + 3 * step];
        }
      }
      for (; i < end; i += step, p += step) {
        const c = table[keyOf(bits[i])];
        if (c !== 0 && !(mask && mask[p])) {
          if (c === 1) medianValues[jm++] = data[i];
          else bandValues[jb++] = data[i];
        }
      }
    }
  } finally {
    mark(mid.first, mid.last, 0);
    mark(band.upStart, band.upEnd, 0);
    mark(band.downStart, band.downEnd, 0);
  }
}

/** The centre of `values` given the ranks of the two central values within it (equal for odd n). */
function centreOf(values: Float64Array, lowerRank: number, upperRank: number): number {
  const upper = selectRank(values, upperRank);
  if (lowerRank === upperRank) return upper;
  // the select leaves the smaller values before upperRank; the largest of them is the lower centre
  let lower = -Infinity;
  for (let i = 0; i < upperRank; i++) if (values[i] > lower) lower = values[i];
  return 0.5 * (lower + upper);
}
