/**
 * Robust statistics of METHOD.md section 0. NaN is the only invalid value: every function here
 * skips non-finite inputs. Inputs are never mutated (a finite copy is sorted/selected instead).
 */

/** Finite values of `values` as a new Float64Array. */
export function finiteValues(values: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) out[j++] = v;
  }
  return out;
}

/**
 * k-th smallest (0-based) of `a` by in-place quickselect (Floyd–Rivest style partition with
 * median-of-three pivots). Mutates `a`; callers pass a scratch copy.
 */
export function selectInPlace(a: Float64Array | Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as the pivot, moved to a[hi]
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[mid] < a[hi]) swap(a, mid, hi);
    const pivot = a[hi];
    let i = lo;
    for (let j = lo; j < hi; j++) {
      if (a[j] < pivot) {
        swap(a, i, j);
        i++;
      }
    }
    swap(a, i, hi);
    if (i === k) return a[i];
    if (i < k) lo = i + 1;
    else hi = i - 1;
  }
  return a[k];
}

function swap(a: Float64Array | Float32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/**
 * k-th smallest (0-based) of `a`, leaving a[0..k) <= a[k] <= a(k..n). Hoare-style partition whose
 * scans stop on keys equal to the pivot (Wirth's FIND), so runs of equal values split evenly.
 * Why not selectInPlace: its Lomuto partition sends every key equal to the pivot to one side and
 * turns quadratic on data with few distinct values — integer ADU frames, and above all their
 * absolute deviations from the median (P2 of the 60 x 0.8 MP bench set: 62 s -> 21 s in one
 * process; 786 k deviations with ~15 distinct values: minutes -> milliseconds).
 * selectInPlace stays as it is because callers sum the selected prefix in array order.
 */
export function selectRank(a: Float64Array | Float32Array, k: number): number {
  return selectRankIn(a, 0, a.length - 1, k);
}

/** selectRank restricted to a[lo..hi] (inclusive), lo <= k <= hi. */
function selectRankIn(a: Float64Array | Float32Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    // median of three values as the pivot: sorted or reversed runs stay linear
    const p = a[lo];
    const q = a[k];
    const r = a[hi];
    const x = p < q ? (q < r ? q : p < r ? r : p) : p < r ? p : q < r ? r : q;
    let i = lo;
    let j = hi;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return a[k];
}

/** Median of a scratch array of finite values (mutated). Even n: mean of the two central values. NaN if empty. */
export function medianInPlace(a: Float64Array | Float32Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const hiMid = n >>> 1;
  const upper = selectRank(a, hiMid);
  if (n % 2 === 1) return upper;
  // after selecting hiMid, the lower half a[0..hiMid) holds the smaller values; their max is the other centre
  let lower = -Infinity;
  for (let i = 0; i < hiMid; i++) if (a[i] > lower) lower = a[i];
  return 0.5 * (lower + upper);
}

/**
 * Exact median of the finite values among a[0..n) (default: all of `a`); `a` is neither mutated
 * nor copied. Same value as `median`, for callers that reuse a scratch array across calls.
 * `allFinite`: the caller knows a[0..n) holds no NaN or infinity (skips a scan; must be true).
 */
export function medianOfFinite(a: Float32Array | Float64Array, n = a.length, allFinite = false): number {
  selectMiddle(a, Math.min(n, a.length), false, 0, allFinite);
  return middleValue();
}

/**
 * Exact median of |a[i] - center| over the finite a[i], i < n: the MAD around a given centre
 * (multiply by MAD_TO_SIGMA for sigma_MAD). The deviations are formed on the fly in float64,
 * exactly as `mad` forms them, so the value is the same without a copy.
 */
export function medianDeviationOfFinite(a: Float32Array | Float64Array, center: number, n = a.length, allFinite = false): number {
  selectMiddle(a, Math.min(n, a.length), true, center, allFinite && center - center === 0);
  return middleValue();
}

/** Result of the last selectMiddle (module scratch: the selection allocates nothing per call). */
const picked = { lower: Number.NaN, upper: Number.NaN, count: 0 };

function middleValue(): number {
  if (picked.count === 0) return Number.NaN;
  return picked.count % 2 === 1 ? picked.upper : 0.5 * (picked.lower + picked.upper);
}

/** Below this many values a plain select beats another sampled narrowing. */
const SAMPLED_SELECT_MIN_N = 512;
const GATHER_BLOCK = 1 << 14;
/** Scratch kept between calls up to this size; larger selections allocate their own. */
const SCRATCH_KEEP_MAX = 1 << 17;
let gatherScratch: Float64Array = new Float64Array(GATHER_BLOCK);
let narrowScratch: Float64Array = new Float64Array(GATHER_BLOCK);
let finiteScratch: Float64Array = new Float64Array(0);
const sampleScratch = new Float64Array(8192);

function grown(buf: Float64Array, used: number, need: number): Float64Array {
  const next = new Float64Array(Math.max(2 * buf.length, need));
  next.set(buf.subarray(0, used));
  return next;
}

/**
 * True when a[0..n) holds no NaN or infinity. x*0 is 0 for finite x and NaN otherwise; four
 * running sums instead of an early exit run ~1.4x faster (no branch, no single dependency chain).
 */
export function allFiniteIn(a: Float32Array | Float64Array, n = a.length): boolean {
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  let i = 0;
  // the main loop leaves 1..4 values to the tail loop, so both have run before V8 optimizes
  // (a tail that never ran deoptimized the function again and again)
  for (; i + 4 < n; i += 4) {
    z0 += a[i] * 0;
    z1 += a[i + 1] * 0;
    z2 += a[i + 2] * 0;
    z3 += a[i + 3] * 0;
  }
  for (; i < n; i++) z0 += a[i] * 0;
  return z0 + z1 + z2 + z3 === 0;
}

/**
 * Values bracketing the rank q*m of the first m sampled keys (sampleScratch) with ~3 sigma of
 * the sample rank's spread on each side: [lo, hi] of the sample order statistics.
 */
function sampleBracket(m: number, q: number): { lo: number; hi: number } {
  const g = 3 * Math.sqrt(m * q * (1 - q)) + 2;
  const rLo = Math.max(0, Math.floor(q * m - g));
  const rHi = Math.min(m - 1, Math.ceil(q * m + g));
  const lo = selectRankIn(sampleScratch, 0, m - 1, rLo);
  return { lo, hi: selectRankIn(sampleScratch, rLo, m - 1, rHi) };
}

/** Stride sample of ~4*sqrt(n) keys of a[0..n) into sampleScratch; returns its size. */
function sampleKeys(a: Float32Array | Float64Array, n: number, deviation: boolean, center: number): number {
  const want = Math.min(sampleScratch.length, Math.max(64, Math.floor(4 * Math.sqrt(n))));
  const step = Math.max(1, Math.floor(n / want));
  let m = 0;
  for (let i = step >> 1; i < n && m < want; i += step) sampleScratch[m++] = deviation ? Math.abs(a[i] - center) : a[i];
  return m;
}

/** Counts of the last gather pass (module scratch, like `picked`). */
const gathered = { below: 0, inside: 0 };

/**
 * One pass over the finite keys a[0..n) (key = a[i], or |a[i] - center|): gathered.below = keys
 * < p1; the keys in [p1, p2] are gathered into `dst` (gathered.inside of them, in no particular
 * order); returns `dst`, or a larger copy of it when it was too small. Branch-free in four interleaved streams, each with its own write index:
 * with one index, every store waited on the previous key's comparison (a loop-carried chain
 * that made the pass 1.9x slower). Streams write to their own quarter of the block, which is then
 * closed up.
 */
function gatherBracket(
  a: Float32Array | Float64Array,
  n: number,
  deviation: boolean,
  center: number,
  p1: number,
  p2: number,
  dst: Float64Array,
): Float64Array {
  let buf = dst;
  let j = 0;
  let below = 0;
  for (let start = 0; start < n; start += GATHER_BLOCK) {
    const end = Math.min(n, start + GATHER_BLOCK);
    const q = ((end - start) >> 2) + 4;
    if (buf.length < j + 4 * q) buf = grown(buf, j, j + 4 * q);
    let j0 = j;
    let j1 = j + q;
    let j2 = j + 2 * q;
    let j3 = j + 3 * q;
    let i = start;
    if (deviation) {
      for (; i + 4 < end; i += 4) {
        const x0 = Math.abs(a[i] - center);
        const x1 = Math.abs(a[i + 1] - center);
        const x2 = Math.abs(a[i + 2] - center);
        const x3 = Math.abs(a[i + 3] - center);
        below += +(x0 < p1) + +(x1 < p1) + +(x2 < p1) + +(x3 < p1);
        buf[j0] = x0;
        j0 += +(x0 >= p1) & +(x0 <= p2);
        buf[j1] = x1;
        j1 += +(x1 >= p1) & +(x1 <= p2);
        buf[j2] = x2;
        j2 += +(x2 >= p1) & +(x2 <= p2);
        buf[j3] = x3;
        j3 += +(x3 >= p1) & +(x3 <= p2);
      }
    } else {
      for (; i + 4 < end; i += 4) {
        const x0 = a[i];
        const x1 = a[i + 1];
        const x2 = a[i + 2];
        const x3 = a[i + 3];
        below += +(x0 < p1) + +(x1 < p1) + +(x2 < p1) + +(x3 < p1);
        buf[j0] = x0;
        j0 += +(x0 >= p1) & +(x0 <= p2);
        buf[j1] = x1;
        j1 += +(x1 >= p1) & +(x1 <= p2);
        buf[j2] = x2;
        j2 += +(x2 >= p1) & +(x2 <= p2);
        buf[j3] = x3;
        j3 += +(x3 >= p1) & +(x3 <= p2);
      }
    }
    // 1..4 values left (see allFiniteIn): stream 0 has room for them
    for (; i < end; i++) {
      const x = deviation ? Math.abs(a[i] - center) : a[i];
      below += +(x < p1);
      buf[j0] = x;
      j0 += +(x >= p1) & +(x <= p2);
    }
    buf.copyWithin(j0, j + q, j1);
    j0 += j1 - (j + q);
    buf.copyWithin(j0, j + 2 * q, j2);
    j0 += j2 - (j + 2 * q);
    buf.copyWithin(j0, j + 3 * q, j3);
    j = j0 + j3 - (j + 3 * q);
  }
  gathered.below = below;
  gathered.inside = j;
  return buf;
}

/**
 * Sets `picked` to the count of finite keys and the keys of rank floor(count/2) (upper) and, for
 * an even count, floor(count/2) - 1 (lower); key = a[i], or |a[i] - center| when `deviation`.
 * Why not copy + quickselect: the P6.5 local metrics take ~7 medians of every tile of every frame,
 * and the copy plus the partition's mispredicted branch per element was most of P6. Here a stride
 * sample of ~4*sqrt(n) keys brackets the median's value (+-3 sigma of its rank); one branch-free
 * pass counts the keys below the bracket and gathers those inside it (~15 %); the gathered keys
 * are narrowed the same way until few are left, and the wanted ranks are selected there. The
 * sample only decides the speed: a bracket that misses either centre is not used (the previous,
 * larger set is selected from instead), so the result is exact in every case. Keys that are not
 * finite are first filtered into a copy (one scan tells whether there are any).
 */
function selectMiddle(a: Float32Array | Float64Array, n: number, deviation: boolean, center: number, allFinite: boolean): void {
  if (n < SAMPLED_SELECT_MIN_N) {
    selectFromAll(a, n, deviation, center);
    return;
  }
  if (!allFinite && !(allFiniteIn(a, n) && center - center === 0)) {
    const copy = finiteScratch.length >= n ? finiteScratch : new Float64Array(n);
    if (copy.length <= SCRATCH_KEEP_MAX) finiteScratch = copy;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = deviation ? Math.abs(a[i] - center) : a[i];
      if (x - x === 0) copy[m++] = x;
    }
    selectMiddle(copy, m, false, 0, true);
    picked.count = m;
    return;
  }
  const m = sampleKeys(a, n, deviation, center);
  const { lo: p1, hi: p2 } = sampleBracket(m, 0.5);
  const buf = gatherBracket(a, n, deviation, center, p1, p2, gatherScratch);
  if (buf.length <= SCRATCH_KEEP_MAX) gatherScratch = buf;
  picked.count = n;
  const even = n % 2 === 0;
  const r = (n >>> 1) - gathered.below;
  if (r < (even ? 1 : 0) || r >= gathered.inside) {
    selectFromAll(a, n, deviation, center);
    return;
  }
  selectCentres(buf, gathered.inside, r, even);
}

