import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { allPixels, radixMedian, radixMedianAndSigmaMad, type PixelRuns } from '../../../../shared/image/radix-median';
import { BG_RADIX_WASM } from '../../../../shared/image/wasm/bg-radix.wasm';
import { markObjectsWasm, wasmRadixAvailable, withResidentPixels } from '../../../../shared/image/wasm/bg-radix';
import { mulberry32 } from '../../../../shared/util/seed';
import * as before from '../../image/before/radix-median-before';

// radix-median.ts runs its pixel passes (key histogram, collection of the median and band buckets)
// in the bg-radix kernel where WebAssembly is available: every result must be the one of the JS
// passes it replaced (the frozen copy in image/before), bit for bit (Object.is: NaN, signed zeros).

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/bg-radix.wat', import.meta.url));
describeCommittedWasm(WAT, BG_RADIX_WASM);

type Kind = 'noise' | 'integers' | 'special' | 'wide';

/** Values of one kind: sky noise, few distinct integers (ties), NaN/infinities/signed zeros, a wide span. */
function values(n: number, kind: Kind, seed: number): Float32Array {
  const u = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = u();
    if (kind === 'noise') a[i] = 1 + 0.02 * (u() + u() + u() - 1.5) + (r < 0.01 ? 5 * u() : 0);
    else if (kind === 'integers') a[i] = Math.round(1000 + 12 * (u() + u() - 1));
    else if (kind === 'special') a[i] = r < 0.05 ? Number.NaN : r < 0.07 ? Infinity : r < 0.09 ? -Infinity : r < 0.2 ? (u() < 0.5 ? -0 : 0) : u() - 0.3;
    else a[i] = (u() - 0.4) * 2 ** (Math.floor(u() * 80) - 40);
  }
  return a;
}

function maskOf(n: number, seed: number): Uint8Array {
  const u = mulberry32(seed);
  // 0/1 as the object masks, and other non-zero bytes: any non-zero byte leaves the pixel out
  return Uint8Array.from({ length: n }, () => (u() < 0.1 ? 1 : u() < 0.02 ? 255 : 0));
}

/** Row runs of a w x h mosaic for one CFA phase (step 2), as colourRuns builds them. */
function phaseRuns(w: number, h: number, ox: number, oy: number): PixelRuns {
  const runs: number[] = [];
  for (let y = oy; y < h; y += 2) runs.push(y * w + ox, y * w + ox, 2, (w - ox + 1) >> 1);
  return Int32Array.from(runs);
}

function expectSame(got: { median: number; sigma: number; n: number }, want: { median: number; sigma: number; n: number }): void {
  expect(Object.is(got.median, want.median) && Object.is(got.sigma, want.sigma) && got.n === want.n, `${JSON.stringify(got)} vs ${JSON.stringify(want)}`).toBe(true);
}

describe('radixMedianAndSigmaMad and radixMedian with the bg-radix kernel', () => {
  it('runs the kernel here (Node 20 has WebAssembly SIMD)', () => {
    expect(wasmRadixAvailable()).toBe(true);
  });

  const kinds: Kind[] = ['noise', 'integers', 'special', 'wide'];
  it.each(kinds)('gives the JS passes\' median and sigma_MAD of one long run of %s values, masked or not', (kind) => {
    // 300 001 values: more than one kernel span (2^18), an odd count
    const d = values(300_001, kind, 11);
    const mask = maskOf(d.length, 12);
    const runs = allPixels(d.length);
    expectSame(radixMedianAndSigmaMad(d, runs), before.radixMedianAndSigmaMad(d, runs));
    expectSame(radixMedianAndSigmaMad(d, runs, mask), before.radixMedianAndSigmaMad(d, runs, mask));
    expect(Object.is(radixMedian(d, runs, mask), before.radixMedian(d, runs, mask))).toBe(true);
    expect(Object.is(radixMedian(d, runs), before.radixMedian(d, runs))).toBe(true);
  });

  it('gives the same results over strided CFA runs and an even count', () => {
    const w = 513;
    const h = 400;
    const d = values(w * h, 'noise', 21);
    const mask = maskOf(w * h, 22);
    for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const runs = phaseRuns(w, h, ox, oy);
      expectSame(radixMedianAndSigmaMad(d, runs, mask), before.radixMedianAndSigmaMad(d, runs, mask));
      expect(Object.is(radixMedian(d, runs, mask), before.radixMedian(d, runs, mask))).toBe(true);
    }
    const even = d.subarray(0, 100_000);
    expectSame(radixMedianAndSigmaMad(even, allPixels(even.length)), before.radixMedianAndSigmaMad(even, allPixels(even.length)));
  });

  it('gives the same results on runs of a view into a larger buffer, with a mask at other pixel indices', () => {
    const big = values(400_000, 'integers', 31);
    const d = big.subarray(1000, 391_000);
    const mask = maskOf(500_000, 32);
    const runs = Int32Array.of(0, 5000, 1, 200_000, 200_003, 300_000, 1, 180_000);
    expectSame(radixMedianAndSigmaMad(d, runs, mask), before.radixMedianAndSigmaMad(d, runs, mask));
  });

  it('still rejects runs that leave the data (the failure twin)', () => {
    const d = values(70_000, 'noise', 41);
    expect(() => radixMedianAndSigmaMad(d, Int32Array.of(0, 0, 1, 70_001))).toThrow(RangeError);
    expect(() => radixMedian(d, Int32Array.of(0, 0, 1, 70_000), new Uint8Array(69_999))).toThrow(RangeError);
  });

  it('reports no values as NaN, as the JS does, when every pixel is masked or not finite', () => {
    const d = new Float32Array(70_000).fill(Number.NaN);
    expectSame(radixMedianAndSigmaMad(d, allPixels(d.length)), before.radixMedianAndSigmaMad(d, allPixels(d.length)));
    const e = values(70_000, 'noise', 51);
    const all = new Uint8Array(e.length).fill(1);
    expect(radixMedian(e, allPixels(e.length), all)).toBeNaN();
  });
});

