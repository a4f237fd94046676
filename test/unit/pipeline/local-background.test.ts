import { describe, expect, it } from 'vitest';
import { type Image } from '../../../shared/image/image';
import {
  backgroundOffsetGrid,
  cellGridOf,
  localBackgroundCellPx,
  luminanceOffsetOverBox,
  matchLocalBackground,
  meanOffsetOverBox,
  offsetSurface,
} from '../../../shared/pipeline/local-background';
import { makeSky, starGrid, type SkyStar } from './sky-fixture';

const mono = (data: Float32Array, w: number, h = w): Image => ({ width: w, height: h, planes: 1, data });

describe('localBackgroundCellPx', () => {
  it('uses cell_px when set, else max(2T, ceil(min(W, H)/16))', () => {
    expect(localBackgroundCellPx(48, 64, 4000, 3000)).toBe(48);
    expect(localBackgroundCellPx(0, 64, 4000, 3000)).toBe(188);
    expect(localBackgroundCellPx(0, 64, 1000, 800)).toBe(128);
  });
});

describe('backgroundOffsetGrid', () => {
  const grid = cellGridOf(40, 30, 10); // 4 x 3 cells
  it('fills holes from the nearest defined cell (Chebyshev, ties row-major), then takes a 3x3 median', () => {
    const ref = new Float64Array(12).fill(0);
    const f = Float64Array.from([1, NaN, NaN, 2, NaN, NaN, NaN, NaN, 5, NaN, NaN, 9]);
    // fill: cell 1 -> 0 (dist 1, first), cell 2 -> 3 (dist 1), cell 5 -> 0 (tie 0/8?... dist 1 to 0, 1 to 8 -> row-major 0)
    const d = backgroundOffsetGrid(f, ref, grid)!;
    expect(d).not.toBeNull();
    // a constant field stays constant; here just check the values are drawn from the defined ones
    expect(Array.from(d).every((v) => [1, 2, 5, 9].includes(v))).toBe(true);
  });
  it('fills a single hole by the first of the equally near cells in row-major order', () => {
    const g = cellGridOf(30, 10, 10); // 3 x 1
    const d = backgroundOffsetGrid(Float64Array.from([4, NaN, 8]), new Float64Array(3), g);
    expect(d).toBeNull(); // only 2 defined cells
    const g2 = cellGridOf(50, 10, 10); // 5 x 1: holes at 2 -> 1 (dist 1, before 3)
    const d2 = backgroundOffsetGrid(Float64Array.from([1, 2, NaN, 10, 20]), new Float64Array(5), g2)!;
    // filled [1, 2, 2, 10, 20]; 3x3 median with edge replicate (1 row: rows replicated 3 times)
    expect(Array.from(d2)).toEqual([1, 2, 2, 10, 20]);
  });
  it('removes a single outlier cell with the 3x3 median', () => {
    const g = cellGridOf(30, 30, 10);
    const f = new Float64Array(9).fill(0.5);
    f[4] = 10;
    expect(Array.from(backgroundOffsetGrid(f, new Float64Array(9), g)!).every((v) => v === 0.5)).toBe(true);
  });
  it('subtracts the reference and skips with fewer than 4 cells defined in both', () => {
    const ref = Float64Array.from([1, 1, NaN, NaN, 1, 1, 1, 1, 1, 1, 1, 1]);
    const f = Float64Array.from([3, 3, 3, 3, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN]);
    expect(backgroundOffsetGrid(f, ref, grid)).toBeNull();
    const f2 = Float64Array.from([3, 3, 3, 3, 3, 3, NaN, NaN, NaN, NaN, NaN, NaN]);
    expect(Array.from(backgroundOffsetGrid(f2, ref, grid)!).every((v) => v === 2)).toBe(true);
  });
});

describe('offsetSurface', () => {
  it('interpolates bilinearly between cell centres and is constant outside them', () => {
    const grid = cellGridOf(20, 10, 10); // centres x = 4.5, 14.5; y = 4.5
    const s = offsetSurface(Float64Array.from([0, 10]), grid, { x0: 0, y0: 0, w: 20, h: 10 });
    expect(s[0]).toBe(0);
    expect(s[4]).toBe(0);
    expect(s[5]).toBeCloseTo(0.5, 12);
    expect(s[9 * 20 + 10]).toBeCloseTo(5.5, 12);
    expect(s[19]).toBe(10);
    expect(meanOffsetOverBox(Float64Array.from([0, 10]), grid, { x0: 5, y0: 0, w: 10, h: 10 })).toBeCloseTo(5, 12);
    expect(meanOffsetOverBox(null, grid, { x0: 0, y0: 0, w: 5, h: 5 })).toBe(0);
  });
  it('uses the centre of a smaller edge cell', () => {
    const grid = cellGridOf(25, 10, 10); // centres 4.5, 14.5, 22
    const s = offsetSurface(Float64Array.from([0, 0, 15]), grid, { x0: 0, y0: 0, w: 25, h: 1 });
    expect(s[22]).toBe(15);
    expect(s[18]).toBeCloseTo((15 * 3.5) / 7.5, 12);
  });
});

