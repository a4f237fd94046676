import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureLocalMetrics, measureTileMetrics, TILE_METRIC_KEYS, type TileMetrics } from '../../../shared/pipeline/local-metrics';
import { type Box } from '../../../shared/pipeline/background';
import { tileStatsKernel } from '../../../shared/image/wasm/tile-stats';
import { mulberry32 } from '../../../shared/util/seed';
import { makeSky, starGrid } from './sky-fixture';

// The WebAssembly tile statistics (image/wasm/tile-stats.ts) are a speed-up of the JS definition:
// every value of every TileMetrics must be the same double ('auto' against 'js'), on frames with
// stars, ADU-like ties, invalid borders and holes, tiles below 50 % valid, constant tiles, odd
// tile sizes and overlapping tiles (the star shape cache).

/** The metrics as exact strings (Object.is semantics: -0, NaN and every bit of a double count). */
function exact(row: ReadonlyArray<TileMetrics | null>): string[] {
  return row.map((m) => (m ? TILE_METRIC_KEYS.map((k) => (Object.is(m[k], -0) ? '-0' : String(m[k]))).join(' ') : 'missing'));
}

interface FrameSpec {
  w: number;
  h: number;
  seed: number;
  /** integer-valued (ADU) pixels: many ties */
  adu: boolean;
  /** invalid left/top border (px) */
  border: number;
  /** share of random invalid pixels */
  holes: number;
  /** a constant block */
  flat: boolean;
}

function frame(s: FrameSpec): { width: number; height: number; data: Float32Array } {
  const data = makeSky(s.w, s.h, { bg: s.adu ? 1000 : 1, noise: s.adu ? 12 : 0.01, seed: s.seed, gx: 1e-4, stars: starGrid(s.w, s.h, 17, 6, s.adu ? 4000 : 4, 1.4) });
  const u = mulberry32(s.seed + 7);
  for (let y = 0; y < s.h; y++)
    for (let x = 0; x < s.w; x++) {
      const i = y * s.w + x;
      if (s.adu) data[i] = Math.round(data[i]);
      if (s.flat && x > s.w / 2 && y > s.h / 2) data[i] = s.adu ? 1000 : 1;
      if (x < s.border || y < s.border || u() < s.holes) data[i] = Number.NaN;
    }
  return { width: s.w, height: s.h, data };
}

function grid(w: number, h: number, t: number, stride: number): Box[] {
  const boxes: Box[] = [];
  for (let y0 = 0; y0 + t <= h; y0 += stride) for (let x0 = 0; x0 + t <= w; x0 += stride) boxes.push({ x0, y0, w: t, h: t });
  return boxes;
}

describe('local metrics through the WebAssembly kernel', () => {
  it('runs here (Node has WebAssembly SIMD), so the comparisons below compare two implementations', () => {
    expect(tileStatsKernel()).not.toBeNull();
  });

  it('gives every TileMetrics value of the JS definition on random frames', () => {
    fc.assert(
      fc.property(
        fc.record({
          w: fc.integer({ min: 60, max: 170 }),
          h: fc.integer({ min: 60, max: 150 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
          adu: fc.boolean(),
          border: fc.constantFrom(0, 3, 40),
          holes: fc.constantFrom(0, 0.002, 0.3),
          flat: fc.boolean(),
        }),
        fc.integer({ min: 23, max: 57 }),
        (spec, t) => {
          const y = frame(spec);
          const boxes = grid(spec.w, spec.h, t, t - Math.floor(t / 4));
          const offsets = boxes.map((_, i) => (i % 3) * 0.25);
          const auto = measureLocalMetrics(y, boxes, 2.2, offsets);
          const js = measureLocalMetrics(y, boxes, 2.2, offsets, 'js');
          expect(exact(auto)).toEqual(exact(js));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('agrees on the bench tile size (110 px, 27 px overlap) with missing, partly invalid and constant tiles', () => {
    const y = frame({ w: 300, h: 250, seed: 11, adu: true, border: 70, holes: 0.001, flat: true });
    const boxes = grid(300, 250, 110, 83);
    const auto = measureLocalMetrics(y, boxes, 2.75);
    const js = measureLocalMetrics(y, boxes, 2.75, undefined, 'js');
    expect(exact(auto)).toEqual(exact(js));
    expect(auto.filter((m) => m === null).length).toBeGreaterThan(0);
    expect(auto.filter((m) => m !== null && m.nstar > 0).length).toBeGreaterThan(0);
  });

  it('agrees on a constant tile (sigma 0, S 0) and on a tile of one invalid pixel short of half', () => {
    const flat = { width: 64, height: 64, data: new Float32Array(64 * 64).fill(3) };
    const box = { x0: 0, y0: 0, w: 64, h: 64 };
    expect(exact([measureTileMetrics(flat, box, 3)])).toEqual(exact([measureTileMetrics(flat, box, 3, 0, 'js')]));
    const half = frame({ w: 64, h: 64, seed: 4, adu: false, border: 0, holes: 0, flat: false });
    for (let i = 0; i < 64 * 32 - 1; i++) half.data[i] = Number.NaN;
    const m = measureTileMetrics(half, box, 3);
    expect(m).not.toBeNull();
    expect(exact([m])).toEqual(exact([measureTileMetrics(half, box, 3, 0, 'js')]));
    half.data[64 * 32 - 1] = Number.NaN;
    half.data[64 * 32] = Number.NaN;
    expect(measureTileMetrics(half, box, 3)).toBeNull();
  });

  it('tells different frames apart (the comparison can fail): one pixel changed changes a metric', () => {
    const y = frame({ w: 80, h: 80, seed: 5, adu: false, border: 0, holes: 0, flat: false });
    const box = { x0: 0, y0: 0, w: 80, h: 80 };
    const before = exact([measureTileMetrics(y, box, 2.2)]);
    const edited = { ...y, data: Float32Array.from(y.data) };
    edited.data[40 * 80 + 40] += 0.5;
    expect(exact([measureTileMetrics(edited, box, 2.2, 0, 'js')])).not.toEqual(before);
  });
});
