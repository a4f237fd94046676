import { boxResidual, boxRowSumsAndCounts, reflect101 } from '../../image/filters';
import { median3x3BySortedColumns, median3x3Rows, type MedianRowWriter } from '../../image/rank-filters';
import { IDENTITY } from './affine';
import { wasmHighPass, wasmMedianRows } from './high-pass-wasm';
import { nccUnderTransform } from './ncc';

/**
 * Box (proxy px) of the background removed before the acceptance NCC: 15 proxy px = 30 full-resolution
 * px, several times the widest star yet small against sky gradients and vignetting.
 */
export const NCC_HIGHPASS_BOX = 15;

/**
 * [DIFF] The plane the P4.6 rule compares: the proxy's 3x3 median minus its local background (box
 * mean of NCC_HIGHPASS_BOX; NaN kept; a rim of half the box left out). On the plain proxy the NCC is ruled by what is fixed to the
 * sensor, not to the sky: a light-pollution gradient, vignetting and hot pixels correlate best at
 * identity, and the rule threw away correct star fits (15-19 of 50 frames of the 512x384 quality
 * sets were stacked unaligned). The median removes single hot pixels, the box the sky's shape;
 * what is left is what registration aligns, the stars.
 *
 * Computed as filters.ts boxResidual(median3x3BySortedColumns(proxy)) with the rim set to NaN, value
 * for value; a frame large enough to have the rim is streamed row by row instead: through the
 * WebAssembly kernels (high-pass-wasm.ts) when the proxy has no NaN and WebAssembly SIMD runs,
 * else streamedHighPass.
 */
export function nccPlane(proxy: Float32Array, w: number, h: number): Float32Array {
  const k = nccBox(w, h);
  const half = (k - 1) >> 1;
  // near the edges the box reflects the image, so a steep vignetting leaves a sensor-fixed rim that
  // correlates at identity: the rim is left out (NaN) wherever the frame is large enough to spare it
  if (half > 0 && w > 4 * half && h > 4 * half) return (allFinite(proxy) ? wasmHighPass(proxy, w, h, k)?.plane : null) ?? streamedHighPass(proxy, w, h);
  return boxResidual(median3x3BySortedColumns(proxy, w, h), w, h, k);
}

/** A reference for nccPlaneAndIdentity: its proxy and high-passed plane. */
export interface HighPassReference {
  readonly proxy: Float32Array;
  readonly highPass: Float32Array;
  readonly w: number;
  readonly h: number;
}

/**
 * nccPlane of a moving proxy with the two NCCs of the reference against it at identity, which the
 * P4.6 rule needs for every frame: nccUnderTransform(ref.proxy, proxy, IDENTITY) and
 * nccUnderTransform(ref.highPass, plane, IDENTITY), to the last bit. Where the plane is made by the
 * WebAssembly kernels (same size as the reference, no NaN), they sum the identity NCCs from the rows
 * they hold, instead of two more sweeps over four planes (~50 ms on a 24 MP frame's proxy).
 */
export function nccPlaneAndIdentity(proxy: Float32Array, w: number, h: number, ref: HighPassReference): { plane: Float32Array; plainIdentity: number; highPassIdentity: number } {
  const k = nccBox(w, h);
  const half = (k - 1) >> 1;
  if (ref.w === w && ref.h === h && half > 0 && w > 4 * half && h > 4 * half && allFinite(proxy)) {
    const r = wasmHighPass(proxy, w, h, k, ref);
    if (r !== null && r.identity !== null) return { plane: r.plane, plainIdentity: r.identity[0], highPassIdentity: r.identity[1] };
  }
  const plane = nccPlane(proxy, w, h);
  return {
    plane,
    plainIdentity: nccUnderTransform(ref.proxy, ref.w, ref.h, proxy, w, h, IDENTITY),
    highPassIdentity: nccUnderTransform(ref.highPass, ref.w, ref.h, plane, w, h, IDENTITY),
  };
}

/** The box of a w x h proxy: NCC_HIGHPASS_BOX, or the largest odd size that fits. */
function nccBox(w: number, h: number): number {
  return Math.max(1, Math.min(NCC_HIGHPASS_BOX, oddAtMost(Math.min(w, h))));
}