describe('offsetSurface, meanOffsetOverBox and the subtraction agree exactly', () => {
  /** D at one pixel straight from the definition: lerp along x on both cell rows, then along y. */
  function surfaceAt(d: Float64Array, grid: ReturnType<typeof cellGridOf>, px: number, py: number): number {
    const axis = (p: number, size: number, cells: number) => {
      const centre = (i: number) => i * grid.cellPx + (Math.min(grid.cellPx, size - i * grid.cellPx) - 1) / 2;
      if (p <= centre(0)) return { lo: 0, hi: 0, t: 0 };
      if (p >= centre(cells - 1)) return { lo: cells - 1, hi: cells - 1, t: 0 };
      let i = Math.min(cells - 2, Math.floor(p / grid.cellPx));
      if (centre(i) > p) i--;
      return { lo: i, hi: i + 1, t: (p - centre(i)) / (centre(i + 1) - centre(i)) };
    };
    const sx = axis(px, grid.width, grid.cols);
    const sy = axis(py, grid.height, grid.rows);
    const at = (r: number, c: number) => d[r * grid.cols + c];
    const top = at(sy.lo, sx.lo) + sx.t * (at(sy.lo, sx.hi) - at(sy.lo, sx.lo));
    const bottom = at(sy.hi, sx.lo) + sx.t * (at(sy.hi, sx.hi) - at(sy.hi, sx.lo));
    return top + sy.t * (bottom - top);
  }
  const grid = cellGridOf(70, 45, 16); // 5 x 3 cells, smaller edge cells
  const d = Float64Array.from({ length: 15 }, (_, i) => Math.sin(i * 1.7) * 0.3);
  const box = { x0: 5, y0: 3, w: 57, h: 39 };

  it('evaluates the surface at every pixel of a box as the per-pixel definition does, bit for bit', () => {
    const s = offsetSurface(d, grid, box);
    for (let y = 0; y < box.h; y++) for (let x = 0; x < box.w; x++) expect(s[y * box.w + x]).toBe(surfaceAt(d, grid, box.x0 + x, box.y0 + y));
  });
  it('averages the surface over a box by one running sum in pixel order', () => {
    const s = offsetSurface(d, grid, box);
    let sum = 0;
    for (const v of s) sum += v;
    expect(meanOffsetOverBox(d, grid, box)).toBe(sum / s.length);
    expect(meanOffsetOverBox(d, grid, { ...box, w: 0 })).toBe(0);
  });
  it('subtracts exactly that surface from each colour of a frame', () => {
    const layout = { colorMode: 'OSC' as const, pattern: 'GRBG' as const };
    const data = makeSky(70, 45, { bg: 1, noise: 0.01, seed: 9 });
    const mRef = matchLocalBackground(mono(data, 70, 45), layout, grid, null).cells;
    const shifted = Float32Array.from(data, (v, i) => v + 0.002 * (i % 70) - 0.001 * Math.floor(i / 70));
    const r = matchLocalBackground(mono(shifted, 70, 45), layout, grid, mRef);
    const whole = { x0: 0, y0: 0, w: 70, h: 45 };
    const surfaces = r.offsets.map((o) => offsetSurface(o!, grid, whole));
    const colourAt = (x: number, y: number) => (y % 2 === 0 ? (x % 2 === 0 ? 1 : 0) : x % 2 === 0 ? 2 : 1); // GRBG
    for (let i = 0; i < shifted.length; i++) {
      const c = colourAt(i % 70, Math.floor(i / 70));
      expect(r.image.data[i]).toBe(Math.fround(shifted[i] - surfaces[c][i]));
    }
    // in place: the same values, written into the input frame
    const own = shifted.slice();
    const again = matchLocalBackground(mono(own, 70, 45), layout, grid, mRef, {}, true);
    expect(again.image.data).toBe(own);
    expect(Array.from(own)).toEqual(Array.from(r.image.data));
  });
});

