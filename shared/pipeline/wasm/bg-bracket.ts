import { selectRank } from '../../image/stats';
import { ensureWasmBytes, instantiateWasm, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_BRACKET_WASM } from './bg-bracket.wasm';

/**
 * The P6.4 cell medians (local-background.ts, ~10^4 pixels per cell) through the WebAssembly SIMD
 * kernel bg-bracket.wat: the cell's row spans are staged in the kernel's memory and its finite
 * unmasked pixels gathered there (the JS gather loop cost as much as the medians); a strided
 * sample brackets the centre (+-3 sigma of the sample rank), one 4-wide pass counts the values
 * below the bracket and copies those inside, and the centres are selected among the copied ones.
 * The ranks are exact, so the value is that of stats.ts medianOfFinite (even n: the float64 mean
 * of the two centres); cells measured 2048 x 1536 canvas ~50 -> ~33 ms. The median is null, and
 * the JS takes the gathered values, without WebAssembly, for a bracket that misses a centre (rare;
 * the sample only decides the speed), or for a zero median (-0 and +0 tie in comparisons, and
 * which one a select returns depends on its arrangement). Memory: ~20 bytes per cell pixel, kept.
 */
const VALUES_AT = 64;
const SAMPLE_MAX = 8192;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  u8: Uint8Array;
  readonly bracket: (n: number, out: number, p1: number, p2: number) => void;
  readonly compact: (total: number, step: number, stage: number, stageMask: number) => number;
}

let kernel: Kernel | null | undefined;
const sample = new Float64Array(SAMPLE_MAX);

function loadKernel(): Kernel | null {
  if (kernel === undefined) {
    const w = instantiateWasm(BG_BRACKET_WASM);
    kernel = w
      ? { memory: w.memory, ...w.views, u8: new Uint8Array(w.memory.buffer), bracket: w.exports.bracket as Kernel['bracket'], compact: w.exports.compact as Kernel['compact'] }
      : null;
  }
  return kernel;
}

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

/**
 * The finite pixels of the runs (quadruples as in radix-median.ts, one step for all) whose mask
 * byte is 0, gathered in the kernel, and their median when there are at least `minCount`. Where the
 * median is null, `values` holds the gathered pixels for the JS median. null without the kernel.
 */
export function cellMedianWasm(data: Float32Array, mask: Uint8Array, runs: Int32Array, minCount: number, values: Float32Array): CellMedian | null {
  const k = loadKernel();
  if (k === null || runs.length === 0) return null;
  const step = runs[2];
  let total = 0;
  for (let r = 0; r < runs.length; r += 4) {
    if (runs[r + 2] !== step) return null;
    total += runs[r + 3] * step;
  }
  // values and out hold at most total / step each; the stage total floats and bytes
  const cap = Math.ceil(total / step);
  const stageAt = VALUES_AT + 8 * cap + 32;
  const maskAt = stageAt + 4 * total + 16;
  grow(k, maskAt + total + 16);
  // each run's span (count * step floats) in turn: every step-th staged float is a run pixel
  let o = 0;
  for (let r = 0; r < runs.length; r += 4) {
    const len = runs[r + 3] * step;
    const i0 = runs[r];
    const p0 = runs[r + 1];
    // the last run may end within step - 1 floats of the array's end: the gap is never read
    const have = Math.min(len, data.length - i0, mask.length - p0);
    k.f32.set(data.subarray(i0, i0 + have), (stageAt >> 2) + o);
    k.u8.set(mask.subarray(p0, p0 + have), maskAt + o);
    o += len;
  }
  const n = k.compact(total, step, stageAt, maskAt);
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