function oddAtMost(n: number): number {
  return n % 2 === 1 ? n : n - 1;
}

/**
 * nccPlane of a frame large enough for the rim (w and h above 2 * (NCC_HIGHPASS_BOX - 1)), in JS,
 * streamed: each median row is made once, its horizontal box sums kept in a ring of k + 1 rows,
 * and each output row taken from the running column sums, so neither a median plane nor a plane
 * of row sums is ever held (they were 24 + 48 MB for a 24 MP frame's proxy, and writing and
 * reading them back cost as much as the arithmetic). Every value is filters.ts boxFilter's: the
 * same float64 running sums, started at the reflected edge and slid in the same order, only
 * stopped at the last row and column the rim does not hide. Exported for the tests (nccPlane runs
 * it for proxies with NaN and where WebAssembly is missing).
 */
export function streamedHighPass(proxy: Float32Array, w: number, h: number): Float32Array {
  const k = nccBox(w, h);
  const half = (k - 1) >> 1;
  if (!(half > 0 && w > 4 * half && h > 4 * half)) throw new RangeError(`streamedHighPass: a ${w} x ${h} frame has no room for the rim`);
  const rows = new BoxRows(proxy, w, h, k);
  const colSum = new Float64Array(w);
  const colCnt = new Float64Array(w);
  for (let i = 0; i < k; i++) {
    const at = rows.through(reflect101(i - half, h));
    addRow(colSum, rows.sums, at, w);
    if (rows.counts !== null) addRow(colCnt, rows.counts, at, w);
  }
  const out = new Float32Array(w * h).fill(Number.NaN);
  for (let y = 0; y < h - half; y++) {
    const output = y >= half;
    const slide = y + 1 < h - half;
    const enter = slide ? rows.through(reflect101(y + half + 1, h)) : 0;
    const leave = slide ? rows.slotOf(reflect101(y - half, h)) : 0;
    if (rows.counts === null && output && slide) {
      // the usual row: output and slide in one pass over the column sums
      residualAndSlideRow(rows.med, rows.slotOf(y), colSum, k * k, out, y * w, half, rows.sums, enter, leave, w);
      continue;
    }
    if (output) {
      if (rows.counts === null) residualRow(rows.med, rows.slotOf(y), colSum, k * k, out, y * w, half, w - half);
      else residualRowCounted(rows.med, rows.slotOf(y), colSum, colCnt, out, y * w, half, w - half);
    }
    if (slide) {
      slideRow(colSum, rows.sums, enter, leave, w);
      if (rows.counts !== null) slideRow(colCnt, rows.counts, enter, leave, w);
    }
  }
  return out;
}

/**
 * The median rows and their horizontal box sums (and valid counts if the proxy has NaN), made in
 * order and kept in a ring of k + 1 slots: the vertical window spans k rows, and the row entering
 * it is made before the one leaving it is read.
 */
class BoxRows {
  readonly med: Float32Array;
  readonly sums: Float64Array;
  readonly counts: Float64Array | null;
  private readonly writeMedianRow: MedianRowWriter;
  private readonly xIndex: Int32Array;
  private readonly rowVal: Float64Array;
  private readonly rowOk: Float64Array;
  private readonly slots: number;
  private made = 0;
  constructor(
    proxy: Float32Array,
    private readonly w: number,
    h: number,
    private readonly k: number,
  ) {
    this.slots = k + 1;
    this.writeMedianRow = wasmMedianRows(proxy, w, h) ?? median3x3Rows(proxy, w, h);
    this.med = new Float32Array(this.slots * w);
    this.sums = new Float64Array(this.slots * w);
    // a frame without NaN (the usual case) needs no valid-pixel counts: every window holds k * k
    this.counts = allFinite(proxy) ? null : new Float64Array(this.slots * w);
    this.xIndex = reflectedIndices(w, k);
    this.rowVal = new Float64Array(w + k - 1);
    this.rowOk = new Float64Array(w + k - 1);
  }
  /** Offset of row r's slot (r must be one of the last k + 1 rows made). */
  slotOf(r: number): number {
    return (r % this.slots) * this.w;
  }
  /** Makes the rows up to r and returns r's slot offset. */
  through(r: number): number {
    for (; this.made <= r; this.made++) {
      const at = this.slotOf(this.made);
      this.writeMedianRow(this.made, this.med, at);
      if (this.counts === null) horizontalSums(this.med, at, this.w, this.k, this.xIndex, this.sums);
      else boxRowSumsAndCounts(this.med, at, this.w, this.k, this.xIndex, this.rowVal, this.rowOk, this.sums, this.counts);
    }
    return this.slotOf(r);
  }
}

