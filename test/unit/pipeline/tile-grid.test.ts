import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellGridOf,
  cellsIntersecting,
  computeCellGrid,
  computeTileGrid,
  neighbourPairs,
  tileOrigins,
  tileSizeFor,
  type TileGridConfig,
} from '../../../shared/pipeline/tile-grid';

const DEFAULTS: TileGridConfig = { tile: { size_factor: 32, min_size: 64, max_divisor: 6, overlap_fraction: 0.25 } };
const withTile = (t: Partial<TileGridConfig['tile']>): TileGridConfig => ({ tile: { ...DEFAULTS.tile, ...t } });

describe('computeTileGrid', () => {
  it('computes T, O and S from the seeing with the default parameters', () => {
    // T0 = 32*3 = 96, Tmin = 64, Tmax = floor(1200/6) = 200 -> T = 96, O = 24, S = 72
    const g = computeTileGrid(1600, 1200, 3, DEFAULTS);
    expect([g.tileSize, g.overlap, g.stride]).toEqual([96, 24, 72]);
    expect(g.xOrigins[0]).toBe(0);
    expect(g.xOrigins[g.xOrigins.length - 1]).toBe(1600 - 96);
    expect(g.tiles.length).toBe(g.cols * g.rows);
  });

  it('adds a last origin at W - T when the regular origins end early', () => {
    expect(tileOrigins(100, 40, 30)).toEqual([0, 30, 60]);
    expect(tileOrigins(101, 40, 30)).toEqual([0, 30, 60, 61]);
    expect(tileOrigins(40, 40, 30)).toEqual([0]);
  });

  it('clips T to Tmin and Tmax', () => {
    expect(tileSizeFor(2000, 2000, 1, DEFAULTS)).toBe(64);
    expect(tileSizeFor(600, 900, 50, DEFAULTS)).toBe(100);
  });

  it('numbers tiles row-major', () => {
    const g = computeTileGrid(300, 200, 2, withTile({ min_size: 32 }));
    g.tiles.forEach((t, i) => {
      expect(t.id).toBe(i);
      expect(t.id).toBe(t.row * g.cols + t.col);
      expect(t.x0).toBe(g.xOrigins[t.col]);
      expect(t.y0).toBe(g.yOrigins[t.row]);
    });
  });

  it('keeps T monotone non-decreasing in F, with integer O and S > 0, covering every pixel', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 400 }),
        fc.integer({ min: 16, max: 400 }),
        fc.double({ min: 0.3, max: 30, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 16, max: 128 }),
        (w, h, f, df, o, sf, minSize) => {
          const cfg = withTile({ overlap_fraction: o, size_factor: sf, min_size: minSize });
          const a = computeTileGrid(w, h, f, cfg);
          const b = computeTileGrid(w, h, f + df, cfg);
          expect(b.tileSize).toBeGreaterThanOrEqual(a.tileSize);
          expect(Number.isInteger(a.overlap)).toBe(true);
          expect(a.stride).toBeGreaterThan(0);
          const cover = new Uint8Array(w * h);
          for (const t of a.tiles) {
            expect(t.x0).toBeGreaterThanOrEqual(0);
            expect(t.x0 + t.width).toBeLessThanOrEqual(w);
            expect(t.y0 + t.height).toBeLessThanOrEqual(h);
            for (let y = t.y0; y < t.y0 + t.height; y++) cover.fill(1, y * w + t.x0, y * w + t.x0 + t.width);
          }
          expect(cover.every((c) => c === 1)).toBe(true);
        },
      ),
      { seed: 4242, numRuns: 100 },
    );
  });

  it('guards: one tile equal to the canvas when T exceeds it', () => {
    const g = computeTileGrid(50, 300, 3, DEFAULTS);
    expect(g.guards.singleTile).toBe(true);
    expect(g.tiles).toEqual([{ id: 0, col: 0, row: 0, x0: 0, y0: 0, width: 50, height: 300 }]);
    expect(g.overlap).toBe(0);
  });

  it('guards: Tmax is raised to Tmin on a canvas smaller than D*Tmin', () => {
    const g = computeTileGrid(200, 200, 3, DEFAULTS);
    expect(g.guards.tmaxRaisedToTmin).toBe(true);
    expect(g.tileSize).toBe(64);
  });

  it('guards: a non-positive stride falls back to overlap 0.25', () => {
    // o is clipped to [0, 0.5] first (T = 83 here: O = 41, S = 42), so only a non-finite o reaches the guard
    const clipped = computeTileGrid(500, 500, 3, withTile({ overlap_fraction: 1.2 }));
    expect([clipped.guards.overlapReset, clipped.overlapFraction, clipped.overlap, clipped.stride]).toEqual([false, 0.5, 41, 42]);
    const g = computeTileGrid(500, 500, 3, withTile({ overlap_fraction: Number.NaN }));
    expect(g.guards.overlapReset).toBe(true);
    expect([g.overlapFraction, g.overlap, g.stride]).toEqual([0.25, 20, 63]);
  });

  it('guards: a missing or non-positive seeing F uses 3.0', () => {
    const g = computeTileGrid(1000, 1000, Number.NaN, DEFAULTS);
    expect(g.guards.seeingDefaulted).toBe(true);
    expect(g.tileSize).toBe(96);
    expect(computeTileGrid(1000, 1000, -1, DEFAULTS).tileSize).toBe(96);
  });

  it('rejects a canvas that is not a positive integer size', () => {
    expect(() => computeTileGrid(0, 10, 3, DEFAULTS)).toThrow(RangeError);
    expect(() => computeTileGrid(10.5, 10, 3, DEFAULTS)).toThrow(RangeError);
  });

  it('lists right and down neighbour pairs in ascending order', () => {
    const g = computeTileGrid(140, 140, 2, withTile({ min_size: 64, overlap_fraction: 0.25 }));
    expect([g.cols, g.rows]).toEqual([3, 3]);
    const pairs = neighbourPairs(g);
    expect(pairs.length).toBe(2 * 3 * 2);
    expect(pairs[0]).toEqual({ a: 0, b: 1, direction: 'right' });
    expect(pairs[1]).toEqual({ a: 0, b: 3, direction: 'down' });
  });
});

