import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dilateDisk, median3x3 } from '../../../shared/image/filters';
import { dilateDiskByRuns, median3x3BySortedColumns, median3x3Rows } from '../../../shared/image/rank-filters';
import { mulberry32 } from '../../../shared/util/seed';

const FC = { seed: 20241126, numRuns: 60 };

/** The definition: a pixel is set if any set pixel lies within the disk dx^2 + dy^2 <= r^2. */
function dilateNaive(m: Uint8Array, w: number, h: number, r: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let dy = -r; dy <= r && !v; dy++)
        for (let dx = -r; dx <= r; dx++) {
          const sx = x + dx;
          const sy = y + dy;
          if (dx * dx + dy * dy <= r * r && sx >= 0 && sy >= 0 && sx < w && sy < h && m[sy * w + sx]) v = 1;
        }
      out.push(v);
    }
  return out;
}

/** The definition: sort the 9 edge-replicated values, NaN if any is not finite. */
function medianNaive(p: ArrayLike<number>, w: number, h: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const win: number[] = [];
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) win.push(p[Math.min(h - 1, Math.max(0, y + dy)) * w + Math.min(w - 1, Math.max(0, x + dx))]);
      out.push(win.every((v) => Number.isFinite(v)) ? win.sort((a, b) => a - b)[4] : NaN);
    }
  return out;
}

describe('dilateDiskByRuns', () => {
  it('sets exactly the pixels within the disk of a set pixel, runs and edges included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 5 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (w, h, r, density, seed) => {
          const rnd = mulberry32(seed);
          const m = new Uint8Array(w * h);
          for (let i = 0; i < m.length; i++) m[i] = rnd() < density ? 1 : 0;
          const got = Array.from(dilateDiskByRuns(m, w, h, r));
          expect(got).toEqual(dilateNaive(m, w, h, r));
          expect(got).toEqual(Array.from(dilateDisk(m, w, h, r)));
        },
      ),
      FC,
    );
  });

  it('grows a single pixel into the radius-3 disk (29 pixels) and leaves an empty mask empty', () => {
    const m = new Uint8Array(11 * 11);
    m[5 * 11 + 5] = 1;
    const out = dilateDiskByRuns(m, 11, 11, 3);
    expect(out.reduce((s, v) => s + v, 0)).toBe(29);
    expect(out[5 * 11 + 8]).toBe(1);
    expect(out[8 * 11 + 8]).toBe(0);
    expect(dilateDiskByRuns(new Uint8Array(16), 4, 4, 3).every((v) => v === 0)).toBe(true);
  });

  it('reads a mask that is an unaligned view into a larger buffer', () => {
    const backing = new Uint8Array(1 + 40 * 9);
    const m = backing.subarray(1);
    m[4 * 40 + 20] = 1;
    expect(Array.from(dilateDiskByRuns(m, 40, 9, 2))).toEqual(dilateNaive(m, 40, 9, 2));
  });

  it('treats any non-zero byte as set and never mutates its input', () => {
    const m = Uint8Array.of(0, 0, 7, 0, 0);
    expect(Array.from(dilateDiskByRuns(m, 5, 1, 1))).toEqual([0, 1, 1, 1, 0]);
    expect(Array.from(m)).toEqual([0, 0, 7, 0, 0]);
  });

  it('rejects a negative or fractional radius and a mask smaller than w x h', () => {
    expect(() => dilateDiskByRuns(new Uint8Array(4), 2, 2, -1)).toThrow(RangeError);
    expect(() => dilateDiskByRuns(new Uint8Array(4), 2, 2, 1.5)).toThrow(RangeError);
    expect(() => dilateDiskByRuns(new Uint8Array(3), 2, 2, 1)).toThrow(RangeError);
  });
});

