import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../fixtures/wasm';
import { median3x3 } from '../../../shared/image/filters';
import { median3x3BySortedColumns } from '../../../shared/image/rank-filters';
import { nccPlane, streamedHighPass } from '../../../shared/pipeline/registration/high-pass';
import { wasmHighPass, wasmMedianRows } from '../../../shared/pipeline/registration/high-pass-wasm';
import { HIGH_PASS_ROWS_WASM } from '../../../shared/pipeline/registration/wasm/high-pass-rows.wasm';
import { mulberry32 } from '../../../shared/util/seed';

// The WebAssembly high-pass kernels are a speed-up of the JS forms: every output must be the same
// float32 bit pattern (compared as uint32 words, so NaN payloads count). The median for any size,
// with ties, NaN and infinities, rows taken in any order; the whole plane against the JS stream.

const FC = { seed: 20261127, numRuns: 80 };
const WAT = fileURLToPath(new URL('../../../shared/pipeline/registration/wasm/high-pass-rows.wat', import.meta.url));

/** Few distinct values (ties everywhere), signs, and a share of NaN / +-Infinity. */
function tiedPlane(w: number, h: number, seed: number, invalidShare: number): Float32Array {
  const u = mulberry32(seed);
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return Float32Array.from({ length: w * h }, () => (u() < invalidShare ? bad[Math.floor(u() * 3)] : (Math.floor(u() * 9) - 4) * 1.25));
}

function wasmMedian(p: Float32Array, w: number, h: number, rows: readonly number[]): Float32Array {
  const write = wasmMedianRows(p, w, h);
  if (write === null) throw new Error('WebAssembly SIMD is not available');
  const out = new Float32Array(w * h);
  for (const y of rows) write(y, out, y * w);
  return out;
}

describeCommittedWasm(WAT, HIGH_PASS_ROWS_WASM);

describe('wasmMedianRows', () => {
  it('equals median3x3BySortedColumns bit for bit, rows top-down or bottom-up, with ties, NaN and infinities', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 0.03, 0.3), fc.boolean(), (w, h, seed, invalid, up) => {
        const p = tiedPlane(w, h, seed, invalid);
        const rows = Array.from({ length: h }, (_, y) => (up ? h - 1 - y : y));
        expect(firstBitMismatch(wasmMedian(p, w, h, rows), median3x3BySortedColumns(p, w, h))).toBe(-1);
      }),
      FC,
    );
  });

  it('takes the median of each window of a real-valued plane, as the sorting definition does', () => {
    const w = 53;
    const h = 17;
    const u = mulberry32(9);
    const p = Float32Array.from({ length: w * h }, () => 100 + 40 * u() + (u() < 0.02 ? 1e5 : 0));
    expect(firstBitMismatch(wasmMedian(p, w, h, Array.from({ length: h }, (_, y) => y)), median3x3(p, w, h))).toBe(-1);
  });

  it('keeps two planes apart when their rows are taken alternately (the kernel memory is shared)', () => {
    const a = tiedPlane(21, 9, 1, 0.05);
    const b = tiedPlane(13, 9, 2, 0.05);
    const writeA = wasmMedianRows(a, 21, 9);
    const writeB = wasmMedianRows(b, 13, 9);
    if (writeA === null || writeB === null) throw new Error('WebAssembly SIMD is not available');
    const outA = new Float32Array(21 * 9);
    const outB = new Float32Array(13 * 9);
    for (let y = 0; y < 9; y++) {
      writeA(y, outA, y * 21);
      writeB(y, outB, y * 13);
    }
    expect(firstBitMismatch(outA, median3x3BySortedColumns(a, 21, 9))).toBe(-1);
    expect(firstBitMismatch(outB, median3x3BySortedColumns(b, 13, 9))).toBe(-1);
  });

  it('declines an empty plane or one smaller than w x h (the caller keeps the JS rows)', () => {
    expect(wasmMedianRows(new Float32Array(0), 0, 0)).toBeNull();
    expect(wasmMedianRows(new Float32Array(5), 3, 2)).toBeNull();
  });
});

describe('wasmHighPass', () => {
  it('equals the JS stream of the high-passed plane bit for bit, odd and even widths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 29, max: 90 }), fc.integer({ min: 29, max: 60 }), fc.integer({ min: 0, max: 1e6 }), (w, h, seed) => {
        const u = mulberry32(seed);
        const p = Float32Array.from({ length: w * h }, (_, i) => 500 + (i % w) - 0.5 * Math.floor(i / w) + 30 * u() + (u() < 0.02 ? 4000 : 0));
        const got = wasmHighPass(p, w, h, 15);
        if (got === null) throw new Error('WebAssembly SIMD is not available');
        expect(got.identity).toBeNull();
        expect(firstBitMismatch(got.plane, streamedHighPass(p, w, h))).toBe(-1);
        expect(firstBitMismatch(nccPlane(p, w, h), got.plane)).toBe(-1);
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('leaves the rows of a median writer intact when it runs in between', () => {
    const p = tiedPlane(40, 31, 5, 0);
    const write = wasmMedianRows(p, 40, 31);
    if (write === null) throw new Error('WebAssembly SIMD is not available');
    const out = new Float32Array(40 * 31);
    for (let y = 0; y < 31; y++) {
      write(y, out, y * 40);
      if (y === 10) wasmHighPass(tiedPlane(33, 30, 6, 0), 33, 30, 15);
    }
    expect(firstBitMismatch(out, median3x3BySortedColumns(p, 40, 31))).toBe(-1);
  });

  it('declines an empty plane or one smaller than w x h', () => {
    expect(wasmHighPass(new Float32Array(0), 0, 0, 15)).toBeNull();
    expect(wasmHighPass(new Float32Array(100), 40, 40, 15)).toBeNull();
  });
});
