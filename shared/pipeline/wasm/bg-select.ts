import { ensureWasmBytes, instantiateWasm, type WasmMemory } from '../../util/wasm';
import { BG_SELECT_WASM } from './bg-select.wasm';

/**
 * The tail of E in P2.4 (global-metrics.ts): the finite |grad|^2 values gathered in order, the
 * largest ones moved past rank `keep` by stats.ts selectInPlace, the first `keep` summed in array
 * order, through the WebAssembly kernel bg-select.wat: the same arrangement swap for swap, so the
 * same float64 sum (0.8 MP proxy: ~25 ms of JS against ~5 ms). The values go into the kernel's
 * memory as float32 (4 bytes each); an instance whose memory would exceed KEEP_BYTES (proxies of
 * frames above ~16 MP) is used once and dropped, so a worker keeps at most that much.
 * null where WebAssembly is missing: the caller runs the JS.
 */
export interface SmallestSum {
  /** Finite values. */
  readonly m: number;
  /** How many of the smallest were summed. */
  readonly keep: number;
  readonly sum: number;
}

const KEEP_BYTES = 16 << 20;

interface Kernel {
  readonly memory: WasmMemory;
  readonly f32: Float32Array;
  readonly compact: (n: number) => number;
  readonly select: (n: number, k: number) => void;
  readonly sum: (k: number) => number;
}

let kernel: Kernel | null | undefined;

function instantiate(): Kernel | null {
  const w = instantiateWasm(BG_SELECT_WASM);
  if (w === null) return null;
  return {
    memory: w.memory,
    f32: w.views.f32,
    compact: w.exports.compact as Kernel['compact'],
    select: w.exports.select as Kernel['select'],
    sum: w.exports.sum as Kernel['sum'],
  };
}

function kernelFor(bytes: number): Kernel | null {
  if (kernel === undefined) kernel = instantiate();
  if (kernel === null) return null;
  const k = bytes <= KEEP_BYTES ? kernel : instantiate();
  if (k === null) return null;
  const views = { f32: k.f32, f64: new Float64Array(0), i32: new Int32Array(0) };
  ensureWasmBytes(k.memory, views, bytes);
  if (views.f32 === k.f32) return k;
  const grown: Kernel = { ...k, f32: views.f32 };
  if (k === kernel) kernel = grown;
  return grown;
}

export function wasmSelectAvailable(): boolean {
  return kernelFor(0) !== null;
}

/** See SmallestSum; keepOf(m) gives the number of smallest values to keep (<= m). */
export function smallestSumWasm(values: Float32Array, keepOf: (m: number) => number): SmallestSum | null {
  const k = kernelFor(4 * values.length + 16);
  if (k === null) return null;
  k.f32.set(values, 0);
  const m = k.compact(values.length);
  const keep = keepOf(m);
  if (keep < m) k.select(m, keep);
  return { m, keep, sum: k.sum(keep) };
}
