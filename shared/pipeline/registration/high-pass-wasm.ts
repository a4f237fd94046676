import { reflect101 } from '../../image/filters';
import type { MedianRowWriter } from '../../image/rank-filters';
import { nccOfSums } from './ncc';
import { HIGH_PASS_ROWS_WASM } from './wasm/high-pass-rows.wasm';
import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';

/**
 * The registration high-pass plane (nccPlane, P4.6) through the WebAssembly kernels of
 * wasm/high-pass-rows.wat: the 3x3 median four pixels per step (SIMD), the horizontal box sums, and
 * the vertical step two columns per step. On a 24 MP frame's 6 MP proxy the JS forms took ~100 ms
 * for the median and ~70 ms for the box (its float64 divisions, one per pixel, bound it).
 *
 * Same values as the JS forms: the median takes the median of the same nine values (min/max select
 * an input exactly; the only possible difference is the sign of a zero median, since the JS
 * arithmetic min/max turn -0 into +0 in some ties, and a zero of either sign adds the same to every
 * NCC sum); the box repeats boxFilter's float64 sums, divisions and float32 roundings in its order.
 *
 * The kernels read from their own memory: the proxy rows are copied in once each (a ring of
 * three), the median rows and their sums live in rings of k + 1 rows, and each output row is
 * copied out. One instance per process (per worker thread); its memory, once grown, is kept
 * (~0.9 MB for a 3000 px wide proxy). Where WebAssembly or SIMD is missing (instantiation throws),
 * wasmHighPass and wasmMedianRows return null and the caller runs the JS forms.
 */

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  readonly medianRow: (up: number, mid: number, down: number, w: number, cols: number, out: number) => void;
  readonly boxSums: (med: number, xIndex: number, w: number, k: number, sums: number) => void;
  readonly columnStep: (med: number, colSum: number, count: number, out: number, enter: number, leave: number, n: number) => void;
  readonly identityRow: (refA: number, movA: number, refB: number, movB: number, n: number, sums: number) => void;
  /** The writer whose rows the slots hold; another writer's first call reloads them. */
  owner: object | null;
}

// without WebAssembly or SIMD the JS rows give the same values
const loadedKernel = lazyWasmKernel(
  HIGH_PASS_ROWS_WASM,
  (w): Kernel => ({
    memory: w.memory,
    medianRow: w.exports.median_row as Kernel['medianRow'],
    boxSums: w.exports.box_sums as Kernel['boxSums'],
    columnStep: w.exports.column_step as Kernel['columnStep'],
    identityRow: w.exports.identity_row as Kernel['identityRow'],
    ...w.views,
    owner: null,
  }),
);

function ensureBytes(k: Kernel, bytes: number): void {
  ensureWasmBytes(k.memory, k, bytes);
}

/** Bytes of n floats rounded up to a whole 16-byte vector. */
function vectorBytes(n: number): number {
  return Math.ceil((n * 4) / 16) * 16;
}

/** Rows of the 3x3 median of a float32 plane (as median3x3Rows), or null without WebAssembly SIMD. */
export function wasmMedianRows(plane: Float32Array, w: number, h: number): MedianRowWriter | null {
  const k = loadedKernel();
  if (k === null || w === 0 || h === 0 || plane.length < w * h) return null;
  // memory: three row slots of w + 4 floats, four column arrays of w + 8, one output row of w + 4
  const rowBytes = vectorBytes(w + 4);
  const slotAt = [16, 16 + rowBytes, 16 + 2 * rowBytes];
  const cols = 16 + 3 * rowBytes;
  const outAt = cols + 4 * (w + 8) * 4;
  const end = outAt + rowBytes;
  const slotRow = [-1, -1, -1];
  const self = {};
  const load = (r: number): number => {
    const s = r % 3;
    if (slotRow[s] !== r) {
      k.f32.set(plane.subarray(r * w, r * w + w), slotAt[s] / 4);
      slotRow[s] = r;
    }
    return slotAt[s];
  };
  return (y, out, at) => {
    ensureBytes(k, end);
    if (k.owner !== self) {
      slotRow.fill(-1);
      k.owner = self;
    }
    const up = load(y === 0 ? 0 : y - 1);
    const mid = load(y);
    const down = load(y === h - 1 ? y : y + 1);
    k.medianRow(up, mid, down, w, cols, outAt);
    out.set(k.f32.subarray(outAt / 4, outAt / 4 + w), at);
  };
}

/** Reference planes of the frame's size, whose NCCs with it at identity are summed on the way. */
export interface IdentityReference {
  readonly proxy: Float32Array;
  readonly highPass: Float32Array;
}

export interface WasmHighPass {
  readonly plane: Float32Array;
  /**
   * [plain, high-passed] NCC at identity (ncc.ts nccUnderTransform of the reference's proxy and
   * high-passed plane against this proxy and plane), when a reference was given: the rows are in
   * the kernel's memory already, so the sums cost a fraction of two sweeps over the planes.
   */
  readonly identity: readonly [number, number] | null;
}