/**
 * picked.upper = rank r of buf[0..n) (finite keys), picked.lower = rank r - 1 when `even`
 * (r >= 1). Narrows by sampled brackets while the set is large; buf may be reordered.
 */
function selectCentres(buf: Float64Array, n: number, r: number, even: boolean): void {
  let cur = buf;
  // ping-pong: each narrowing gathers into the other buffer, so a missed bracket leaves `cur` intact
  let other = cur === narrowScratch ? gatherScratch : narrowScratch;
  while (n >= SAMPLED_SELECT_MIN_N) {
    const m = sampleKeys(cur, n, false, 0);
    // centre the bracket between the two wanted ranks
    const { lo: p1, hi: p2 } = sampleBracket(m, (r + (even ? 0 : 0.5)) / n);
    other = gatherBracket(cur, n, false, 0, p1, p2, other);
    const rNext = r - gathered.below;
    // keep the larger set when the bracket missed a centre (or did not narrow at all)
    if (rNext < (even ? 1 : 0) || rNext >= gathered.inside || gathered.inside === n) break;
    const t = cur;
    cur = other;
    other = t;
    n = gathered.inside;
    r = rNext;
  }
  picked.upper = selectRankIn(cur, 0, n - 1, r);
  if (even) picked.lower = maxOf(cur, 0, r);
}

