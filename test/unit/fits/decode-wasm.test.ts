import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../fixtures/wasm';
import { decodePixels, type DecodeScaling } from '../../../shared/fits/decode';
import { BG_DECODE_WASM } from '../../../shared/image/wasm/bg-decode.wasm';
import { decodeInt16Wasm, wasmDecodeAvailable } from '../../../shared/image/wasm/bg-decode';
import { mulberry32 } from '../../../shared/util/seed';
import { decodePixels as decodeBefore } from './before/decode-before';

// BITPIX 16 frames with an integer BZERO decode through the bg-decode kernel: every pixel must be
// the float32 the JS loop (frozen copy in ./before) wrote, NaN bits included.

const WAT = fileURLToPath(new URL('../../../shared/image/wasm/bg-decode.wat', import.meta.url));
describeCommittedWasm(WAT, BG_DECODE_WASM);

function bytes(n: number, seed: number): Uint8Array {
  const u = mulberry32(seed);
  return Uint8Array.from({ length: 2 * n }, () => Math.floor(256 * u()));
}

describe('decodePixels of BITPIX 16 with the bg-decode kernel', () => {
  it('runs the kernel here', () => {
    expect(wasmDecodeAvailable()).toBe(true);
  });

  const scalings: DecodeScaling[] = [
    { bitpix: 16, bzero: 32768, bscale: 1 },
    { bitpix: 16, bzero: 0, bscale: 1, blank: -32768 },
    { bitpix: 16, bzero: -1000, bscale: 1, blank: 7 },
    { bitpix: 16, bzero: 2 ** 23, bscale: 1 },
    // not exact as integers in the kernel: the JS path, still the same bits
    { bitpix: 16, bzero: 0.5, bscale: 1 },
    { bitpix: 16, bzero: 2 ** 23 + 2, bscale: 1, blank: 3 },
  ];
  it.each(scalings)('writes the previous bits for %j, at an offset, with every tail length', (scaling) => {
    for (const n of [4096, 4097, 4103, 70_001, 300_007]) {
      const src = bytes(n, n);
      const got = new Float32Array(n + 5);
      const want = new Float32Array(n + 5);
      decodePixels(src, n, scaling, got, 5);
      decodeBefore(src, n, scaling, want, 5);
      expect(firstBitMismatch(got, want), `n = ${n}`).toBe(-1);
    }
  });

  it('marks every stored BLANK as NaN and nothing else (the failure twin)', () => {
    const n = 5000;
    const src = new Uint8Array(2 * n);
    for (let i = 0; i < n; i++) {
      const v = (i % 3 === 0 ? -5 : i) & 0xffff;
      src[2 * i] = v >> 8;
      src[2 * i + 1] = v & 0xff;
    }
    const out = new Float32Array(n);
    expect(decodeInt16Wasm(src, n, 100, -5, out)).toBe(true);
    for (let i = 0; i < n; i++) {
      if (i % 3 === 0) expect(out[i]).toBeNaN();
      else expect(out[i]).toBe(((i << 16) >> 16) + 100);
    }
  });
});
