import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { medianOfFinite } from '../../../../shared/image/stats';
import { BG_BRACKET_WASM } from '../../../../shared/pipeline/wasm/bg-bracket.wasm';
import { bandCellMedianWasm, medianOfFiniteWasm, stageCellBand, wasmBracketAvailable } from '../../../../shared/pipeline/wasm/bg-bracket';
import { mulberry32 } from '../../../../shared/util/seed';

// The cell medians of P6.4: the kernel's value must be stats.ts medianOfFinite's, bit for bit,
// whenever it gives one; where it gives none the caller takes the JS value.

const WAT = fileURLToPath(new URL('../../../../shared/pipeline/wasm/bg-bracket.wat', import.meta.url));
describeCommittedWasm(WAT, BG_BRACKET_WASM);

type Kind = 'sky' | 'integers' | 'wide' | 'skewed';

function values(n: number, kind: Kind, seed: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: n }, () => {
    if (kind === 'sky') return 1 + 0.03 * (u() + u() + u() - 1.5) + (u() < 0.01 ? u() : 0);
    if (kind === 'integers') return 100 + Math.floor(u() * 7);
    if (kind === 'wide') return (u() - 0.3) * 2 ** (80 * u() - 40);
    return u() < 0.6 ? 1 : 1 + u();
  });
}

describe('medianOfFiniteWasm', () => {
  it('runs the kernel here', () => {
    expect(wasmBracketAvailable()).toBe(true);
  });

  for (const kind of ['sky', 'integers', 'wide', 'skewed'] as const) {
    it(`gives medianOfFinite's value on ${kind} cells of odd and even sizes`, () => {
      let given = 0;
      for (const [n, seed] of [[64, 1], [65, 2], [1000, 3], [4097, 4], [36_864, 5], [36_863, 6]]) {
        const v = values(n, kind, seed);
        const got = medianOfFiniteWasm(v, n);
        if (got !== null) {
          given++;
          expect(Object.is(got, medianOfFinite(v, n, true)), `${kind} n=${n}`).toBe(true);
        }
      }
      expect(given).toBeGreaterThan(3);
    });
  }

  it('uses only the first n values', () => {
    const v = values(5000, 'sky', 7);
    v.fill(1e9, 3000);
    expect(medianOfFiniteWasm(v, 3000)).toBe(medianOfFinite(v, 3000, true));
  });

  it('leaves zero medians and tiny cells to the JS (the failure twin)', () => {
    const zeros = Float32Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : i - 500));
    expect(medianOfFinite(zeros, zeros.length, true)).toBe(0);
    expect(medianOfFiniteWasm(zeros, zeros.length)).toBeNull();
    expect(medianOfFiniteWasm(values(63, 'sky', 8), 63)).toBeNull();
  });
});