/** selectMiddle by a finite copy and a full select (small n, or a missed bracket). */
function selectFromAll(a: Float32Array | Float64Array, n: number, deviation: boolean, center: number): void {
  let buf = gatherScratch;
  if (buf.length < n) buf = n <= SCRATCH_KEEP_MAX ? (gatherScratch = new Float64Array(n)) : new Float64Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const x = deviation ? Math.abs(a[i] - center) : a[i];
    if (x - x === 0) buf[j++] = x;
  }
  picked.count = j;
  if (j > 0) selectCentres(buf, j, j >>> 1, j % 2 === 0);
}

function maxOf(a: Float64Array, from: number, to: number): number {
  let v = -Infinity;
  for (let i = from; i < to; i++) if (a[i] > v) v = a[i];
  return v;
}

function isFloatArray(values: ArrayLike<number>): values is Float32Array | Float64Array {
  return values instanceof Float32Array || values instanceof Float64Array;
}

/** Exact median of the finite values; NaN if there are none. */
export function median(values: ArrayLike<number>): number {
  return isFloatArray(values) ? medianOfFinite(values) : medianInPlace(finiteValues(values));
}

/** MAD = median(|x - median(x)|) over finite values. */
export function mad(values: ArrayLike<number>, center?: number): number {
  if (isFloatArray(values) && (center === undefined || Number.isFinite(center))) {
    const m = center ?? medianOfFinite(values);
    return Number.isFinite(m) ? medianDeviationOfFinite(values, m) : Number.NaN;
  }
  const a = finiteValues(values);
  if (a.length === 0) return Number.NaN;
  const m = center ?? medianInPlace(a.slice());
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i] - m);
  return medianInPlace(a);
}

