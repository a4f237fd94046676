import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { cellsOfBox, planStore, preallocateStore, readTileStack, writeFrameToStore } from '../../../../shared/pipeline/run/work-store';
import type { RandomAccessFile } from '../../../../shared/io/file-system';

const dir = mkdtempSync(path.join(tmpdir(), 'tc-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function frameValue(f: number, c: number, x: number, y: number): number {
  return f * 1e6 + c * 1e5 + y * 1000 + x;
}

describe('planStore', () => {
  it('covers the canvas with non-overlapping cells, edge cells smaller, and no overlap copies', () => {
    const l = planStore(50, 37, 16, 3, 2);
    expect(l.cellsX).toBe(4);
    expect(l.cellsY).toBe(3);
    expect(l.cells[3]).toMatchObject({ x0: 48, w: 2 });
    expect(l.cells[8]).toMatchObject({ y0: 32, h: 5 });
    expect(l.totalBytes).toBe(3 * 2 * 50 * 37 * 4);
  });
  it('follows the documented offset formula: cell base + frame-major blocks', () => {
    const l = planStore(32, 32, 16, 5, 1);
    expect(l.cells[1].base).toBe(5 * 16 * 16 * 4);
  });
  it('lists the cells a box intersects in row-major order', () => {
    const l = planStore(64, 64, 16, 1, 1);
    expect(cellsOfBox(l, 10, 2, 20, 8)).toEqual([0, 1]);
    expect(cellsOfBox(l, 16, 16, 16, 16)).toEqual([5]);
    expect(cellsOfBox(l, 8, 8, 24, 24)).toEqual([0, 1, 4, 5]);
  });
});

describe('work store on disk', () => {
  it('gives back every frame\'s tile exactly as written, for any tile position', async () => {
    const W = 45;
    const H = 31;
    const N = 4;
    const planes = 3;
    const layout = planStore(W, H, 12, N, planes);
    const file: RandomAccessFile = await fs.open(path.join(dir, 'cells.f32'), 'w+');
    await preallocateStore(file, layout);
    expect(await file.size()).toBe(layout.totalBytes);
    // write frames out of order: the layout, not the write order, decides where data goes
    for (const f of [2, 0, 3, 1]) {
      const frame = new Float32Array(W * H * planes);
      for (let c = 0; c < planes; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) frame[(c * H + y) * W + x] = frameValue(f, c, x, y);
      await writeFrameToStore(file, layout, f, frame);
    }
    for (const [x0, y0, w, h] of [
      [0, 0, 20, 20],
      [25, 11, 20, 20],
      [7, 3, 13, 27],
      [44, 30, 1, 1],
    ]) {
      const stack = await readTileStack(file, layout, x0, y0, w, h);
      for (let f = 0; f < N; f++)
        for (let c = 0; c < planes; c++)
          for (let y = 0; y < h; y++)
            for (let x = 0; x < w; x++) expect(stack[((f * planes + c) * h + y) * w + x]).toBe(frameValue(f, c, x0 + x, y0 + y));
    }
    await file.close();
  });

  it('refuses a frame of the wrong size', async () => {
    const layout = planStore(8, 8, 4, 1, 1);
    const file = await fs.open(path.join(dir, 'small.f32'), 'w+');
    await expect(writeFrameToStore(file, layout, 0, new Float32Array(10))).rejects.toThrow(/canvas needs 64/);
    await file.close();
  });
});