describe('the same passes with the pixels copied whole into the kernel (withResidentPixels)', () => {
  it.each(['noise', 'special', 'wide'] as Kind[])('gives the JS passes\' results over one long run of %s values, masked or not', (kind) => {
    const d = values(300_001, kind, 61);
    const mask = maskOf(d.length, 62);
    const runs = allPixels(d.length);
    withResidentPixels(d, () => {
      expectSame(radixMedianAndSigmaMad(d, runs), before.radixMedianAndSigmaMad(d, runs));
      expectSame(radixMedianAndSigmaMad(d, runs, mask), before.radixMedianAndSigmaMad(d, runs, mask));
      expect(Object.is(radixMedian(d, runs, mask), before.radixMedian(d, runs, mask))).toBe(true);
    });
  });

  it('gives the same results over strided CFA runs, and for a view into a larger buffer with the mask at other pixel indices', () => {
    const w = 513;
    const h = 400;
    const d = values(w * h, 'noise', 71);
    const mask = maskOf(w * h, 72);
    withResidentPixels(d, () => {
      for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const runs = phaseRuns(w, h, ox, oy);
        expectSame(radixMedianAndSigmaMad(d, runs, mask), before.radixMedianAndSigmaMad(d, runs, mask));
      }
    });
    const big = values(400_000, 'integers', 73);
    const v = big.subarray(1000, 391_000);
    const vMask = maskOf(500_000, 74);
    const runs = Int32Array.of(0, 5000, 1, 200_000, 200_003, 300_000, 1, 180_000);
    withResidentPixels(v, () => expectSame(radixMedianAndSigmaMad(v, runs, vMask), before.radixMedianAndSigmaMad(v, runs, vMask)));
  });

  it('marks the same object pixels, and passes over other arrays (or nested calls) copy them as before', () => {
    const d = values(300_001, 'noise', 81);
    const other = values(300_001, 'noise', 82);
    const runs = allPixels(d.length);
    const outside = new Uint8Array(d.length);
    expect(markObjectsWasm(d, runs, 1, 0.03, outside)).toBe(true);
    const inside = new Uint8Array(d.length);
    withResidentPixels(d, () => {
      expect(markObjectsWasm(d, runs, 1, 0.03, inside)).toBe(true);
      // another array inside the scope, and a nested scope of it: read from their own copies
      expectSame(radixMedianAndSigmaMad(other, runs), before.radixMedianAndSigmaMad(other, runs));
      withResidentPixels(other, () => expectSame(radixMedianAndSigmaMad(other, runs), before.radixMedianAndSigmaMad(other, runs)));
      expectSame(radixMedianAndSigmaMad(d, runs), before.radixMedianAndSigmaMad(d, runs));
    });
    expect(inside.every((b, i) => b === outside[i])).toBe(true);
    expect(inside.some((b) => b === 1)).toBe(true);
    // after the scope the pixels are copied again: a changed array is read as it is now
    d.fill(2);
    expectSame(radixMedianAndSigmaMad(d, runs), before.radixMedianAndSigmaMad(d, runs));
  });
});
