import { selectRank } from '../../image/stats';
import { align16, ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_BRACKET_WASM } from './bg-bracket.wasm';

/**
 * The P6.4 cell medians (local-background.ts, ~10^4 pixels per cell) through the WebAssembly SIMD
 * kernel bg-bracket.wat: a row of cells' span of the canvas is staged in the kernel's memory once
 * and each cell's finite unmasked pixels gathered there by its runs (the JS gather loop cost as
 * much as the medians); a strided
 * sample brackets the centre (+-3 sigma of the sample rank), one 4-wide pass counts the values
 * below the bracket and copies those inside, and the centres are selected among the copied ones.
 * The ranks are exact, so the value is that of stats.ts medianOfFinite (even n: the float64 mean
 * of the two centres); cells measured 2048 x 1536 canvas ~50 -> ~33 ms. The median is null, and
 * the JS takes the gathered values, without WebAssembly, for a bracket that misses a centre (rare;
 * the sample only decides the speed), or for a zero median (-0 and +0 tie in comparisons, and
 * which one a select returns depends on its arrangement). Memory: ~20 bytes per cell pixel plus
 * the staged band (5 bytes per pixel of a row of cells), kept.
 */
const VALUES_AT = 64;
const SAMPLE_MAX = 8192;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  u8: Uint8Array;
  readonly bracket: (n: number, out: number, p1: number, p2: number) => void;
  readonly compactRuns: (runs: number, nRuns: number, band: number, bandMask: number) => number;
}

const sample = new Float64Array(SAMPLE_MAX);

const loadKernel = lazyWasmKernel(
  BG_BRACKET_WASM,
  (w): Kernel => ({
    memory: w.memory,
    ...w.views,
    u8: new Uint8Array(w.memory.buffer),
    bracket: w.exports.bracket as Kernel['bracket'],
    compactRuns: w.exports.compact_runs as Kernel['compactRuns'],
  }),
);

export function wasmBracketAvailable(): boolean {
  return loadKernel() !== null;
}

function grow(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
  if (k.u8.buffer !== k.memory.buffer) k.u8 = new Uint8Array(k.memory.buffer);
}

/** Median of values[0..n) (all finite), or null (see above). */
export function medianOfFiniteWasm(values: Float32Array, n: number): number | null {
  const k = loadKernel();
  if (k === null || n < 64) return null;
  grow(k, VALUES_AT + 8 * n + 32);
  k.f32.set(values.subarray(0, n), VALUES_AT >> 2);
  return medianInKernel(k, n);
}

/** A cell's gathered pixels: their number, and their median (NaN: not asked; null: take the JS's). */
export interface CellMedian {
  readonly n: number;
  readonly median: number | null;
}

/** A row of cells' data and mask spans as stageCellBand left them in the kernel (byte addresses). */
interface StagedBand {
  readonly lo: number;
  readonly hi: number;
  readonly plo: number;
  readonly phi: number;
  readonly cap: number;
  readonly bandAt: number;
  readonly maskAt: number;
  readonly runsAt: number;
}

let staged: StagedBand | null = null;

/**
 * Copies data[lo, hi) and mask[plo, phi) into the kernel in one piece each: the span of one row
 * of cells (one colour), from which bandCellMedianWasm gathers every cell of the row. Staging
 * each cell's rows one by one cost ~65,000 small copies per 2048 x 1536 canvas. `cap` = the most
 * pixels a cell holds (the values and the bracket's output are laid out for it, before the band).
 * false without the kernel (nothing is staged then).
 */
export function stageCellBand(data: Float32Array, mask: Uint8Array, lo: number, hi: number, plo: number, phi: number, cap: number): boolean {
  const k = loadKernel();
  staged = null;
  if (k === null || !(0 <= lo && lo <= hi && hi <= data.length && 0 <= plo && plo <= phi && phi <= mask.length)) return false;
  const bandAt = align16(VALUES_AT + 8 * cap + 64);
  const maskAt = align16(bandAt + 4 * (hi - lo) + 16);
  const runsAt = align16(maskAt + (phi - plo) + 16);
  grow(k, runsAt + 16);
  k.f32.set(data.subarray(lo, hi), bandAt >> 2);
  k.u8.set(mask.subarray(plo, phi), maskAt);
  staged = { lo, hi, plo, phi, cap, bandAt, maskAt, runsAt };
  return true;
}

