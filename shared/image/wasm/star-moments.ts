import { ensureWasmBytes, instantiateWasm, type WasmMemory, type WasmViews } from '../../util/wasm';
import { STAR_MOMENTS_WASM } from './star-moments.wasm';

/**
 * The window sums of measure-star.ts adaptiveMoments through the WebAssembly kernel
 * star-moments.wat: the same six float64 sums, with the exponential computed as V8's Math.exp
 * (fdlibm e_exp.c), two pixels per vector. One instance per process; null where WebAssembly is missing, and the caller runs the JS
 * loop.
 */
type Fn = (...args: number[]) => number;

const SUMS_AT = 0;
const OFFSETS_AT = 64;

export class StarMomentsKernel {
  private readonly memory: WasmMemory;
  private readonly views: WasmViews;
  private readonly sums: Fn;
  private patchAt = 0;
  private r = -1;
  /** V8's Math.exp as the kernel computes it (scalar), for the tests. */
  readonly exp: (x: number) => number;
  private readonly expPairFn: Fn;

  constructor(exports: Record<string, unknown>, memory: WasmMemory, views: WasmViews) {
    this.memory = memory;
    this.views = views;
    this.sums = exports.window_sums as Fn;
    this.exp = exports.exp as (x: number) => number;
    this.expPairFn = exports.exp_pair as Fn;
  }

  /** exp of two arguments through the two-lane path of the kernel, for the tests. */
  expPair(x0: number, x1: number): [number, number] {
    this.expPairFn(x0, x1, SUMS_AT);
    return [this.views.f64[SUMS_AT / 8], this.views.f64[SUMS_AT / 8 + 1]];
  }

  /** Copies a (2r+1)^2 patch (row-major) in for the windowSums calls that follow. */
  loadPatch(patch: Float64Array, r: number): void {
    const side = 2 * r + 1;
    this.patchAt = Math.ceil((OFFSETS_AT + 16 * side) / 16) * 16;
    this.r = r;
    // the patch, then the exponents of window_sums (16-byte aligned, one more for an even count)
    ensureWasmBytes(this.memory, this.views, this.patchAt + 16 * side * side + 32);
    this.views.f64.set(patch.subarray(0, side * side), this.patchAt / 8);
  }

  /**
   * sw, sx, sy, sxx, syy, sxy of the loaded patch for window centre (mx, my) and 2*s2 (a view,
   * valid until the next call).
   */
  windowSums(bg: number, mx: number, my: number, twoS2: number): Float64Array {
    this.sums(this.patchAt, this.r, bg, mx, my, twoS2);
    return this.views.f64.subarray(SUMS_AT / 8, SUMS_AT / 8 + 6);
  }
}

let kernel: StarMomentsKernel | null | undefined;

/** The process's kernel (instantiated on first call); null where WebAssembly is missing. */
export function starMomentsKernel(): StarMomentsKernel | null {
  if (kernel === undefined) {
    const w = instantiateWasm(STAR_MOMENTS_WASM);
    kernel = w ? new StarMomentsKernel(w.exports, w.memory, w.views) : null;
  }
  return kernel;
}