/** Aperture flux of a star (r = 5) minus the median of an annulus (8..12 px). */
function apertureFlux(d: Float32Array, w: number, s: SkyStar): number {
  const ring: number[] = [];
  let sum = 0;
  let n = 0;
  for (let y = Math.round(s.y) - 12; y <= Math.round(s.y) + 12; y++)
    for (let x = Math.round(s.x) - 12; x <= Math.round(s.x) + 12; x++) {
      const r2 = (x - s.x) ** 2 + (y - s.y) ** 2;
      if (r2 <= 25) (sum += d[y * w + x]), n++;
      else if (r2 >= 64 && r2 <= 144) ring.push(d[y * w + x]);
    }
  ring.sort((a, b) => a - b);
  return sum - n * ring[ring.length >> 1];
}

describe('matchLocalBackground', () => {
  const w = 256;
  const stars = starGrid(w, w, 40, 20, 20, 1.5);
  const grid = cellGridOf(w, w, 32);
  const ref = mono(makeSky(w, w, { bg: 1, noise: 0.003, seed: 11, stars }), w);
  // same noise realisation in both frames: their difference is exactly the injected gradient
  const amplitude = 0.1; // gradient difference across the frame
  const moving = mono(makeSky(w, w, { bg: 1, noise: 0.003, seed: 11, stars, gx: amplitude / w }), w);

  it('leaves the reference frame as it is and returns its cells', () => {
    const r = matchLocalBackground(ref, { colorMode: 'MONO' }, grid, null);
    expect(Array.from(r.image.data)).toEqual(Array.from(ref.data));
    expect(r.cells[0].length).toBe(64);
    expect(r.skipped).toEqual([false]);
  });
  it('removes an injected gradient difference to < 1 % of its amplitude between the outer cell centres (property 12)', () => {
    const mRef = matchLocalBackground(ref, { colorMode: 'MONO' }, grid, null).cells;
    const r = matchLocalBackground(moving, { colorMode: 'MONO' }, grid, mRef);
    // the first and last cell centres are at x = 15.5 and 239.5; D is constant beyond them
    let worst = 0;
    for (let y = 0; y < w; y++)
      for (let x = 16; x <= 239; x++) worst = Math.max(worst, Math.abs(r.image.data[y * w + x] - ref.data[y * w + x]));
    expect(worst).toBeLessThan(0.01 * amplitude);
    // and the unmatched frame really did differ
    expect(Math.abs(moving.data[10 * w + 250] - ref.data[10 * w + 250])).toBeGreaterThan(0.03);
  });
  it('keeps star fluxes within 0.5 %', () => {
    const mRef = matchLocalBackground(ref, { colorMode: 'MONO' }, grid, null).cells;
    const r = matchLocalBackground(moving, { colorMode: 'MONO' }, grid, mRef);
    for (const s of stars) {
      const truth = apertureFlux(ref.data, w, s);
      expect(Math.abs(apertureFlux(r.image.data, w, s) / truth - 1)).toBeLessThan(0.005);
    }
  });
  it('matches each CFA colour with its own offset and weights the luminance offset 0.25/0.5/0.25', () => {
    const n = 128;
    const g = cellGridOf(n, n, 32);
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    const base = makeSky(n, n, { bg: 1, noise: 0.002, seed: 2 });
    const shifted = base.slice();
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) shifted[y * n + x] += y % 2 === 0 && x % 2 === 0 ? 0.2 : y % 2 === 1 && x % 2 === 1 ? -0.1 : 0;
    const mRef = matchLocalBackground(mono(base, n), layout, g, null).cells;
    const r = matchLocalBackground(mono(shifted, n), layout, g, mRef);
    const box = { x0: 0, y0: 0, w: n, h: n };
    const means = r.offsets.map((d) => meanOffsetOverBox(d, g, box));
    expect(means[0]).toBeCloseTo(0.2, 3);
    expect(means[1]).toBeCloseTo(0, 3);
    expect(means[2]).toBeCloseTo(-0.1, 3);
    expect(luminanceOffsetOverBox(r.offsets, g, box, layout)).toBeCloseTo(0.25 * 0.2 - 0.25 * 0.1, 3);
    let maxErr = 0;
    for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(r.image.data[i] - base[i]));
    expect(maxErr).toBeLessThan(0.003);
  });
  it('skips (with the flag) a frame whose valid sky covers fewer than 4 cells', () => {
    const mRef = matchLocalBackground(ref, { colorMode: 'MONO' }, grid, null).cells;
    const holey = moving.data.slice();
    for (let i = 0; i < holey.length; i++) if (i % w >= 36 || Math.floor(i / w) >= 36) holey[i] = NaN;
    const r = matchLocalBackground(mono(holey, w), { colorMode: 'MONO' }, grid, mRef);
    expect(r.skipped).toEqual([true]);
    expect(r.offsets).toEqual([null]);
    expect(r.image.data[0]).toBe(holey[0]);
  });
});
