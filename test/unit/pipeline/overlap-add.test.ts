import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assembleCanvas, hannWindow, OverlapAdd, tileWindow } from '../../../shared/pipeline/overlap-add';
import { computeTileGrid, type Tile, type TileGrid } from '../../../shared/pipeline/tile-grid';
import { mulberry32 } from '../../../shared/util/seed';

function grid(w: number, h: number, minSize: number, overlap: number): TileGrid {
  return computeTileGrid(w, h, 1, { tile: { size_factor: 1, min_size: minSize, max_divisor: 1, overlap_fraction: overlap } });
}

/** The tile's crop of a canvas image planes x H x W. */
function crop(img: Float32Array, g: TileGrid, planes: number, t: Tile): Float32Array {
  const out = new Float32Array(planes * t.width * t.height);
  for (let c = 0; c < planes; c++) for (let y = 0; y < t.height; y++) {
    const src = (c * g.canvasHeight + t.y0 + y) * g.canvasWidth + t.x0;
    out.set(img.subarray(src, src + t.width), (c * t.height + y) * t.width);
  }
  return out;
}

function image(kind: 'constant' | 'ramp' | 'random', w: number, h: number, planes: number, seed: number): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(planes * w * h);
  for (let c = 0; c < planes; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (c * h + y) * w + x;
    out[i] = kind === 'constant' ? 1234.5 + c : kind === 'ramp' ? 3 * x - 2 * y + 0.25 * x * 0 + 100 * c + 7 : 1000 * u() - 200;
  }
  return out;
}

describe('hannWindow', () => {
  it('is 0.5*(1 - cos(2*pi*i/(n-1))), 1 for n = 1', () => {
    const w = hannWindow(5, false, false);
    [0, 0.5, 1, 0.5, 0].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 15));
    expect(Array.from(hannWindow(1, false, false))).toEqual([1]);
  });

  it('is flat from the centre outward on a side touching the canvas edge (border rule)', () => {
    const left = hannWindow(5, true, false);
    [1, 1, 1, 0.5, 0].forEach((v, i) => expect(left[i]).toBeCloseTo(v, 15));
    const right = hannWindow(6, false, true);
    // (n-1)/2 = 2.5: indices 3, 4, 5 are flat
    expect(right[2]).toBeCloseTo(0.5 * (1 - Math.cos((2 * Math.PI * 2) / 5)), 15);
    expect(Array.from(right.subarray(3))).toEqual([1, 1, 1]);
    expect(Array.from(hannWindow(4, true, true))).toEqual([1, 1, 1, 1]);
  });

  it('is flat everywhere when the overlap is below 2 px', () => {
    expect(Array.from(hannWindow(6, false, false, true))).toEqual([1, 1, 1, 1, 1, 1]);
    const g = grid(100, 100, 40, 0.02); // O = floor(0.02*40) = 0
    expect(g.overlap).toBe(0);
    expect(tileWindow(g, g.tiles[4]).wx.every((v) => v === 1)).toBe(true);
  });
});

