import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { cellsOfBox, planStore, preallocateStore, readTileStack, StoreGroup, tileEdgeCuts, uniformCuts, writeFrameToStore, type StoreLayout } from '../../../../shared/pipeline/run/work-store';
import { computeTileGrid } from '../../../../shared/pipeline/tile-grid';
import { storeCutsFor } from '../../../../shared/pipeline/run/run-plan';
import type { RandomAccessFile } from '../../../../shared/io/file-system';
import { ScratchBuffers } from '../../../../shared/util/scratch-buffers';

const dir = mkdtempSync(path.join(tmpdir(), 'tc-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** METHOD's S×S cells. */
function uniform(W: number, H: number, S: number, frames: number, planes: number): StoreLayout {
  return planStore(W, H, uniformCuts(W, S), uniformCuts(H, S), frames, planes);
}

function frameValue(f: number, c: number, x: number, y: number): number {
  return f * 1e6 + c * 1e5 + y * 1000 + x;
}

/** Frame f of a W x H canvas with `planes` planes (plane-major), every value frameValue(f, c, x, y). */
function makeFrame(W: number, H: number, planes: number, f: number): Float32Array {
  const frame = new Float32Array(W * H * planes);
  for (let c = 0; c < planes; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) frame[(c * H + y) * W + x] = frameValue(f, c, x, y);
  return frame;
}

/** A real tile grid on a W x H canvas and its two store layouts: cells cut at the tile edges, and METHOD's stride cells. */
function gridLayouts(W: number, H: number, N: number, planes: number) {
  const grid = computeTileGrid(W, H, 1, { tile: { size_factor: 32, min_size: 32, max_divisor: 2, overlap_fraction: 0.25 } });
  const cuts = storeCutsFor(grid);
  return { grid, layouts: [planStore(W, H, cuts.x, cuts.y, N, planes), uniform(W, H, grid.stride, N, planes)] };
}

describe('planStore', () => {
  it('covers the canvas with non-overlapping cells, edge cells smaller, and no overlap copies', () => {
    const l = uniform(50, 37, 16, 3, 2);
    expect(l.cellsX).toBe(4);
    expect(l.cellsY).toBe(3);
    expect(l.cells[3]).toMatchObject({ x0: 48, w: 2 });
    expect(l.cells[8]).toMatchObject({ y0: 32, h: 5 });
    expect(l.totalBytes).toBe(3 * 2 * 50 * 37 * 4);
  });
  it('follows the documented offset formula: cell base + frame-major blocks', () => {
    const l = uniform(32, 32, 16, 5, 1);
    expect(l.cells[1].base).toBe(5 * 16 * 16 * 4);
  });
  it('lists the cells a box intersects in row-major order', () => {
    const l = uniform(64, 64, 16, 1, 1);
    expect(cellsOfBox(l, 10, 2, 20, 8)).toEqual([0, 1]);
    expect(cellsOfBox(l, 16, 16, 16, 16)).toEqual([5]);
    expect(cellsOfBox(l, 8, 8, 24, 24)).toEqual([0, 1, 4, 5]);
  });
});

describe('tileEdgeCuts', () => {
  it('cuts at every tile origin and end inside the canvas, ascending from 0', () => {
    // T = 40, S = 30, extent 100: origins 0, 30, 60 (last = 60)
    expect(tileEdgeCuts(100, [0, 30, 60], 40)).toEqual([0, 30, 40, 60, 70]);
    // a last tile shifted to the end adds its own edges
    expect(tileEdgeCuts(95, [0, 30, 55], 40)).toEqual([0, 30, 40, 55, 70]);
    expect(tileEdgeCuts(50, [0], 50)).toEqual([0]);
  });
  it('planStore rejects edges that do not ascend from 0 inside the canvas', () => {
    expect(() => planStore(10, 10, [0, 5, 5], [0], 1, 1)).toThrow(/ascend from 0/);
    expect(() => planStore(10, 10, [1, 5], [0], 1, 1)).toThrow(/x cell edges/);
    expect(() => planStore(10, 10, [0], [0, 10], 1, 1)).toThrow(/y cell edges/);
  });
});

describe('work store on disk', () => {
  it('gives back every frame\'s tile exactly as written, for any tile position', async () => {
    const W = 45;
    const H = 31;
    const N = 4;
    const planes = 3;
    const layout = uniform(W, H, 12, N, planes);
    const file: RandomAccessFile = await fs.open(path.join(dir, 'cells.f32'), 'w+');
    await preallocateStore(file, layout);
    expect(await file.size()).toBe(layout.totalBytes);
    // write frames out of order: the layout, not the write order, decides where data goes
    for (const f of [2, 0, 3, 1]) {
      const frame = makeFrame(W, H, planes, f);
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

  it('with cells cut at the tile edges, gives back every tile of a real grid exactly and reads each tile\'s bytes once', async () => {
    const W = 150;
    const H = 97;
    const N = 3;
    const grid = computeTileGrid(W, H, 1, { tile: { size_factor: 32, min_size: 32, max_divisor: 2, overlap_fraction: 0.25 } });
    const cuts = storeCutsFor(grid);
    const layout = planStore(W, H, cuts.x, cuts.y, N, 1);
    expect(layout.totalBytes).toBe(N * W * H * 4);
    const real = await fs.open(path.join(dir, 'edges.f32'), 'w+');
    await preallocateStore(real, layout);
    for (let f = 0; f < N; f++) {
      const frame = new Float32Array(W * H);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) frame[y * W + x] = frameValue(f, 0, x, y);
      await writeFrameToStore(real, layout, f, frame);
    }
    // count what the reads ask for: the real file underneath, only read() observed
    let bytesRead = 0;
    const counting: RandomAccessFile = {
      ...real,
      read: async (buf, off, len, pos) => {
        bytesRead += len;
        return real.read(buf, off, len, pos);
      },
    };
    expect(grid.tiles.length).toBeGreaterThan(4);
    for (const t of grid.tiles) {
      bytesRead = 0;
      const stack = await readTileStack(counting, layout, t.x0, t.y0, t.width, t.height);
      expect(bytesRead).toBe(N * t.width * t.height * 4);
      expect(cellsOfBox(layout, t.x0, t.y0, t.width, t.height).length).toBeLessThanOrEqual(9);
      const want = new Float32Array(stack.length);
      for (let f = 0; f < N; f++) for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) want[(f * t.height + y) * t.width + x] = frameValue(f, 0, t.x0 + x, t.y0 + y);
      expect(stack).toEqual(want);
    }
    // METHOD's stride cells read more than the tile for the same grid (what the cut edges remove)
    const strideLayout = uniform(W, H, grid.stride, N, 1);
    const stridePath = path.join(dir, 'stride.f32');
    const sf = await fs.open(stridePath, 'w+');
    await preallocateStore(sf, strideLayout);
    let strideRead = 0;
    const countingStride: RandomAccessFile = { ...sf, read: async (buf, off, len, pos) => ((strideRead += len), sf.read(buf, off, len, pos)) };
    for (const t of grid.tiles) await readTileStack(countingStride, strideLayout, t.x0, t.y0, t.width, t.height);
    expect(strideRead).toBeGreaterThan(grid.tiles.reduce((a, t) => a + N * t.width * t.height * 4, 0));
    await sf.close();
    await real.close();
  });

  it('writes frames larger than one write batch (4 MB) in several batches, every block once and in place', async () => {
    const W = 1100;
    const H = 1000;
    const N = 2;
    for (const [planes, cell] of [
      [2, 100], // 220 cells of 80 kB: 8.8 MB per frame in three batches
      [1, 1100], // one cell of 4.4 MB, larger than a batch: a batch of its own
    ]) {
      const layout = uniform(W, H, cell, N, planes);
      const real = await fs.open(path.join(dir, `batches-${planes}.f32`), 'w+');
      await preallocateStore(real, layout);
      const calls: number[] = [];
      const counting: RandomAccessFile = {
        path: real.path,
        read: (b, o, l, p) => real.read(b, o, l, p),
        write: (b, o, l, p) => real.write(b, o, l, p),
        writeBlocks: (blocks) => {
          calls.push(blocks.reduce((a, b) => a + b.data.byteLength, 0));
          return real.writeBlocks(blocks);
        },
        size: () => real.size(),
        sync: () => real.sync(),
        close: () => real.close(),
      };
      for (const f of [1, 0]) {
        calls.length = 0;
        const frame = makeFrame(W, H, planes, f);
        await writeFrameToStore(counting, layout, f, frame);
        expect(calls.reduce((a, b) => a + b, 0)).toBe(frame.byteLength);
        expect(calls.length).toBe(planes === 2 ? 3 : 1);
      }
      for (const [x0, y0, w, h] of [
        [0, 0, 150, 120],
        [950, 870, 150, 130],
        [433, 517, 211, 97],
      ]) {
        const stack = await readTileStack(real, layout, x0, y0, w, h);
        for (let f = 0; f < N; f++)
          for (let c = 0; c < planes; c++)
            for (let y = 0; y < h; y += 7)
              for (let x = 0; x < w; x += 3) expect(stack[((f * planes + c) * h + y) * w + x]).toBe(frameValue(f, c, x0 + x, y0 + y));
      }
      await real.close();
    }
  });

  it('reading into a reused scratch gives the same stacks as fresh buffers, whatever the slot held before', async () => {
    const W = 150;
    const H = 97;
    const N = 3;
    const planes = 2;
    // band reads too: METHOD's stride cells, where a tile needs only some rows of a cell
    const { grid, layouts } = gridLayouts(W, H, N, planes);
    for (const layout of layouts) {
      const file = await fs.open(path.join(dir, `scratch-${layout.cells.length}.f32`), 'w+');
      await preallocateStore(file, layout);
      for (let f = 0; f < N; f++) await writeFrameToStore(file, layout, f, makeFrame(W, H, planes, f));
      const scratch = new ScratchBuffers();
      // the slot starts full of garbage (NaN and huge values), larger than any tile needs
      scratch.float32('tile-stack', 4 * N * planes * W * H).fill(Number.NaN);
      // tiles of different sizes one after another, as in a worker (edge tiles included)
      const boxes = [...grid.tiles.map((t) => [t.x0, t.y0, t.width, t.height]), [3, 5, 7, 9], [0, 0, W, H]];
      for (const [x0, y0, w, h] of boxes) {
        const fresh = await readTileStack(file, layout, x0, y0, w, h);
        const reused = await readTileStack(file, layout, x0, y0, w, h, scratch);
        expect(reused.length).toBe(fresh.length);
        expect(Buffer.from(reused.buffer, reused.byteOffset, reused.byteLength).equals(Buffer.from(fresh.buffer, fresh.byteOffset, fresh.byteLength))).toBe(true);
        scratch.float32('tile-stack', reused.length).fill(-3e38);
      }
      await file.close();
    }
  });

  it('refuses a frame of the wrong size', async () => {
    const layout = uniform(8, 8, 4, 1, 1);
    const file = await fs.open(path.join(dir, 'small.f32'), 'w+');
    await expect(writeFrameToStore(file, layout, 0, new Float32Array(10))).rejects.toThrow(/canvas needs 64/);
    await file.close();
  });
});

describe('StoreGroup', () => {
  const W = 150;
  const H = 97;
  const N = 11;
  const planes = 2;

  it('writes the same store bytes as frame-by-frame writes, in one write per cell, into a reused buffer', async () => {
    for (const layout of gridLayouts(W, H, N, planes).layouts) {
      const single = await fs.open(path.join(dir, `single-${layout.cells.length}.f32`), 'w+');
      await preallocateStore(single, layout);
      for (let f = 0; f < N; f++) await writeFrameToStore(single, layout, f, makeFrame(W, H, planes, f));
      const grouped = await fs.open(path.join(dir, `grouped-${layout.cells.length}.f32`), 'w+');
      await preallocateStore(grouped, layout);
      let writes = 0;
      const counting: RandomAccessFile = {
        ...grouped,
        writeBlocks: async (blocks) => {
          writes += blocks.length;
          return grouped.writeBlocks(blocks);
        },
      };
      // groups of 4, 4, 1 (the reference frame alone) and 2, frames added out of order, the buffer
      // reused from group to group and full of garbage at first
      const scratch = new ScratchBuffers();
      scratch.float32('group', 4 * W * H * planes).fill(Number.NaN);
      for (const [fu0, count] of [
        [4, 4],
        [0, 4],
        [8, 1],
        [9, 2],
      ]) {
        const g = new StoreGroup(layout, fu0, count, scratch.float32('group', count * W * H * planes));
        for (let k = count - 1; k >= 0; k--) g.add(fu0 + k, makeFrame(W, H, planes, fu0 + k));
        writes = 0;
        await g.write(counting);
        expect(writes).toBe(layout.cells.length);
      }
      const a = await readFile(path.join(dir, `single-${layout.cells.length}.f32`));
      const b = await readFile(path.join(dir, `grouped-${layout.cells.length}.f32`));
      expect(b.length).toBe(layout.totalBytes);
      expect(b.equals(a)).toBe(true);
      await single.close();
      await grouped.close();
    }
  });

  it('refuses frames outside the group, a group outside the store, a short buffer and a write with a frame missing', async () => {
    const layout = uniform(8, 8, 4, 6, 1);
    expect(() => new StoreGroup(layout, 4, 3)).toThrow(/does not fit a store of 6/);
    expect(() => new StoreGroup(layout, 0, 2, new Float32Array(100))).toThrow(/holds 100 values, the group needs 128/);
    const g = new StoreGroup(layout, 2, 2);
    expect(() => g.add(4, new Float32Array(64))).toThrow(/frame 4 is not in the store group 2..3/);
    expect(() => g.add(2, new Float32Array(10))).toThrow(/canvas needs 64/);
    g.add(3, new Float32Array(64));
    const file = await fs.open(path.join(dir, 'group-missing.f32'), 'w+');
    await expect(g.write(file)).rejects.toThrow(/frame 2 was not added/);
    await file.close();
  });
});

