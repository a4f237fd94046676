import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { cellGridOf, meanOffsetsOverBoxes } from '../../../../shared/pipeline/local-background';
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
