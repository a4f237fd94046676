import { ensureWasmBytes, lazyWasmKernel, type WasmMemory, type WasmViews } from '../../util/wasm';
import { BG_DECODE_WASM } from './bg-decode.wasm';

/**
 * BITPIX 16 decoding (fits/decode.ts decodeInt16Shift) through the WebAssembly SIMD kernel
 * bg-decode.wat, 8 pixels per step: the same float32 bits where bzero is an integer of magnitude
 * <= 2^23 (every result is then an exact integer; the FITS unsigned convention has 32768), which the
 * caller checks. The bytes go through the kernel's memory SPAN_PIXELS at a time (~1.5 MB); one
 * instance per process, kept. false where WebAssembly or SIMD is missing: the caller runs the JS.
 */
const SPAN_PIXELS = 1 << 18;
const OUT_AT = 2 * SPAN_PIXELS + 64;

interface Kernel extends WasmViews {
  readonly memory: WasmMemory;
  u8: Uint8Array;
  readonly decode: (n: number, out: number, bzero: number, useBlank: number, blank: number) => void;
}

const loadKernel = lazyWasmKernel(BG_DECODE_WASM, (w): Kernel => {
  ensureWasmBytes(w.memory, w.views, OUT_AT + 4 * SPAN_PIXELS + 16);
  return { memory: w.memory, ...w.views, u8: new Uint8Array(w.memory.buffer), decode: w.exports.decode_int16 as Kernel['decode'] };
});

export function wasmDecodeAvailable(): boolean {
  return loadKernel() !== null;
}

/** Decodes `count` big-endian int16 pixels of `src` into out[0..count); false without the kernel. */
export function decodeInt16Wasm(src: Uint8Array, count: number, bzero: number, blank: number | undefined, out: Float32Array): boolean {
  const k = loadKernel();
  if (k === null) return false;
  const useBlank = blank === undefined ? 0 : 1;
  for (let done = 0; done < count; done += SPAN_PIXELS) {
    const q = Math.min(SPAN_PIXELS, count - done);
    k.u8.set(src.subarray(2 * done, 2 * (done + q)), 0);
    k.decode(q, OUT_AT, bzero, useBlank, blank ?? 0);
    out.set(k.f32.subarray(OUT_AT >> 2, (OUT_AT >> 2) + q), done);
  }
  return true;
}
