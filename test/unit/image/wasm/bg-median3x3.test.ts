import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../../fixtures/wasm';
import { median3x3BySortedColumns, median3x3Rows } from '../../../../shared/image/rank-filters';
import { BG_MEDIAN3X3_WASM } from '../../../../shared/image/wasm/bg-median3x3.wasm';
import { median3x3Wasm, wasmMedian3x3Available } from '../../../../shared/image/wasm/bg-median3x3';
import { mulberry32 } from '../../../../shared/util/seed';
import * as before from '../../image/before/rank-filters-before';

// median3x3BySortedColumns runs the bg-median3x3 kernel on float32 planes where WebAssembly is
// available: its output must be the previous JS function's (frozen copy in image/before) bit for
// bit, NaN payloads and signed zeros included.

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/bg-median3x3.wat', import.meta.url));
describeCommittedWasm(WAT, BG_MEDIAN3X3_WASM);

type Kind = 'noise' | 'ties' | 'special' | 'zeros' | 'wide';

function plane(w: number, h: number, kind: Kind, seed: number): Float32Array {
  const u = mulberry32(seed);
  const a = new Float32Array(w * h);
  for (let i = 0; i < a.length; i++) {
    const r = u();
    if (kind === 'noise') a[i] = 100 * r;
    else if (kind === 'ties') a[i] = Math.floor(r * 4) - 2;
    else if (kind === 'special') a[i] = r < 0.05 ? Number.NaN : r < 0.07 ? -Infinity : r < 0.3 ? (u() < 0.5 ? -0 : 0) : Math.round(3 * u());
    else if (kind === 'zeros') a[i] = r < 0.6 ? -0 : r < 0.8 ? 0 : -1e-3;
    // magnitudes spanning more than 2^28: the JS takes its branching path, and so does the wrapper
    else a[i] = (u() - 0.5) * 2 ** (Math.floor(u() * 70) - 35);
  }
  return a;
}

describe('median3x3BySortedColumns with the bg-median3x3 kernel', () => {
  it('runs the kernel here (Node 20 has WebAssembly SIMD)', () => {
    expect(wasmMedian3x3Available()).toBe(true);
  });

  const kinds: Kind[] = ['noise', 'ties', 'special', 'zeros', 'wide'];
  it.each(kinds)('gives the previous bytes on %s planes of many shapes (odd widths, band boundaries)', (kind) => {
    const shapes = [[1, 1], [1, 7], [7, 1], [2, 2], [3, 5], [5, 3], [13, 64], [17, 65], [64, 66], [33, 130], [130, 129]];
    let seed = 1;
    for (const [w, h] of shapes) {
      const p = plane(w, h, kind, seed++);
      const got = median3x3BySortedColumns(p, w, h);
      expect(firstBitMismatch(got, before.median3x3BySortedColumns(p, w, h)), `${w} x ${h}`).toBe(-1);
    }
  });

  it('gives the bytes of the row-by-row JS (median3x3Rows) on a proxy-sized plane', () => {
    const w = 301;
    const h = 203;
    const p = plane(w, h, 'noise', 99);
    const rows = new Float32Array(w * h);
    const row = median3x3Rows(p, w, h);
    for (let y = 0; y < h; y++) row(y, rows, y * w);
    expect(firstBitMismatch(median3x3BySortedColumns(p, w, h), rows)).toBe(-1);
  });

  it('reports the magnitude span that decides between its result and the JS (the failure twin)', () => {
    const p = Float32Array.of(0, -0, 3, Number.NaN, -Infinity, 0.5, 1e20, -2, 7);
    const r = median3x3Wasm(p, 3, 3)!;
    expect(r.smallest).toBe(0.5);
    expect(r.largest).toBe(Math.fround(1e20));
    // 1e20 / 0.5 > 2^28: this plane goes through the JS branching path, which keeps -0
    const z = Float32Array.of(-0, -0, -0, -0, -0, -0, -0, -0, -0, 1e-20, 1e20, 1);
    expect(firstBitMismatch(median3x3BySortedColumns(z, 3, 4), before.median3x3BySortedColumns(z, 3, 4))).toBe(-1);
    expect(Object.is(median3x3BySortedColumns(z, 3, 4)[0], -0)).toBe(true);
  });

  it('still rejects a plane shorter than w x h', () => {
    expect(() => median3x3BySortedColumns(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
});