/**
 * The finite pixels of a cell's runs (quadruples as in radix-median.ts: absolute data and mask
 * indices, step, count) whose mask byte is 0, gathered in the kernel from the band stageCellBand
 * staged last, and their median when there are at least `minCount`. Where the median is null,
 * `values` holds the gathered pixels, in run order, for the JS median. null where nothing is
 * staged, a run leaves the band or the cell holds more than its `cap` pixels.
 */
export function bandCellMedianWasm(runs: Int32Array, minCount: number, values: Float32Array): CellMedian | null {
  const k = loadKernel();
  const s = staged;
  if (k === null || s === null || runs.length === 0) return null;
  let total = 0;
  for (let r = 0; r < runs.length; r += 4) {
    const i0 = runs[r] - s.lo;
    const p0 = runs[r + 1] - s.plo;
    const step = runs[r + 2];
    const count = runs[r + 3];
    if (count === 0) continue;
    if (i0 < 0 || p0 < 0 || step < 1 || i0 + (count - 1) * step >= s.hi - s.lo || p0 + (count - 1) * step >= s.phi - s.plo) return null;
    total += count;
  }
  if (total > s.cap) return null;
  grow(k, s.runsAt + 4 * runs.length + 16);
  const at = s.runsAt >> 2;
  for (let r = 0; r < runs.length; r += 4) {
    k.i32[at + r] = runs[r] - s.lo;
    k.i32[at + r + 1] = runs[r + 1] - s.plo;
    k.i32[at + r + 2] = runs[r + 2];
    k.i32[at + r + 3] = runs[r + 3];
  }
  const n = k.compactRuns(s.runsAt, runs.length >> 2, s.bandAt, s.maskAt);
  if (n < minCount) return { n, median: Number.NaN };
  const median = n >= 64 ? medianInKernel(k, n) : null;
  if (median === null) values.set(k.f32.subarray(VALUES_AT >> 2, (VALUES_AT >> 2) + n));
  return { n, median };
}

/** The median of the n values at VALUES_AT (see the file comment), or null. */
function medianInKernel(k: Kernel, n: number): number | null {
  const outAt = VALUES_AT + 4 * n + 16;
  // ~4 sqrt(n) values, every step-th
  const want = Math.min(SAMPLE_MAX, Math.floor(4 * Math.sqrt(n)));
  const step = Math.max(1, Math.floor(n / want));
  const f32 = k.f32;
  let m = 0;
  for (let i = step >> 1; i < n && m < want; i += step) sample[m++] = f32[(VALUES_AT >> 2) + i];
  const g = 3 * Math.sqrt(m * 0.25) + 2;
  const rLo = Math.max(0, Math.floor(0.5 * m - g));
  const rHi = Math.min(m - 1, Math.ceil(0.5 * m + g));
  const p1 = selectRank(sample.subarray(0, m), rLo);
  // the select leaves every rank above rLo after it
  const p2 = selectRank(sample.subarray(rLo, m), rHi - rLo);
  k.bracket(n, outAt, p1, p2);
  const below = k.i32[0];
  const inside = k.i32[1];
  const upper = n >>> 1;
  const even = n % 2 === 0;
  const r = upper - below;
  if (r < (even ? 1 : 0) || r >= inside) return null;
  const found = Float64Array.from(k.f32.subarray(outAt >> 2, (outAt >> 2) + inside));
  let result: number;
  if (!even) result = selectRank(found, r);
  else {
    const hi = selectRank(found, r);
    // selectRank leaves the smaller values before r: the largest of them is the lower centre
    let lo = -Infinity;
    for (let i = 0; i < r; i++) if (found[i] > lo) lo = found[i];
    result = 0.5 * (lo + hi);
  }
  return result === 0 ? null : result;
}
