import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../../fixtures/wasm';
import { boxResidual, sobelMagnitudeSq } from '../../../../shared/image/filters';
import { medianDeviationOfFinite, medianOfFinite } from '../../../../shared/image/stats';
import { TILE_STATS_WASM } from '../../../../shared/image/wasm/tile-stats.wasm';
import { tileStatsKernel, type TileArea, type TileStatsKernel } from '../../../../shared/image/wasm/tile-stats';
import { mulberry32 } from '../../../../shared/util/seed';

// Every kernel function against its JS definition: medians as values (Object.is, so a -0/+0 mix
// is avoided in the data), filters as float32 bit patterns.

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/tile-stats.wat', import.meta.url));

describeCommittedWasm(WAT, TILE_STATS_WASM);

function kernel(): TileStatsKernel {
  const k = tileStatsKernel();
  expect(k).not.toBeNull();
  return k as TileStatsKernel;
}

/**
 * Values of one of several kinds: smooth noise, integer ADU (many ties), a few distinct values, a
 * constant, with NaN / infinities at the given rates. Never -0 (its order against +0 is undefined).
 */
function values(n: number, seed: number, kind: number, nanRate: number, infRate: number): Float32Array {
  const u = mulberry32(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const g = u() + u() + u() - 1.5;
    let v = kind === 0 ? 1000 + 30 * g : kind === 1 ? Math.round(1000 + 30 * g) : kind === 2 ? Math.floor(5 * u()) : 7.25;
    if (u() < 0.02) v += 5000 * u(); // stars
    const p = u();
    if (p < nanRate) v = Number.NaN;
    else if (p < nanRate + infRate) v = u() < 0.5 ? Infinity : -Infinity;
    a[i] = v === 0 ? 0 : v;
  }
  return a;
}

/**
 * Index of the first float32 that differs in bits, NaN against NaN counting as equal: which NaN
 * an arithmetic NaN is (sign, payload) depends on the operand order a compiler picks, and the
 * kernel's NaN (invalid R and gradients) only feed medians, which skip them. -1 if none.
 */
function firstMismatch(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(got[i]) && Number.isNaN(want[i])) continue;
    if (!Object.is(got[i], want[i])) return i;
  }
  return -1;
}

function fill(k: TileStatsKernel, area: TileArea, data: Float32Array): void {
  k[area].set(data);
}