/**
 * nccPlane's streamed form (high-pass.ts streamedHighPass, finite proxies) in the kernels: the
 * plane with its NaN rim of (k - 1) / 2, or null without WebAssembly SIMD.
 */
export function wasmHighPass(proxy: Float32Array, w: number, h: number, k: number, ref?: IdentityReference): WasmHighPass | null {
  const kn = loadedKernel();
  if (kn === null || w === 0 || h === 0 || proxy.length < w * h) return null;
  if (ref && (ref.proxy.length !== w * h || ref.highPass.length !== w * h)) return null;
  const half = (k - 1) >> 1;
  const slots = k + 1;
  // source rows stay until their identity sums are taken, half + 2 rows behind the newest
  const srcSlots = half + 4;
  // columns are stepped in pairs: the float64 rows hold an even count, the float32 rows 4 extra
  const n = w + (w % 2);
  const rowF32 = vectorBytes(w + 4);
  const rowF64 = vectorBytes(2 * (n + 2));
  const sumsAt = 16;
  const srcAt = sumsAt + 96;
  const colsAt = srcAt + srcSlots * rowF32;
  const medAt = colsAt + 4 * vectorBytes(w + 8);
  const xIndexAt = medAt + slots * rowF32;
  const boxAt = xIndexAt + vectorBytes(w + k - 1);
  const colSumAt = boxAt + slots * rowF64;
  const zeroAt = colSumAt + rowF64;
  const outAt = zeroAt + rowF64;
  const refAt = outAt + rowF32;
  const refHpAt = refAt + rowF32;
  const nanAt = refHpAt + rowF32;
  ensureBytes(kn, nanAt + rowF32);
  // this call reuses the source-row slots of any wasmMedianRows writer
  kn.owner = {};
  const { f32, f64, i32 } = kn;
  for (let i = 0; i < w + k - 1; i++) i32[xIndexAt / 4 + i] = reflect101(i - half, w);
  f64.fill(0, sumsAt / 8, (sumsAt + 96) / 8);
  f64.fill(0, colSumAt / 8, outAt / 8);
  f32.fill(Number.NaN, nanAt / 4, nanAt / 4 + w);
  const srcRow = new Int32Array(srcSlots).fill(-1);
  const source = (r: number): number => {
    const s = r % srcSlots;
    if (srcRow[s] !== r) {
      f32.set(proxy.subarray(r * w, r * w + w), (srcAt + s * rowF32) / 4);
      srcRow[s] = r;
    }
    return srcAt + s * rowF32;
  };
  let made = 0;
  const through = (r: number): void => {
    for (; made <= r; made++) {
      const med = medAt + (made % slots) * rowF32;
      kn.medianRow(source(made === 0 ? 0 : made - 1), source(made), source(made === h - 1 ? made : made + 1), w, colsAt, med);
      kn.boxSums(med, xIndexAt, w, k, boxAt + (made % slots) * rowF64);
    }
  };
  // identity sums of row y (source row y still held), against the frame's high-passed row at hp
  const identityRow = (y: number, hp: number): void => {
    if (!ref) return;
    f32.set(ref.proxy.subarray(y * w, y * w + w), refAt / 4);
    f32.set(ref.highPass.subarray(y * w, y * w + w), refHpAt / 4);
    kn.identityRow(refAt, source(y), refHpAt, hp, w, sumsAt);
  };
  const boxOf = (r: number) => boxAt + (r % slots) * rowF64;
  for (let i = 0; i < k; i++) {
    const r = reflect101(i - half, h);
    through(r);
    kn.columnStep(0, colSumAt, 0, 0, boxOf(r), zeroAt, n);
  }
  const out = new Float32Array(w * h).fill(Number.NaN);
  const count = k * k;
  for (let y = 0; y < h - half; y++) {
    let enter = zeroAt;
    let leave = zeroAt;
    if (y + 1 < h - half) {
      const enterRow = reflect101(y + half + 1, h);
      through(enterRow);
      enter = boxOf(enterRow);
      leave = boxOf(reflect101(y - half, h));
    }
    if (y < half) {
      // a rim row: the column sums slide on, the plane's row stays NaN
      kn.columnStep(0, colSumAt, 0, 0, enter, leave, n);
      identityRow(y, nanAt);
      continue;
    }
    kn.columnStep(medAt + (y % slots) * rowF32, colSumAt, count, outAt, enter, leave, n);
    f32.fill(Number.NaN, outAt / 4, outAt / 4 + half);
    f32.fill(Number.NaN, outAt / 4 + w - half, outAt / 4 + w);
    out.set(f32.subarray(outAt / 4, outAt / 4 + w), y * w);
    identityRow(y, outAt);
  }
  for (let y = h - half; y < h; y++) identityRow(y, nanAt);
  const s = f64.subarray(sumsAt / 8, sumsAt / 8 + 12);
  return { plane: out, identity: ref ? [nccOfSums(s[0], s[2], s[4], s[6], s[8], s[10]), nccOfSums(s[1], s[3], s[5], s[7], s[9], s[11])] : null };
}
