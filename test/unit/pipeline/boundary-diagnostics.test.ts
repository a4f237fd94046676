import { describe, expect, it } from 'vitest';
import { BoundaryMeter, SEAM_VISIBLE_SIGMA, summarizeBoundaries, type BoundaryPair } from '../../../shared/pipeline/boundary-diagnostics';
import { computeTileGrid, neighbourPairs, type Tile, type TileGrid } from '../../../shared/pipeline/tile-grid';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

function grid(w: number, h: number, t: number, o: number): TileGrid {
  return computeTileGrid(w, h, 1, { tile: { size_factor: 1, min_size: t, max_divisor: 1, overlap_fraction: o } });
}

function tileFrom(fn: (x: number, y: number) => number, t: Tile): Float32Array {
  const a = new Float32Array(t.width * t.height);
  for (let y = 0; y < t.height; y++) for (let x = 0; x < t.width; x++) a[y * t.width + x] = fn(t.x0 + x, t.y0 + y);
  return a;
}

function measure(g: TileGrid, tile: (t: Tile) => Float32Array | null): BoundaryPair[] {
  const m = new BoundaryMeter(g, 1);
  for (const t of g.tiles) m.add(t.id, tile(t));
  return m.pairs;
}

describe('BoundaryMeter', () => {
  it('measures every right/down pair over its overlap; consistent tiles give D = 0', () => {
    const g = grid(100, 70, 32, 0.25); // origins x 0,24,48,68; y 0,24,38
    const pairs = measure(g, (t) => tileFrom((x, y) => x * 0.5 + y, t));
    const key = (p: { a: number; b: number; direction: string }) => `${p.a}-${p.b}-${p.direction}`;
    expect(pairs.map(key).sort()).toEqual(neighbourPairs(g).map(key).sort());
    // measured when the second tile arrives: ascending b
    expect(pairs.map((p) => p.b)).toEqual([...pairs.map((p) => p.b)].sort((x, y) => x - y));
    const right01 = pairs.find((p) => p.a === 0 && p.b === 1)!;
    expect(right01.n).toBe(8 * 32); // overlap 8 columns x 32 rows
    const lastRight = pairs.find((p) => p.a === 2 && p.b === 3)!;
    expect(lastRight.n).toBe(12 * 32); // shifted last column: 48+32-68 = 12
    const down = pairs.find((p) => p.a === 4 && p.b === 8)!;
    expect(down.n).toBe(18 * 32); // 24+32-38
    for (const p of pairs) {
      expect(p.meanAbs).toBe(0);
      expect(p.seamSuspect).toBe(false);
    }
  });

  it('flags a level offset between neighbours as SEAM_SUSPECT, not independent noise', () => {
    // realistic overlaps (32 × 128 px): the test allows for pixels correlated by the warp kernel
    const g = grid(384, 128, 128, 0.25);
    const u = mulberry32(5);
    const gauss = gaussianSource(u);
    const noisy = measure(g, (t) => tileFrom(() => 100 + gauss(), t));
    expect(noisy.every((p) => !p.seamSuspect)).toBe(true);
    expect(noisy[0].meanAbs).toBeGreaterThan(0.5);
    const offset = measure(g, (t) => tileFrom(() => 100 + gauss() + (t.id === 1 ? 1 : 0), t));
    const p01 = offset.find((p) => p.a === 0 && p.b === 1)!;
    expect(p01.seamSuspect).toBe(true);
    expect(p01.meanD).toBeGreaterThan(0.8);
    expect(offset.find((p) => p.a === 1 && p.b === 2)!.meanD).toBeLessThan(-0.8);
  });

  it('does not flag a significant step too small to see (below SEAM_VISIBLE_SIGMA of the pixel noise)', () => {
    // neighbours that weight the frames alike: the same noise field in both, so D barely scatters
    // and even a tiny level step is significant; it is flagged only from a tenth of the noise up
    const g = grid(384, 128, 128, 0.25);
    const gauss = gaussianSource(mulberry32(7));
    const field = new Float32Array(384 * 128).map(() => 100 + gauss());
    const jitter = gaussianSource(mulberry32(8));
    const withStep = (step: number) => measure(g, (t) => tileFrom((x, y) => field[y * 384 + x] + 0.001 * jitter() + (t.id === 1 ? step : 0), t));
    const tiny = withStep(0.05).find((p) => p.a === 0 && p.b === 1)!;
    expect(tiny.meanD).toBeCloseTo(0.05, 2);
    expect(Math.abs(tiny.meanD)).toBeGreaterThan(20 * tiny.sigmaMadD); // significant…
    expect(tiny.seamSuspect).toBe(false); // …but 5 % of the noise: invisible
    const visible = withStep(0.3).find((p) => p.a === 0 && p.b === 1)!;
    expect(visible.seamSuspect).toBe(true);
    expect(SEAM_VISIBLE_SIGMA).toBe(0.1);
  });

  it('does not flag differing star profiles in a flat background (no level step)', () => {
    const g = grid(384, 128, 128, 0.25);
    const gauss = gaussianSource(mulberry32(6));
    // tile 1 sees a few "stars" brighter than tile 0 does in their overlap: large but sparse differences
    const pairs = measure(g, (t) => tileFrom((x, y) => 100 + gauss() + (t.id === 1 && x % 17 === 0 && y % 13 === 0 ? 400 : 0), t));
    const p01 = pairs.find((p) => p.a === 0 && p.b === 1)!;
    expect(p01.meanD).toBeGreaterThan(1); // the mean moves…
    expect(p01.seamSuspect).toBe(false); // …the median does not
  });

  it('skips pixels invalid in either tile and pairs of masked tiles', () => {
    const g = grid(96, 32, 32, 0.25);
    const pairs = measure(g, (t) => (t.id === 2 ? null : tileFrom((x) => (x === 25 ? Number.NaN : 1), t)));
    expect(pairs.length).toBe(1);
    expect(pairs[0].n).toBe(8 * 32 - 32);
  });

  it('records a pair without valid overlap pixels with n = 0 and no suspicion', () => {
    const g = grid(64, 32, 32, 0.25);
    const pairs = measure(g, (t) => tileFrom(() => (t.id === 0 ? Number.NaN : 1), t));
    expect(pairs[0]).toMatchObject({ n: 0, seamSuspect: false });
    expect(pairs[0].meanAbs).toBeNaN();
  });

  it('refuses tiles out of order', () => {
    const g = grid(64, 32, 32, 0.25);
    expect(() => new BoundaryMeter(g, 1).add(1, null)).toThrow(RangeError);
  });
});

