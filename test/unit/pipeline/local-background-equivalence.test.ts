import { describe, expect, it } from 'vitest';
import { type Image } from '../../../shared/image/image';
import type { Box, ColourLayout } from '../../../shared/pipeline/background';
import {
  cellGridOf,
  luminanceOffsetsOverBoxes,
  matchLocalBackground,
  meanOffsetsOverBoxes,
  measureBackgroundCells,
} from '../../../shared/pipeline/local-background';
import { mulberry32 } from '../../../shared/util/seed';
import * as before from './before/local-background-before';

// The faster local background matching (one surface per frame, plain gather loops) against the
// frozen previous definitions in ./before: the same cell medians, the same subtracted bytes and
// the same per-tile offsets, bit for bit, for every layout, NaN regions and uneven edge cells.

const layouts: Array<[string, ColourLayout, number]> = [
  ['MONO', { colorMode: 'MONO' }, 1],
  ['RGB', { colorMode: 'RGB' }, 3],
  ['OSC', { colorMode: 'OSC', pattern: 'GBRG' }, 1],
];

/** A sloped, noisy sky with bright blobs (objects for the mask), ties, and a NaN border and hole. */
function frame(w: number, h: number, planes: number, seed: number, slope: number): Image {
  const u = mulberry32(seed);
  const data = new Float32Array(w * h * planes);
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = c * w * h + y * w + x;
        let v = 1 + slope * (x - y) / w + 0.02 * (u() - 0.5);
        if ((x * 7 + y * 3) % 97 === 0) v += 3 * u();
        if (x < 3 || y >= h - 2 || (x > w / 2 && x < w / 2 + 9 && y > 10 && y < 30)) v = Number.NaN;
        data[i] = (x + y) % 11 === 0 ? Math.round(v * 64) / 64 : v;
      }
    }
  }
  return { width: w, height: h, planes, data };
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Tile boxes with overlap, the last row/column flush with the edge, plus a few odd ones. */
function boxesOf(w: number, h: number, t: number): Box[] {
  const boxes: Box[] = [];
  const starts = (size: number) => {
    const s: number[] = [];
    for (let o = 0; o + t <= size; o += Math.floor(0.75 * t)) s.push(o);
    if (s[s.length - 1] + t < size) s.push(size - t);
    return s;
  };
  for (const y0 of starts(h)) for (const x0 of starts(w)) boxes.push({ x0, y0, w: t, h: t });
  boxes.push({ x0: 0, y0: 0, w: w, h: h }, { x0: 5, y0: 7, w: 1, h: 1 }, { x0: 2, y0: 2, w: 0, h: 4 });
  // reaching outside the grid: the general path
  boxes.push({ x0: -4, y0: h - 10, w: 20, h: 15 });
  return boxes;
}

describe.each(layouts)('local background matching, %s, against the previous definitions', (_name, layout, planes) => {
  const w = 203;
  const h = 157;
  const ref = frame(w, h, planes, 1, 0);
  for (const cellPx of [40, 64, 23]) {
    const grid = cellGridOf(w, h, cellPx);
    it(`measures the same cell medians (cells of ${cellPx} px)`, () => {
      const a = measureBackgroundCells(ref, layout, grid);
      const b = before.measureBackgroundCells(ref, layout, grid);
      expect(a.length).toBe(b.length);
      a.forEach((m, c) => expect(same(m, b[c])).toBe(true));
      for (const independentColours of [true, false]) {
        const x = measureBackgroundCells(frame(w, h, planes, 3, 0.2), layout, grid, { independentColours });
        const y = before.measureBackgroundCells(frame(w, h, planes, 3, 0.2), layout, grid, { independentColours });
        x.forEach((m, c) => expect(same(m, y[c])).toBe(true));
      }
    });

    it(`subtracts the same bytes and reports the same offsets (cells of ${cellPx} px)`, () => {
      const mRef = before.measureBackgroundCells(ref, layout, grid);
      const f = frame(w, h, planes, 2, 0.3);
      const a = matchLocalBackground(f, layout, grid, mRef);
      const b = before.matchLocalBackground(f, layout, grid, mRef);
      expect(same(a.image.data, b.image.data)).toBe(true);
      expect(a.skipped).toEqual(b.skipped);
      a.offsets.forEach((d, c) => expect(d === null ? b.offsets[c] === null : same(d, b.offsets[c]!)).toBe(true));
      // in place: the same bytes again, in the input's own array
      const g = frame(w, h, planes, 2, 0.3);
      const inPlace = matchLocalBackground(g, layout, grid, mRef, {}, true);
      expect(inPlace.image.data).toBe(g.data);
      expect(same(g.data, b.image.data)).toBe(true);
    });

    it(`gives every tile the luminance offset of luminanceOffsetOverBox (cells of ${cellPx} px)`, () => {
      const mRef = before.measureBackgroundCells(ref, layout, grid);
      const offsets = before.matchLocalBackground(frame(w, h, planes, 4, -0.4), layout, grid, mRef).offsets;
      const boxes = boxesOf(w, h, 48);
      const got = luminanceOffsetsOverBoxes(offsets, grid, boxes, layout);
      const want = boxes.map((b) => before.luminanceOffsetOverBox(offsets, grid, b, layout));
      expect(same(got, want)).toBe(true);
      expect(got.some((v) => v !== 0)).toBe(true);
      offsets.forEach((d) => expect(same(meanOffsetsOverBoxes(d, grid, boxes), boxes.map((b) => before.meanOffsetOverBox(d, grid, b)))).toBe(true));
    });
  }
});

describe('meanOffsetsOverBoxes', () => {
  const grid = cellGridOf(60, 40, 20);
  const d = Float64Array.from({ length: 6 }, (_, i) => i * 0.1);
  const boxes: Box[] = [{ x0: 0, y0: 0, w: 10, h: 10 }, { x0: 45, y0: 25, w: 15, h: 15 }];

  it('gives 0 for every box of a skipped colour (d = null)', () => {
    expect(meanOffsetsOverBoxes(null, grid, boxes)).toEqual([0, 0]);
  });

  it('follows a change of one cell only in the boxes its surface reaches (the failure twin)', () => {
    const base = meanOffsetsOverBoxes(d, grid, boxes);
    const moved = d.slice();
    moved[5] += 1; // the bottom-right cell
    const after = meanOffsetsOverBoxes(moved, grid, boxes);
    expect(after[0]).toBe(base[0]);
    expect(after[1]).toBeGreaterThan(base[1] + 0.5);
  });
});
