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
function selectRank(a: Float64Array | Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
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

/** Exact median of the finite values; NaN if there are none. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(finiteValues(values));
}

/** MAD = median(|x - median(x)|) over finite values. */
export function mad(values: ArrayLike<number>, center?: number): number {
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