function addRow(acc: Float64Array, rows: Float64Array, at: number, w: number): void {
  for (let x = 0; x < w; x++) acc[x] += rows[at + x];
}

function slideRow(acc: Float64Array, rows: Float64Array, enter: number, leave: number, w: number): void {
  for (let x = 0; x < w; x++) acc[x] += rows[enter + x] - rows[leave + x];
}

/** out[o + x] = med[m + x] - fround(colSum[x] / count) for x in [x0, x1): boxResidual's finite output. */
function residualRow(med: Float32Array, m: number, colSum: Float64Array, count: number, out: Float32Array, o: number, x0: number, x1: number): void {
  for (let x = x0; x < x1; x++) out[o + x] = med[m + x] - Math.fround(colSum[x] / count);
}

/** residualRow over [half, w - half), then slideRow: each column sum read once. */
function residualAndSlideRow(
  med: Float32Array,
  m: number,
  colSum: Float64Array,
  count: number,
  out: Float32Array,
  o: number,
  half: number,
  rows: Float64Array,
  enter: number,
  leave: number,
  w: number,
): void {
  for (let x = 0; x < half; x++) colSum[x] += rows[enter + x] - rows[leave + x];
  for (let x = half; x < w - half; x++) {
    const s = colSum[x];
    out[o + x] = med[m + x] - Math.fround(s / count);
    colSum[x] = s + (rows[enter + x] - rows[leave + x]);
  }
  for (let x = w - half; x < w; x++) colSum[x] += rows[enter + x] - rows[leave + x];
}

/** The same over the valid pixels of each window (NaN where it has none). */
function residualRowCounted(med: Float32Array, m: number, colSum: Float64Array, colCnt: Float64Array, out: Float32Array, o: number, x0: number, x1: number): void {
  for (let x = x0; x < x1; x++) {
    const mean = colCnt[x] > 0.5 ? colSum[x] / colCnt[x] : Number.NaN;
    out[o + x] = med[m + x] - Math.fround(mean);
  }
}

/**
 * No NaN or infinity: their sum is finite exactly then (a float32 plane cannot overflow a float64
 * sum), and four sums are four independent chains of additions.
 */
function allFinite(plane: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n4 = plane.length - (plane.length % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += plane[i];
    s1 += plane[i + 1];
    s2 += plane[i + 2];
    s3 += plane[i + 3];
  }
  for (let i = n4; i < plane.length; i++) s0 += plane[i];
  return Number.isFinite(s0 + s1 + s2 + s3);
}

function reflectedIndices(n: number, k: number): Int32Array {
  const half = (k - 1) >> 1;
  const index = new Int32Array(n + k - 1);
  for (let i = 0; i < index.length; i++) index[i] = reflect101(i - half, n);
  return index;
}

/**
 * boxFilter's horizontal pass over a finite row at med[at ..]: running sums into sums[at ..].
 * Between the reflected ends the entering and leaving pixels are x + half + 1 and x - half (what
 * the reflected index table holds there), read directly.
 */
function horizontalSums(med: Float32Array, at: number, w: number, k: number, xIndex: Int32Array, sums: Float64Array): void {
  const half = (k - 1) >> 1;
  let s = 0;
  for (let i = 0; i < k; i++) s += med[at + xIndex[i]];
  let x = 0;
  for (; x < half && x < w - 1; x++) {
    sums[at + x] = s;
    s += med[at + xIndex[x + k]] - med[at + xIndex[x]];
  }
  const direct = w - half - 1;
  for (; x < direct; x++) {
    sums[at + x] = s;
    s += med[at + x + half + 1] - med[at + x - half];
  }
  for (; x < w - 1; x++) {
    sums[at + x] = s;
    s += med[at + xIndex[x + k]] - med[at + xIndex[x]];
  }
  sums[at + w - 1] = s;
}