describe('cell grid', () => {
  it('cuts the canvas into S x S cells, edge cells smaller, row-major', () => {
    const cg = computeCellGrid(10, 7, 4);
    expect([cg.cols, cg.rows]).toEqual([3, 2]);
    expect(cg.cells.map((c) => [c.x0, c.y0, c.width, c.height])).toEqual([
      [0, 0, 4, 4], [4, 0, 4, 4], [8, 0, 2, 4],
      [0, 4, 4, 3], [4, 4, 4, 3], [8, 4, 2, 3],
    ]);
  });

  it('finds at most 3 x 3 cells per tile, whose intersections tile the tile exactly', () => {
    for (const [w, h, f] of [[517, 389, 3], [300, 301, 2.2], [64, 64, 3], [90, 1000, 5]] as const) {
      const g = computeTileGrid(w, h, f, DEFAULTS);
      const cg = cellGridOf(g);
      for (const t of g.tiles) {
        const hits = cellsIntersecting(cg, t);
        if (!g.guards.singleTile) expect(hits.length).toBeLessThanOrEqual(9);
        const area = hits.reduce((a, h) => a + h.overlap.width * h.overlap.height, 0);
        expect(area).toBe(t.width * t.height);
        const idx = hits.map((h) => h.cell.index);
        expect([...idx].sort((a, b) => a - b)).toEqual(idx);
      }
    }
  });

  it('rejects a non-positive cell size', () => {
    expect(() => computeCellGrid(10, 10, 0)).toThrow(RangeError);
  });
});
