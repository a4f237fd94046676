import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { cellGridOf, matchLocalBackground, meanOffsetsOverBoxes } from '../../../../shared/pipeline/local-background';
import type { ColourLayout } from '../../../../shared/pipeline/background';
import { BG_SURFACE_WASM } from '../../../../shared/pipeline/wasm/bg-surface.wasm';
import { wasmSurfaceAvailable } from '../../../../shared/pipeline/wasm/bg-surface';
import { mulberry32 } from '../../../../shared/util/seed';
import * as before from '../before/local-background-before';

// Tile means of the local background surface summed four tiles at a time in the kernel: each
// must be the previous meanOffsetOverBox of its own box, bit for bit.

const WAT = fileURLToPath(new URL('../../../../shared/pipeline/wasm/bg-surface.wat', import.meta.url));
describeCommittedWasm(WAT, BG_SURFACE_WASM);

describe('meanOffsetsOverBoxes with the bg-surface kernel', () => {
  it('runs the kernel here', () => {
    expect(wasmSurfaceAvailable()).toBe(true);
  });

  it('gives each box its previous mean, for runs of equal and mixed sizes in any order', () => {
    const grid = cellGridOf(333, 250, 47);
    const u = mulberry32(3);
    const d = Float64Array.from({ length: grid.rows * grid.cols }, () => (u() - 0.5) * 1e-2);
    const boxes = Array.from({ length: 23 }, (_, i) => {
      const w = i % 7 === 3 ? 17 : 64;
      const h = i % 5 === 2 ? 9 : 64;
      return { x0: Math.floor(u() * (333 - w)), y0: Math.floor(u() * (250 - h)), w, h };
    });
    boxes.push({ x0: 0, y0: 0, w: 333, h: 250 }, { x0: 332, y0: 249, w: 1, h: 1 });
    const got = meanOffsetsOverBoxes(d, grid, boxes);
    got.forEach((v, i) => expect(Object.is(v, before.meanOffsetOverBox(d, grid, boxes[i])), `box ${i}`).toBe(true));
  });

  it('follows the surface: a changed cell changes the boxes over it (the failure twin)', () => {
    const grid = cellGridOf(200, 100, 50);
    const d = new Float64Array(grid.rows * grid.cols);
    const boxes = [{ x0: 0, y0: 0, w: 40, h: 40 }, { x0: 150, y0: 50, w: 40, h: 40 }];
    expect(meanOffsetsOverBoxes(d, grid, boxes)).toEqual([0, 0]);
    d[grid.cols * 2 - 1] = 1;
    const after = meanOffsetsOverBoxes(d, grid, boxes);
    expect(after[0]).toBe(0);
    expect(after[1]).toBeGreaterThan(0.5);
  });
});

describe('the surface subtraction with the bg-surface kernel', () => {
  /** A sloped noisy sky with NaN borders, so that the frame's offsets from the reference vary. */
  function sky(w: number, h: number, planes: number, seed: number, slope: number): Float32Array {
    const u = mulberry32(seed);
    const data = new Float32Array(w * h * planes);
    for (let c = 0; c < planes; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const v = 1 + (slope * (x - 0.5 * y)) / w + 0.02 * (u() - 0.5);
          data[(c * h + y) * w + x] = x < 2 || y >= h - 3 ? Number.NaN : v;
        }
    return data;
  }

  // 1100 px rows: 238 rows per band, so a 500-row canvas crosses two band edges; odd width 1101
  // leaves a last pixel after the pairs
  const cases: Array<[string, ColourLayout, number, number]> = [
    ['MONO', { colorMode: 'MONO' }, 1, 1100],
    ['MONO odd width', { colorMode: 'MONO' }, 1, 1101],
    ['RGB', { colorMode: 'RGB' }, 3, 1100],
    ...(['RGGB', 'BGGR', 'GRBG', 'GBRG'] as const).map((pattern): [string, ColourLayout, number, number] => [`OSC ${pattern}`, { colorMode: 'OSC', pattern }, 1, 1101]),
  ];
  it.each(cases)('subtracts the previous definition\'s float32 bits, %s, across bands', (_name, layout, planes, w) => {
    const h = 500;
    const grid = cellGridOf(w, h, 97);
    const mRef = before.measureBackgroundCells({ width: w, height: h, planes, data: sky(w, h, planes, 1, 0) }, layout, grid);
    const frame = () => ({ width: w, height: h, planes, data: sky(w, h, planes, 2, 0.4) });
    const got = matchLocalBackground(frame(), layout, grid, mRef);
    const want = before.matchLocalBackground(frame(), layout, grid, mRef);
    expect(got.skipped).toEqual(want.skipped);
    expect(got.skipped.every((s) => !s)).toBe(true);
    const a = new Uint32Array(got.image.data.buffer, got.image.data.byteOffset, got.image.data.length);
    const b = new Uint32Array(want.image.data.buffer, want.image.data.byteOffset, want.image.data.length);
    let mismatch = -1;
    for (let i = 0; i < a.length && mismatch < 0; i++) if (a[i] !== b[i]) mismatch = i;
    expect(mismatch).toBe(-1);
    // the subtraction did something: the frame's sloped sky moved toward the reference's
    const input = frame().data;
    let moved = 0;
    for (let i = 0; i < input.length; i++) if (input[i] === input[i] && input[i] !== got.image.data[i]) moved++;
    expect(moved).toBeGreaterThan(input.length / 2);
  });
});