describe('stageCellBand + bandCellMedianWasm', () => {
  /** The JS it replaces: gather the finite unmasked pixels of the runs in order, then their median. */
  function jsCell(data: Float32Array, mask: Uint8Array, runs: Int32Array): { values: number[]; median: number } {
    const values: number[] = [];
    for (let r = 0; r < runs.length; r += 4) {
      for (let k = 0; k < runs[r + 3]; k++) {
        const v = data[runs[r] + k * runs[r + 2]];
        if (Number.isFinite(v) && mask[runs[r + 1] + k * runs[r + 2]] === 0) values.push(v);
      }
    }
    return { values, median: medianOfFinite(Float32Array.from(values), values.length, true) };
  }

  const w = 97;
  const h = 80;
  const u = mulberry32(11);
  const data = Float32Array.from({ length: 2 * w * h }, () => (u() < 0.02 ? Number.NaN : 1 + 0.05 * u()));
  const mask = Uint8Array.from({ length: w * h }, () => (u() < 0.1 ? 1 : u() < 0.01 ? 255 : 0));
  const rowsOf = (x0: number, y0: number, cw: number, ch: number, step: number, planeBase: number): Int32Array => {
    const runs: number[] = [];
    for (let y = y0; y < y0 + ch; y += step === 2 ? 2 : 1) runs.push(planeBase + y * w + x0, y * w + x0, step, Math.ceil(cw / step));
    return Int32Array.from(runs);
  };
  /** Stages the rows [y0, y0 + ch) of the plane at planeBase, as measureBackgroundCells stages a row of cells. */
  const stageRows = (y0: number, ch: number, planeBase: number, cap: number) =>
    stageCellBand(data, mask, planeBase + y0 * w, planeBase + Math.min(h, y0 + ch) * w, y0 * w, Math.min(h, y0 + ch) * w, cap);

  it('gathers and takes the median of contiguous, CFA (step 2) and second-plane runs as the JS does', () => {
    const cases: Array<[Int32Array, number, number, number]> = [
      [rowsOf(0, 0, 40, 30, 1, 0), 0, 30, 0],
      [rowsOf(57, 50, 40, 30, 1, w * h), 50, 30, w * h],
      [rowsOf(1, 0, 40, 30, 2, 0), 0, 30, 0],
      [rowsOf(0, 1, 41, 29, 2, 0), 0, 30, 0],
      [rowsOf(w - 41, h - 29, 41, 29, 2, 0), h - 30, 30, 0],
    ];
    for (const [runs, y0, ch, base] of cases) {
      expect(stageRows(y0, ch, base, 41 * 30)).toBe(true);
      const values = new Float32Array(4000).fill(-7);
      const got = bandCellMedianWasm(runs, 1, values)!;
      const want = jsCell(data, mask, runs);
      expect(got.n).toBe(want.values.length);
      const median = got.median ?? medianOfFinite(values, got.n, true);
      expect(Object.is(median, want.median)).toBe(true);
      if (got.median === null) expect(Array.from(values.subarray(0, got.n))).toEqual(want.values);
    }
  });

  it('gathers each cell of a staged row of cells, the last one ending at the array\'s end', () => {
    expect(stageRows(h - 20, 20, w * h, 20 * 20)).toBe(true);
    for (const x0 of [0, 20, 40, 60, 80]) {
      const runs = rowsOf(x0, h - 20, Math.min(20, w - x0), 20, 1, w * h);
      const values = new Float32Array(400);
      const got = bandCellMedianWasm(runs, 1, values)!;
      const want = jsCell(data, mask, runs);
      expect(got.n).toBe(want.values.length);
      expect(Object.is(got.median ?? medianOfFinite(values, got.n, true), want.median)).toBe(true);
    }
  });

  it('refuses runs outside the staged band or a cell above its cap, and gathers nothing unstaged', () => {
    expect(stageRows(10, 20, 0, 40 * 20)).toBe(true);
    const values = new Float32Array(4000);
    // one row below the band, one row above it
    expect(bandCellMedianWasm(rowsOf(0, 11, 40, 20, 1, 0), 1, values)).toBeNull();
    expect(bandCellMedianWasm(rowsOf(0, 9, 40, 20, 1, 0), 1, values)).toBeNull();
    // inside, but more pixels than the cap the band was staged for
    expect(bandCellMedianWasm(rowsOf(0, 10, 41, 20, 1, 0), 1, values)).toBeNull();
    expect(bandCellMedianWasm(rowsOf(0, 10, 40, 20, 1, 0), 1, values)).not.toBeNull();
    // a band that cannot be staged leaves nothing staged
    expect(stageCellBand(data, mask, 0, data.length + 1, 0, 10, 100)).toBe(false);
    expect(bandCellMedianWasm(rowsOf(0, 10, 40, 20, 1, 0), 1, values)).toBeNull();
  });

  it('reports the count without a median below minCount, and leaves small cells\' values to the JS (the failure twin)', () => {
    expect(stageRows(0, 20, 0, 400)).toBe(true);
    const runs = rowsOf(0, 0, 20, 20, 1, 0);
    const values = new Float32Array(400);
    const want = jsCell(data, mask, runs);
    const few = bandCellMedianWasm(runs, want.values.length + 1, values)!;
    expect(few.n).toBe(want.values.length);
    expect(few.median).toBeNaN();
    const small = bandCellMedianWasm(rowsOf(0, 0, 6, 6, 1, 0), 1, values)!;
    expect(small.median).toBeNull();
    expect(Array.from(values.subarray(0, small.n))).toEqual(jsCell(data, mask, rowsOf(0, 0, 6, 6, 1, 0)).values);
  });
});