describe('median3x3BySortedColumns', () => {
  it('equals the sorted 3x3 window (edge-replicated) on random planes with ties and NaN', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(0, 0.02, 0.2),
        (w, h, seed, nanShare) => {
          const rnd = mulberry32(seed);
          const p = new Float32Array(w * h);
          // few distinct values make ties common; signs and a scale make the order non-trivial
          for (let i = 0; i < p.length; i++) p[i] = rnd() < nanShare ? NaN : (Math.floor(rnd() * 7) - 3) * 1.5;
          const got = Array.from(median3x3BySortedColumns(p, w, h));
          expect(got).toEqual(medianNaive(p, w, h));
          expect(got).toEqual(Array.from(median3x3(p, w, h)));
        },
      ),
      FC,
    );
  });

  it('removes a single hot pixel and keeps a smooth ramp, and marks windows touching Infinity', () => {
    const ramp = Float32Array.from({ length: 25 }, (_, i) => i);
    const hot = new Float32Array(25).fill(3);
    hot[12] = 1e6;
    expect(Array.from(median3x3BySortedColumns(hot, 5, 5)).every((v) => v === 3)).toBe(true);
    expect(Array.from(median3x3BySortedColumns(ramp, 5, 5)).slice(6, 9)).toEqual([6, 7, 8]);
    const inf = ramp.slice();
    inf[0] = Infinity;
    const out = median3x3BySortedColumns(inf, 5, 5);
    expect(out[0]).toBeNaN();
    expect(out[6]).toBeNaN();
    expect(out[12]).toBe(12);
  });

  it('stays exact when magnitudes span more than 2^28 (the comparison path) and at that limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(-40, -29, -28, -27, -10), (seed, exponent) => {
        const rnd = mulberry32(seed);
        const w = 13;
        const h = 11;
        // values 1 + k/8 next to values 2^exponent * (1 + k/8): min/max by arithmetic would round
        // 1 + 2^-40, so only the comparison path gets those right
        const p = new Float32Array(w * h);
        for (let i = 0; i < p.length; i++) p[i] = (rnd() < 0.5 ? 1 : 2 ** exponent) * (1 + Math.floor(rnd() * 8) / 8) * (rnd() < 0.3 ? -1 : 1);
        expect(Array.from(median3x3BySortedColumns(p, w, h))).toEqual(medianNaive(p, w, h));
      }),
      FC,
    );
  });

  it('takes float64 inputs that are not float32 values without losing bits (the comparison path)', () => {
    // 53-bit values: (1 + 2^-52) + 2 rounds in float64, so arithmetic min/max would be wrong
    const p = Float64Array.from({ length: 42 }, (_, i) => (1 + (i % 4) * 2 ** -52) * (1 + (i % 3)));
    expect(Array.from(median3x3BySortedColumns(p, 7, 6))).toEqual(medianNaive(p, 7, 6).map((v) => Math.fround(v)));
  });

  it('rejects a plane smaller than w x h', () => {
    expect(() => median3x3BySortedColumns(new Float32Array(5), 3, 2)).toThrow(RangeError);
  });
});

describe('median3x3Rows', () => {
  it('writes the rows of median3x3BySortedColumns in any order, at any offset, for odd and even widths', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (w, h, seed) => {
        const rnd = mulberry32(seed);
        const p = Float32Array.from({ length: w * h }, () => (rnd() < 0.05 ? NaN : Math.floor(rnd() * 5) * 0.75));
        const write = median3x3Rows(p, w, h);
        const out = new Float32Array(w * h + 3);
        const rows = Array.from({ length: h }, (_, y) => y).sort(() => rnd() - 0.5);
        for (const y of rows) write(y, out, 3 + y * w);
        expect(Array.from(out.subarray(3))).toEqual(medianNaive(p, w, h));
        expect(Array.from(out.subarray(0, 3))).toEqual([0, 0, 0]);
      }),
      FC,
    );
  });

  it('rejects a plane smaller than w x h before any row is asked for', () => {
    expect(() => median3x3Rows(new Float32Array(5), 3, 2)).toThrow(RangeError);
  });
});