describe('OverlapAdd', () => {
  it('reproduces constant, ramp and random images exactly on every pixel, edges included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 140 }),
        fc.integer({ min: 10, max: 140 }),
        fc.integer({ min: 16, max: 48 }),
        fc.constantFrom(0, 0.05, 0.1, 0.25, 0.33, 0.5),
        fc.constantFrom(1, 3),
        fc.constantFrom('constant' as const, 'ramp' as const, 'random' as const),
        fc.integer({ min: 0, max: 1000 }),
        (w, h, tsize, o, planes, kind, seed) => {
          const g = grid(w, h, tsize, o);
          const img = image(kind, w, h, planes, seed);
          const out = assembleCanvas(g, planes, (id) => crop(img, g, planes, g.tiles[id]));
          for (let i = 0; i < img.length; i++) {
            const tol = kind === 'random' ? 1e-6 * Math.max(1, Math.abs(img[i])) : 0;
            if (Math.abs(out[i] - img[i]) > tol) throw new Error(`pixel ${i}: ${out[i]} != ${img[i]} (W ${w}, H ${h}, T ${g.tileSize}, O ${g.overlap})`);
          }
        },
      ),
      { seed: 2024, numRuns: 120 },
    );
  });

  it('covers canvases not a multiple of S with tiles at all four edges', () => {
    const g = grid(101, 77, 32, 0.25); // T 32, O 8, S 24: origins 0,24,48,69 and 0,24,45
    expect(g.xOrigins).toEqual([0, 24, 48, 69]);
    expect(g.yOrigins).toEqual([0, 24, 45]);
    const img = image('ramp', 101, 77, 1, 0);
    const out = assembleCanvas(g, 1, (id) => crop(img, g, 1, g.tiles[id]));
    for (const i of [0, 100, 76 * 101, 76 * 101 + 100, 50 * 101, 50 * 101 + 100, 38, 76 * 101 + 38]) expect(out[i]).toBe(img[i]);
    expect(out).toEqual(img);
  });

  it('emits contiguous row bands in order while holding at most one tile height of rows', () => {
    const g = grid(90, 130, 24, 0.25);
    const img = image('random', 90, 130, 1, 5);
    const ola = new OverlapAdd(g, 1);
    expect(ola.bufferedRows).toBe(24);
    let next = 0;
    for (const t of g.tiles) {
      const bands = ola.add(t.id, crop(img, g, 1, t));
      if (t.col !== g.cols - 1) expect(bands).toEqual([]);
      for (const b of bands) {
        expect(b.y0).toBe(next);
        for (let i = 0; i < b.data.length; i++) expect(Math.abs(b.data[i] - img[b.y0 * 90 + i])).toBeLessThan(1e-3);
        next += b.height;
      }
    }
    expect(next).toBe(130);
    expect(ola.done).toBe(true);
  });

  it('handles a single-tile canvas (T larger than the canvas)', () => {
    const g = computeTileGrid(30, 20, 3, { tile: { size_factor: 32, min_size: 64, max_divisor: 6, overlap_fraction: 0.25 } });
    expect(g.tiles.length).toBe(1);
    const img = image('random', 30, 20, 3, 9);
    expect(assembleCanvas(g, 3, () => img)).toEqual(img);
  });

  it('fills NaN pixels of one tile from its neighbour and leaves pixels no tile covers NaN', () => {
    const g = grid(60, 30, 30, 0.5); // T 30, O 15, x origins 0, 15, 30; one row
    const img = image('ramp', 60, 30, 1, 0);
    const out = assembleCanvas(g, 1, (id) => {
      const t = crop(img, g, 1, g.tiles[id]);
      if (id === 1) t.fill(Number.NaN);
      if (id === 2) t[5 * 30 + 2] = Number.NaN; // canvas (32, 5): tile 1 is NaN too -> weight from tile 2 only... gone
      return t;
    });
    expect(out[10 * 60 + 20]).toBe(img[10 * 60 + 20]); // tile 1 NaN, tile 0 covers it
    expect(out[5 * 60 + 32]).toBeNaN(); // only tiles 1 and 2 cover x = 32
    const masked = assembleCanvas(g, 1, (id) => (id === 2 ? null : crop(img, g, 1, g.tiles[id])));
    expect(masked[40]).toBe(img[40]); // tile 1 index 25: Hann weight > 0
    expect(masked[44]).toBeNaN(); // tile 1's last column has weight 0 and tile 2 is masked
    expect(masked[59]).toBeNaN(); // x >= 45 is covered by tile 2 only
  });

  it('does not normalize tiles in the output path: per-tile offsets survive as a blended level', () => {
    const g = grid(60, 20, 20, 0.25);
    const out = assembleCanvas(g, 1, (id) => new Float32Array(g.tiles[id].width * g.tiles[id].height).fill(10 * id));
    expect(out[0]).toBe(0);
    expect(out[59]).toBe(10 * (g.tiles.length - 1));
  });

  it('tile normalization variant: (X - bg_t)/m_t, restored with median m and median bg', () => {
    const g = grid(75, 20, 20, 0.25); // 5 tiles: origins 0, 15, 30, 45, 55
    const n = g.tiles.length;
    const img = image('ramp', 75, 20, 1, 0);
    const bg = Array.from({ length: n }, (_, t) => 5 * t);
    const m = Array.from({ length: n }, (_, t) => 1 + t);
    const medBg = [...bg].sort((a, b) => a - b)[(n - 1) >> 1];
    const medM = [...m].sort((a, b) => a - b)[(n - 1) >> 1];
    expect(n % 2).toBe(1);
    const out = assembleCanvas(
      g,
      1,
      (id) => crop(img, g, 1, g.tiles[id]).map((v) => v * m[id] + bg[id]),
      { tileNormalization: { bg: [bg], m } },
    );
    for (let i = 0; i < img.length; i++) expect(out[i]).toBeCloseTo(img[i] * medM + medBg, 3);
    // m_t below eps_median: subtract only
    const flat = assembleCanvas(g, 1, (id) => crop(img, g, 1, g.tiles[id]).map((v) => v + bg[id]), { tileNormalization: { bg: [bg], m: new Array(n).fill(0) } });
    for (let i = 0; i < img.length; i++) expect(flat[i]).toBeCloseTo(medBg + img[i] * 0, 3);
  });

  it('tile normalization on a mosaic subtracts each CFA colour its own bg_t', () => {
    const g = grid(40, 20, 20, 0.25);
    const n = g.tiles.length;
    const colourLevel = [100, 200, 300];
    const bg = colourLevel.map((l) => new Array(n).fill(l));
    const out = assembleCanvas(
      g,
      1,
      (id) => {
        const t = g.tiles[id];
        const a = new Float32Array(t.width * t.height);
        for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) {
          const X = t.x0 + x, Y = t.y0 + y;
          a[y * t.width + x] = colourLevel[(X & 1) + (Y & 1)]; // RGGB: R=0, G=1, B=2
        }
        return a;
      },
      { tileNormalization: { bg, m: new Array(n).fill(1), cfa: 'RGGB' } },
    );
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) expect(out[y * 40 + x]).toBeCloseTo(colourLevel[(x & 1) + (y & 1)], 4);
  });

  it('refuses tiles out of order, of the wrong size, or a wrong bg vector count', () => {
    const g = grid(60, 20, 20, 0.25);
    const ola = new OverlapAdd(g, 1);
    expect(() => ola.add(1, new Float32Array(400))).toThrow(/expected tile 0/);
    expect(() => ola.add(0, new Float32Array(10))).toThrow(RangeError);
    expect(() => new OverlapAdd(g, 3, { tileNormalization: { bg: [[1]], m: [1] } })).toThrow(RangeError);
  });
});