describe('summarizeBoundaries', () => {
  const pair = (a: number, b: number, meanAbs: number, suspect = false): BoundaryPair => ({
    a, b, direction: 'right', n: 10, meanAbs, p95Abs: 2 * meanAbs, meanD: meanAbs, sigmaMadD: 1, seamSuspect: suspect,
  });

  it('summarizes mean and p95 over pairs, lists the top 8 by mean|D| and the suspects', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => pair(i, i + 1, i === 3 ? 9 : i, i === 3));
    const s = summarizeBoundaries(pairs, (id) => ({ fallbackUsed: id === 3, bg: id, snr: 2 * id }));
    expect(s.pairCount).toBe(10);
    expect(s.meanOfMeanAbs).toBeCloseTo((0 + 1 + 2 + 9 + 4 + 5 + 6 + 7 + 8 + 9) / 10, 12);
    expect(s.p95OfMeanAbs).toBe(9);
    expect(s.top.map((p) => p.a)).toEqual([3, 9, 8, 7, 6, 5, 4, 2]);
    expect(s.top[0].tileA).toEqual({ fallbackUsed: true, bg: 3, snr: 6 });
    expect(s.suspects.map((p) => p.a)).toEqual([3]);
  });

  it('returns NaN summaries for no measured pairs', () => {
    const s = summarizeBoundaries([]);
    expect(s.meanOfMeanAbs).toBeNaN();
    expect(s.top).toEqual([]);
  });
});
