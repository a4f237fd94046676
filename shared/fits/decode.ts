import { decodeInt16Wasm } from '../image/wasm/bg-decode';
import type { Bitpix } from './types';

/**
 * Big-endian FITS pixels to float32 physical values: physical = BZERO + BSCALE * stored (float64,
 * then rounded once to float32), stored == BLANK -> NaN, float NaN/Inf -> NaN.
 *
 * This is the hot loop of every frame read (METHOD.md 2, bench goal >= 500 MB/s). Measured on the
 * dev machine (Node 20, 100 MB): DataView.getInt16 + bzero + bscale* = 600 MB/s, a byte-swapped
 * Uint16Array view with only "+ bzero" = 980 MB/s; float32 through DataView with an Inf check
 * = 460..1000 MB/s, an integer byte swap into the output's Int32 view with an exponent test
 * = 1400 MB/s. So the common cases (16-bit without BSCALE, float32 without scaling, 8-bit) take
 * typed-array fast paths on little-endian hosts; everything else uses DataView. 16-bit frames with
 * an integer BZERO (the unsigned convention) go through a WebAssembly SIMD kernel where there is
 * one (pipeline/wasm/bg-decode: ~3x the JS loop, same bits).
 */
export interface DecodeScaling {
  readonly bitpix: Bitpix;
  readonly bzero: number;
  readonly bscale: number;
  /** Stored integer marking an undefined pixel; bigint only for BITPIX 64 values beyond 2^53. */
  readonly blank?: number | bigint;
}

/** Below this many pixels the copies into the kernel's memory cost more than they save. */
const WASM_MIN_PIXELS = 4096;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const EXP_MASK = 0x7f800000;
const QUIET_NAN_BITS = 0x7fc00000;

export function bytesPerPixel(bitpix: Bitpix): number {
  return Math.abs(bitpix) / 8;
}

/**
 * Decodes `count` pixels from `src` (starting at byte 0 of `src`) into `out[outOffset..]`.
 * `src` must start at a byte offset of its buffer that is a multiple of the pixel size
 * (callers read into their own chunk buffers, which are).
 */
export function decodePixels(
  src: Uint8Array,
  count: number,
  scaling: DecodeScaling,
  out: Float32Array,
  outOffset: number,
): void {
  const { bitpix, bzero, bscale } = scaling;
  const aligned = src.byteOffset % bytesPerPixel(bitpix) === 0 && (out.byteOffset + outOffset * 4) % 4 === 0;
  if (LITTLE_ENDIAN && aligned && bscale === 1) {
    if (bitpix === 16) return decodeInt16Shift(src, count, bzero, blankNumber(scaling), out, outOffset);
    if (bitpix === -32 && bzero === 0) return decodeFloat32Swap(src, count, out, outOffset);
  }
  if (bitpix === 8) return decodeUint8(src, count, scaling, out, outOffset);
  const dv = new DataView(src.buffer, src.byteOffset, count * bytesPerPixel(bitpix));
  switch (bitpix) {
    case 16:
      return decodeWith(count, (i) => dv.getInt16(i * 2, false), scaling, out, outOffset);
    case 32:
      return decodeWith(count, (i) => dv.getInt32(i * 4, false), scaling, out, outOffset);
    case 64:
      return decodeInt64(dv, count, scaling, out, outOffset);
    case -32:
      return decodeFloat(count, (i) => dv.getFloat32(i * 4, false), bzero, bscale, out, outOffset);
    case -64:
      return decodeFloat(count, (i) => dv.getFloat64(i * 8, false), bzero, bscale, out, outOffset);
  }
}

function blankNumber(scaling: DecodeScaling): number | undefined {
  return typeof scaling.blank === 'bigint' ? undefined : scaling.blank;
}

function decodeInt16Shift(
  src: Uint8Array,
  count: number,
  bzero: number,
  blank: number | undefined,
  out: Float32Array,
  o: number,
): void {
  const d = out.subarray(o, o + count);
  // the SIMD kernel gives the same bits where every result is an exact integer below 2^24
  if (count >= WASM_MIN_PIXELS && Number.isInteger(bzero) && Math.abs(bzero) <= 2 ** 23 && (blank === undefined || (Number.isInteger(blank) && Math.abs(blank) < 2 ** 31))) {
    if (decodeInt16Wasm(src, count, bzero, blank, d)) return;
  }
  const u = new Uint16Array(src.buffer, src.byteOffset, count);
  // indexing a subarray from 0 lets V8 drop the offset add and bounds checks (~2x here)
  if (blank === undefined) {
    for (let i = 0; i < count; i++) {
      const x = u[i];
      d[i] = ((((x & 0xff) << 24) >> 16) | (x >>> 8)) + bzero;
    }
    return;
  }
  for (let i = 0; i < count; i++) {
    const x = u[i];
    const v = (((x & 0xff) << 24) >> 16) | (x >>> 8);
    d[i] = v === blank ? NaN : v + bzero;
  }
}

function decodeFloat32Swap(src: Uint8Array, count: number, out: Float32Array, o: number): void {
  const u = new Int32Array(src.buffer, src.byteOffset, count);
  const bits = new Int32Array(out.buffer, out.byteOffset + o * 4, count);
  for (let i = 0; i < count; i++) {
    const x = u[i];
    const s = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
    // an all-ones exponent is Inf or NaN: both become the one quiet NaN
    bits[i] = (s & EXP_MASK) === EXP_MASK ? QUIET_NAN_BITS : s;
  }
}

function decodeUint8(src: Uint8Array, count: number, scaling: DecodeScaling, out: Float32Array, o: number): void {
  const { bzero, bscale } = scaling;
  const blank = blankNumber(scaling);
  for (let i = 0; i < count; i++) {
    const v = src[i];
    out[o + i] = v === blank ? NaN : bzero + bscale * v;
  }
}

function decodeWith(
  count: number,
  stored: (i: number) => number,
  scaling: DecodeScaling,
  out: Float32Array,
  o: number,
): void {
  const { bzero, bscale } = scaling;
  const blank = blankNumber(scaling);
  for (let i = 0; i < count; i++) {
    const v = stored(i);
    out[o + i] = v === blank ? NaN : bzero + bscale * v;
  }
}

function decodeFloat(
  count: number,
  stored: (i: number) => number,
  bzero: number,
  bscale: number,
  out: Float32Array,
  o: number,
): void {
  for (let i = 0; i < count; i++) {
    const v = bzero + bscale * stored(i);
    out[o + i] = v - v === 0 ? v : NaN;
  }
}

/** 64-bit integers as hi * 2^32 + lo in float64 (exact to 2^53, correctly rounded beyond). */
function decodeInt64(dv: DataView, count: number, scaling: DecodeScaling, out: Float32Array, o: number): void {
  const { bzero, bscale, blank } = scaling;
  const hasBlank = blank !== undefined;
  const b = hasBlank ? BigInt.asIntN(64, BigInt(blank)) : 0n;
  const blankHi = Number(BigInt.asIntN(32, b >> 32n));
  const blankLo = Number(BigInt.asUintN(32, b));
  for (let i = 0; i < count; i++) {
    const hi = dv.getInt32(i * 8, false);
    const lo = dv.getUint32(i * 8 + 4, false);
    out[o + i] = hasBlank && hi === blankHi && lo === blankLo ? NaN : bzero + bscale * (hi * 4294967296 + lo);
  }
}