export const MAD_TO_SIGMA = 1.4826;

/** sigma_MAD = 1.4826 * MAD. */
export function sigmaMad(values: ArrayLike<number>, center?: number): number {
  return MAD_TO_SIGMA * mad(values, center);
}

/** Median and sigma_MAD in one pass over a single finite copy. */
export function medianAndSigmaMad(values: ArrayLike<number>): { median: number; sigma: number; n: number } {
  if (isFloatArray(values)) {
    const m = medianOfFinite(values);
    if (!(picked.count > 0)) return { median: Number.NaN, sigma: Number.NaN, n: 0 };
    const n = picked.count;
    return { median: m, sigma: MAD_TO_SIGMA * medianDeviationOfFinite(values, m), n };
  }
  const a = finiteValues(values);
  if (a.length === 0) return { median: Number.NaN, sigma: Number.NaN, n: 0 };
  const m = medianInPlace(a);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i] - m);
  return { median: m, sigma: MAD_TO_SIGMA * medianInPlace(a), n: a.length };
}

/** Percentile p (0..100) of the finite values: element round(p/100*(n-1)) of the sorted values [REF]. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const a = finiteValues(values);
  if (a.length === 0) return Number.NaN;
  const k = Math.round((p / 100) * (a.length - 1));
  return selectInPlace(a, Math.min(a.length - 1, Math.max(0, k)));
}

/** Mean over finite values (float64 accumulation); NaN if none. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Population standard deviation over finite values. */
export function stdDev(values: ArrayLike<number>): number {
  const m = mean(values);
  if (!Number.isFinite(m)) return Number.NaN;
  let s = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      s += (v - m) * (v - m);
      n++;
    }
  }
  return Math.sqrt(s / n);
}

/**
 * Robust z-scores over a sequence (METHOD.md section 0): z_i = (x_i - med)/s with
 * s = max(1.4826*MAD, zFloorRel*|med|); if s < 1e-6 every z is 0. Non-finite inputs get z = NaN.
 */
export function robustZ(values: ArrayLike<number>, zFloorRel: number): Float64Array {
  const out = new Float64Array(values.length);
  const { median: med, sigma } = medianAndSigmaMad(values);
  if (!Number.isFinite(med)) return out.fill(Number.NaN);
  const s = Math.max(sigma, zFloorRel * Math.abs(med));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) out[i] = Number.NaN;
    else out[i] = s < 1e-6 ? 0 : (v - med) / s;
  }
  return out;
}

export function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}