describe('the tile-stats kernel medians', () => {
  it('give medianOfFinite and medianDeviationOfFinite of stats.ts for any keys, with or without a bracket hint', () => {
    const k = kernel();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2600 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom(0, 0.003, 0.3, 0.6),
        fc.constantFrom(0, 0.01),
        fc.integer({ min: 1, max: 1e6 }),
        fc.option(fc.tuple(fc.double({ min: 900, max: 1100, noNaN: true }), fc.double({ min: 0, max: 80, noNaN: true }))),
        (n, kind, nanRate, infRate, seed, hint) => {
          const data = values(n, seed, kind, nanRate, infRate);
          const allFinite = data.every((v) => Number.isFinite(v));
          k.fit(n, 1, 31);
          const h = hint ? { lo: hint[0], hi: hint[0] + hint[1] } : undefined;
          for (const area of ['tile', 'r', 'bgR'] as const) {
            fill(k, area, data);
            const m = medianOfFinite(data, n, allFinite);
            expect(Object.is(k.median(area, n, allFinite, h), m)).toBe(true);
            const center = Number.isFinite(m) ? m : 1000;
            const want = medianDeviationOfFinite(data, center, n, allFinite);
            expect(Object.is(k.medianDeviation(area, center, n, allFinite, h), want)).toBe(true);
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('give the JS medians for keys of both signs, with ties, tiny and huge magnitudes (the radix select\'s key order)', () => {
    const k = kernel();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 1e6 }), (n, kind, seed) => {
        const u = mulberry32(seed);
        const data = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          const g = u() - 0.5;
          // residual-like values around 0, integer ties across 0, all negative, tiny, and a mix of magnitudes
          const v = kind === 0 ? 2 * g : kind === 1 ? Math.round(20 * g) : kind === 2 ? -100 * u() : kind === 3 ? 1e-30 * g : g * 10 ** Math.floor(60 * u() - 30);
          data[i] = v === 0 ? 0 : v;
        }
        k.fit(n, 1, 31);
        k.r.set(data);
        const m = medianOfFinite(data, n, true);
        expect(Object.is(k.median('r', n, true), m)).toBe(true);
        expect(Object.is(k.medianDeviation('r', m, n, true), medianDeviationOfFinite(data, m, n, true))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('take the median over the first n keys only, and NaN without finite keys', () => {
    const k = kernel().fit(1000, 1, 31);
    const data = values(1000, 3, 0, 0, 0);
    k.tile.set(data);
    expect(k.median('tile', 700, true)).toBe(medianOfFinite(data.subarray(0, 700)));
    k.tile.fill(Number.NaN);
    expect(k.median('tile', 1000, false)).toBeNaN();
    expect(k.medianDeviation('tile', 5, 1000, false)).toBeNaN();
  });

  it('tell a changed key apart: the median of data with its median key raised differs', () => {
    const k = kernel().fit(1001, 1, 31);
    const data = Float32Array.from({ length: 1001 }, (_, i) => i);
    k.tile.set(data);
    expect(k.median('tile', 1001, true)).toBe(500);
    k.tile[500] = 500.5;
    expect(k.median('tile', 1001, true)).toBe(500.5);
  });

  it('give the median of the smallest m tile keys from the tile median\'s gather (the background Y)', () => {
    const k = kernel();
    for (const [n, seed, kind] of [
      [4000, 1, 0],
      [4001, 2, 1],
      [3000, 3, 2],
    ]) {
      const data = values(n, seed, kind, 0, 0);
      k.fit(n, 1, 31);
      k.tile.set(data);
      k.median('tile', n, true);
      const sorted = Float32Array.from(data).sort();
      let hits = 0;
      for (const m of [1, 2, 1000, Math.floor(n * 0.45), Math.floor(n * 0.49), n - 1, n]) {
        const got = k.medianOfTilePrefix(m);
        if (got === null) continue;
        hits++;
        expect(got).toBe(medianOfFinite(sorted.subarray(0, m)));
      }
      expect(hits).toBeGreaterThan(0);
    }
  });

  it('decline the prefix median when its centres are outside the gather (answer null, not a guess)', () => {
    const k = kernel().fit(4000, 1, 31);
    k.tile.set(values(4000, 9, 0, 0, 0));
    k.median('tile', 4000, true);
    expect(k.medianOfTilePrefix(10)).toBeNull();
  });
});

describe('the tile-stats kernel filters', () => {
  it('give boxResidual (finite and with invalid pixels) and sobelMagnitudeSq bit for bit, at odd and tiny sizes', () => {
    const k = kernel();
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 75 }),
        fc.integer({ min: 3, max: 75 }),
        fc.constantFrom(1, 3, 31),
        fc.constantFrom(0, 0.05, 0.6),
        fc.integer({ min: 1, max: 1e6 }),
        (w, h, box, nanRate, seed) => {
          const data = values(w * h, seed, seed % 3, nanRate, nanRate > 0 ? 0.01 : 0);
          const finite = data.every((v) => Number.isFinite(v));
          k.fit(w, h, box);
          k.tile.set(data);
          k.boxResidual(finite);
          const want = boxResidual(data, w, h, box);
          expect(firstMismatch(k.r.slice(), want)).toBe(-1);
          if (finite) expect(firstBitMismatch(k.r.slice(), want)).toBe(-1);
          k.sobel();
          const grad = sobelMagnitudeSq(want, w, h);
          const i = firstMismatch(k.grad.slice(), grad);
          expect(i < 0 ? i : [i, k.grad[i], grad[i]]).toBe(-1);
          if (finite) expect(firstBitMismatch(k.grad.slice(), grad)).toBe(-1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('box residual of a tile narrower than the box (reflected windows) and of huge values', () => {
    const k = kernel();
    const data = Float32Array.from({ length: 5 * 40 }, (_, i) => (i % 7 === 0 ? 3e38 : i % 3 === 0 ? -2.5e30 : i));
    k.fit(5, 40, 31);
    k.tile.set(data);
    k.boxResidual(true);
    expect(firstBitMismatch(k.r.slice(), boxResidual(data, 5, 40, 31))).toBe(-1);
  });

  it('tells a one-bit difference apart (the comparison can fail)', () => {
    const k = kernel().fit(20, 20, 3);
    const data = values(400, 5, 0, 0, 0);
    k.tile.set(data);
    k.boxResidual(true);
    const want = boxResidual(data, 20, 20, 3);
    want[77] = Math.fround(want[77] * (1 + 2 ** -20));
    expect(firstBitMismatch(k.r.slice(), want)).toBe(77);
  });

  it('splits the background pairs in order: tile values <= limit (compared in float64) with their R', () => {
    const k = kernel();
    for (const [n, limit] of [
      [1001, 1000.1],
      [7, 1e9],
      [64, Number.NaN],
    ] as const) {
      const y = values(n, n, 0, 0.1, 0.01);
      const r = values(n, n + 1, 0, 0.1, 0);
      k.fit(n, 1, 31);
      k.tile.set(y);
      k.r.set(r);
      const m = k.splitBackground(limit);
      const idx = [...y.keys()].filter((i) => y[i] <= limit);
      expect(m).toBe(idx.length);
      expect(Array.from(k.bgY.subarray(0, m))).toEqual(idx.map((i) => y[i]));
      expect(Array.from(k.bgR.subarray(0, m))).toEqual(idx.map((i) => r[i]));
    }
  });

  it('finds the local peaks of R detectLocalStars scans for: interior, above the threshold, above all 8 neighbours', () => {
    const k = kernel();
    for (const [w, h, seed] of [
      [37, 23, 1],
      [6, 6, 2],
      [110, 110, 3],
    ]) {
      const r = values(w * h, seed, 1, 0.02, 0);
      k.fit(w, h, 31);
      k.r.set(r);
      const thr = 1010;
      const want: number[] = [];
      for (let y = 1; y < h - 1; y++)
        for (let x = 1; x < w - 1; x++) {
          const i = y * w + x;
          let peak = r[i] > thr;
          for (const d of [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1]) peak &&= r[i] > r[i + d];
          if (peak) want.push(i);
        }
      expect(Array.from(k.localPeaks(thr))).toEqual(want);
    }
  });

  it('loads a tile of a plane through its band of rows, again for a new owner', () => {
    const k = kernel().fit(4, 3, 31);
    const plane = Float32Array.from({ length: 10 * 6 }, (_, i) => i);
    const owner = {};
    k.loadTile(owner, plane, 10, 5, 2);
    expect(Array.from(k.tile)).toEqual([25, 26, 27, 28, 35, 36, 37, 38, 45, 46, 47, 48]);
    k.loadTile(owner, plane, 10, 0, 2);
    expect(Array.from(k.tile.subarray(0, 4))).toEqual([20, 21, 22, 23]);
    plane[20] = -1;
    k.loadTile({}, plane, 10, 0, 2);
    expect(k.tile[0]).toBe(-1);
    const { valid, large } = k.countTile();
    expect([valid, large]).toEqual([12, 0]);
  });
});
