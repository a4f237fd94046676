/**
 * The bit of the WebAssembly API the SIMD kernels use (shared/image/wasm, shared/pipeline/
 * registration): lib ES2022 has no WebAssembly types and shared/ compiles without DOM or Node
 * types, so the few members are typed here, once.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

/** Views of a kernel's memory; renewed by ensureWasmBytes when growing detaches the old buffer. */
export interface WasmViews {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
}

const PAGE = 65536;

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
  readonly memory: WasmMemory;
  readonly views: WasmViews;
}

/**
 * Instantiates a module without imports that exports its `memory`; null where WebAssembly or a
 * feature the module uses (SIMD) is missing, so the caller runs its JavaScript twin.
 */
export function instantiateWasm(bytes: Uint8Array): WasmInstance | null {
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined) return null;
    const { exports } = new api.Instance(new api.Module(bytes), {});
    const memory = exports.memory as WasmMemory;
    return { exports, memory, views: { f32: new Float32Array(memory.buffer), f64: new Float64Array(memory.buffer), i32: new Int32Array(memory.buffer) } };
  } catch {
    return null;
  }
}

/**
 * A wrapper's kernel: instantiated from `bytes` on first use, built by `build` and kept for the
 * process; null where instantiateWasm gives null (no WebAssembly or no SIMD: the wrapper's
 * JavaScript twin runs and gives the same values).
 */
export function lazyWasmKernel<K>(bytes: Uint8Array, build: (w: WasmInstance) => K): () => K | null {
  let kernel: K | null | undefined;
  return () => {
    if (kernel === undefined) {
      const w = instantiateWasm(bytes);
      kernel = w === null ? null : build(w);
    }
    return kernel;
  };
}

/** Grows `memory` to at least `bytes` and renews `views` if their buffer is no longer the memory's. */
export function ensureWasmBytes(memory: WasmMemory, views: WasmViews, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE));
  if (views.f32.buffer !== memory.buffer) {
    views.f32 = new Float32Array(memory.buffer);
    views.f64 = new Float64Array(memory.buffer);
    views.i32 = new Int32Array(memory.buffer);
  }
}

/** n rounded up to a multiple of 16 bytes: where the kernels' areas start (whole SIMD vectors). */
export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}
