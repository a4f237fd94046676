import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { selectInPlace } from '../../../../shared/image/stats';
import { BG_SELECT_WASM } from '../../../../shared/pipeline/wasm/bg-select.wasm';
import { smallestSumWasm, wasmSelectAvailable } from '../../../../shared/pipeline/wasm/bg-select';
import { mulberry32 } from '../../../../shared/util/seed';

// The kernel must leave the arrangement stats.ts selectInPlace leaves (the sum of the kept prefix
// depends on it), so the reference here is the JS itself: gather the finite values in order into a
// Float64Array, selectInPlace, sum the prefix in array order.

const WAT = fileURLToPath(new URL('../../../../shared/pipeline/wasm/bg-select.wat', import.meta.url));
describeCommittedWasm(WAT, BG_SELECT_WASM);

function jsSmallestSum(values: Float32Array, keepOf: (m: number) => number): { m: number; keep: number; sum: number; arranged: Float64Array } {
  const all = new Float64Array(values.length);
  let m = 0;
  for (const v of values) if (v - v === 0) all[m++] = v;
  const g = all.subarray(0, m);
  const keep = keepOf(m);
  if (keep < m) selectInPlace(g, keep);
  let sum = 0;
  for (let i = 0; i < keep; i++) sum += g[i];
  return { m, keep, sum, arranged: g };
}

function values(n: number, seed: number, kind: 'gradients' | 'ties' | 'special'): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: n }, () => {
    const r = u();
    if (kind === 'ties') return Math.floor(r * 5);
    if (kind === 'special') return r < 0.05 ? Number.NaN : r < 0.08 ? Infinity : r < 0.1 ? 0 : 1e30 * u() * u() * u();
    return (u() - 0.5) ** 2 * (r < 0.01 ? 1e4 : 1);
  });
}

describe('smallestSumWasm', () => {
  it('runs the kernel here', () => {
    expect(wasmSelectAvailable()).toBe(true);
  });

  const dropTop = (m: number) => m - Math.floor(0.001 * m);
  for (const kind of ['gradients', 'ties', 'special'] as const) {
    it(`gives the JS count, kept count and float64 sum bit for bit on ${kind}`, () => {
      // few distinct values make the Lomuto select quadratic (in both): smaller arrays there
      const sizes = kind === 'ties' ? [[1, 1], [17, 2], [1001, 5], [4000, 6]] : [[1, 1], [17, 2], [999, 3], [1000, 4], [1001, 5], [65_537, 6], [200_000, 7]];
      for (const [n, seed] of sizes) {
        const v = values(n, seed, kind);
        for (const keepOf of [dropTop, (m: number) => m, (m: number) => m >> 1, (m: number) => Math.min(m, 1)]) {
          const got = smallestSumWasm(v, keepOf)!;
          const want = jsSmallestSum(v, keepOf);
          expect([got.m, got.keep]).toEqual([want.m, want.keep]);
          expect(Object.is(got.sum, want.sum), `${kind} n=${n}: ${got.sum} vs ${want.sum}`).toBe(true);
        }
      }
    });
  }

  it('sums in the arrangement selectInPlace leaves, not in descending order (the failure twin)', () => {
    // magnitudes over many octaves: the float64 sum depends on the order of the terms
    const u = mulberry32(9);
    const v = Float32Array.from({ length: 50_000 }, () => 2 ** (100 * u() - 50) * (1 + u()));
    const want = jsSmallestSum(v, dropTop);
    const sorted = Float64Array.from(want.arranged.subarray(0, want.keep)).sort().reverse();
    let sortedSum = 0;
    for (const x of sorted) sortedSum += x;
    expect(sortedSum).not.toBe(want.sum);
    expect(smallestSumWasm(v, dropTop)!.sum).toBe(want.sum);
  });

  it('gives zero values and a zero sum for an empty or all-NaN plane', () => {
    expect(smallestSumWasm(new Float32Array(0), dropTop)).toEqual({ m: 0, keep: 0, sum: 0 });
    expect(smallestSumWasm(new Float32Array(10).fill(Number.NaN), dropTop)).toEqual({ m: 0, keep: 0, sum: 0 });
  });
});
