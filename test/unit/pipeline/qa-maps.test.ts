import { describe, expect, it } from 'vitest';
import { barChart, rampColor, rampInto, scalarMap, tileValueMap } from '../../../shared/pipeline/qa-maps';
import { computeTileGrid } from '../../../shared/pipeline/tile-grid';

const colourAt = (px: { width: number; data: Uint8Array }, x: number, y: number) => Array.from(px.data.subarray((y * px.width + x) * 3, (y * px.width + x) * 3 + 3));

describe('rampColor', () => {
  it('runs from dark blue through teal to yellow, clamped, with grey for missing values', () => {
    expect(rampColor(0)).toEqual([68, 1, 84]);
    expect(rampColor(0.5)).toEqual([33, 145, 140]);
    expect(rampColor(1)).toEqual([253, 231, 37]);
    expect(rampColor(-3)).toEqual([68, 1, 84]);
    expect(rampColor(7)).toEqual([253, 231, 37]);
    expect(rampColor(Number.NaN)).toEqual([40, 40, 40]);
    expect(rampColor(Number.POSITIVE_INFINITY)).toEqual([40, 40, 40]);
  });
  it('interpolates linearly between the stops, rounded', () => {
    // halfway between (0.25: 59, 82, 139) and (0.5: 33, 145, 140)
    expect(rampColor(0.375)).toEqual([46, 114, 140]);
    const out = new Uint8Array(6);
    rampInto(0.375, out, 3);
    expect(Array.from(out)).toEqual([0, 0, 0, 46, 114, 140]);
  });
});

describe('tileValueMap', () => {
  // 4 x 3 tiles of 16 px, stride 16 (no overlap) on a 64 x 48 canvas
  const grid = computeTileGrid(64, 48, 1, { tile: { size_factor: 16, min_size: 16, max_divisor: 1, overlap_fraction: 0 } });

  it('paints every tile with the colour of its value over the value range', () => {
    expect([grid.cols, grid.rows]).toEqual([4, 3]);
    const values = Array.from({ length: 12 }, (_, t) => t);
    const px = tileValueMap(grid, values, 64);
    expect([px.width, px.height, px.min, px.max]).toEqual([64, 48, 0, 11]);
    for (let t = 0; t < 12; t++) {
      const x0 = (t % 4) * 16;
      const y0 = Math.floor(t / 4) * 16;
      for (const [x, y] of [
        [x0, y0],
        [x0 + 15, y0 + 15],
      ]) {
        expect(colourAt(px, x, y), `tile ${t} at ${x},${y}`).toEqual(rampColor(t / 11));
      }
    }
  });

  it('uses a given range and shows missing tiles grey', () => {
    const values = Array.from({ length: 12 }, () => 0.5);
    values[5] = Number.NaN;
    const px = tileValueMap(grid, values, 32, { min: 0, max: 1 });
    expect([px.width, px.height]).toEqual([32, 24]);
    expect(colourAt(px, 0, 0)).toEqual(rampColor(0.5));
    // tile 5 = column 1, row 1: canvas 16..31, map 8..15
    expect(colourAt(px, 12, 12)).toEqual([40, 40, 40]);
  });
});

describe('scalarMap and barChart', () => {
  it('downsamples by block means before colouring', () => {
    // 4 x 2 canvas, long side 2: blocks of 2 x 2 with means 1 and 3
    const px = scalarMap([0, 2, 2, 4, 2, 0, 4, 2], 4, 2, 2);
    expect([px.width, px.height, px.min, px.max]).toEqual([2, 1, 1, 3]);
    expect(colourAt(px, 0, 0)).toEqual(rampColor(0));
    expect(colourAt(px, 1, 0)).toEqual(rampColor(1));
  });
  it('draws one bar per frame, as high as its share of the largest value', () => {
    const px = barChart([1, 2], 4, 10);
    // frame 0 = x 0..1, height round(0.5 * 6) = 3 (rows 7..9); frame 1 = x 2..3, height 6 (rows 4..9)
    expect(colourAt(px, 0, 9)).toEqual(rampColor(0.5));
    expect(colourAt(px, 0, 7)).toEqual(rampColor(0.5));
    expect(colourAt(px, 0, 6)).toEqual([24, 24, 24]);
    expect(colourAt(px, 3, 4)).toEqual(rampColor(1));
    expect(colourAt(px, 3, 3)).toEqual([24, 24, 24]);
  });
});
