import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampEdge, clampEdgeCfa, clipWindow, interiorSpan, NO_WINDOW, phaseAddressing, planeAddressing, rowInterior, sourceBox } from '../../../../shared/image/wasm/lanczos-tiles';

// The kernel trusts these spans to skip its border checks: a sample inside a span whose taps left
// the window would read the wrong pixels. So the spans are checked against the positions the
// kernel actually forms (repeated addition), not against the formula they are derived from.

/** Positions p0, p0 + step, ... as the mono kernel forms them: by repeated addition. */
function addedPositions(p0: number, step: number, n: number): number[] {
  const ps: number[] = [];
  for (let k = 0, p = p0; k < n; k++, p += step) ps.push(p);
  return ps;
}

describe('interiorSpan', () => {
  it('contains only samples whose floor lies in [lo, hi], and all but those within 1/64 px of a bound', () => {
    fc.assert(
      fc.property(
        fc.record({
          p0: fc.double({ min: -300, max: 300, noNaN: true }),
          step: fc.double({ min: -3, max: 3, noNaN: true }),
          lo: fc.integer({ min: -5, max: 100 }),
          len: fc.integer({ min: -3, max: 120 }),
          n: fc.integer({ min: 1, max: 600 }),
        }),
        ({ p0, step, lo, len, n }) => {
          const hi = lo + len;
          const [kLo, kHi] = interiorSpan(p0, step, lo, hi, n);
          expect(0 <= kLo && kLo <= kHi && kHi <= n).toBe(true);
          addedPositions(p0, step, n).forEach((p, k) => {
            const inside = Math.floor(p) >= lo && Math.floor(p) <= hi;
            if (k >= kLo && k < kHi) expect(inside).toBe(true);
            // outside the span: outside [lo, hi + 1) or within the margin of its ends
            else expect(!inside || p < lo + 1 / 64 || p > hi + 1 - 1 / 64).toBe(true);
          });
        },
      ),
      { numRuns: 400, seed: 21 },
    );
  });

  it('covers a whole row that stays inside, also for a step of 0', () => {
    expect(interiorSpan(10.5, 0.25, 2, 100, 50)).toEqual([0, 50]);
    expect(interiorSpan(10.5, 0, 2, 100, 50)).toEqual([0, 50]);
    expect(interiorSpan(10.5, -0.1, 2, 100, 50)).toEqual([0, 50]);
  });

  it('cuts a row that leaves the bounds on either side', () => {
    // positions 0, 1, 2, ...: floor in [2, 9] for k in [2, 9], k = 2 exactly on the bound
    expect(interiorSpan(0, 1, 2, 9, 20)).toEqual([3, 10]);
    expect(interiorSpan(19, -1, 2, 9, 20)).toEqual([10, 17]);
  });

  it('is empty outside its trusted range: non-finite or huge start or step, too many samples, empty bounds', () => {
    expect(interiorSpan(Number.NaN, 1, 2, 100, 10)).toEqual([0, 0]);
    expect(interiorSpan(5, Number.POSITIVE_INFINITY, 2, 100, 10)).toEqual([0, 0]);
    expect(interiorSpan(2 ** 24, -1, 2, 100, 10)).toEqual([0, 0]);
    expect(interiorSpan(5, 2 ** 11, 2, 100, 10)).toEqual([0, 0]);
    expect(interiorSpan(5, 0.5, 2, 100, 2 ** 16 + 1)).toEqual([0, 0]);
    expect(interiorSpan(5, 0.5, 10, 5, 10)).toEqual([0, 0]);
    expect(interiorSpan(5, 0, 10, 20, 10)).toEqual([0, 0]);
  });
});

describe('rowInterior', () => {
  // a window deep inside a 100 x 80 view, and one reaching over its edge (4 px of padding)
  const m = planeAddressing({ x0: 10, x1: 50, y0: 20, y1: 40 }, 1024);
  const edge = planeAddressing({ x0: -4, x1: 30, y0: -4, y1: 30 }, 1024);

  it('keeps floor(sx) in [x0 + 2, x1 - 4] and floor(sy) in [y0 + 2, y1 - 4] of the window', () => {
    // a row at y 30 crossing the window left to right: x from 5 in steps of 0.5
    const [kLo, kHi] = rowInterior(5, 30, 0.5, 0, 100, m, 100, 80);
    expect(5 + 0.5 * kLo).toBeGreaterThanOrEqual(12);
    expect(5 + 0.5 * (kLo - 1)).toBeLessThan(12 + 1 / 64);
    expect(Math.floor(5 + 0.5 * (kHi - 1))).toBeLessThanOrEqual(46);
    expect(5 + 0.5 * kHi).toBeGreaterThan(47 - 1 / 64);
  });

  it('reaches into the edge padding down to position 0 and up to the view edge vw - 0.5', () => {
    // x from -3 in steps of 0.25 across the left edge of a 20 px wide view
    const [kLo, kHi] = rowInterior(-3, 10, 0.25, 0, 100, edge, 20, 80);
    expect(-3 + 0.25 * kLo).toBeGreaterThanOrEqual(0);
    expect(-3 + 0.25 * (kLo - 1)).toBeLessThan(1 / 64);
    expect(-3 + 0.25 * (kHi - 1)).toBeLessThanOrEqual(19.5);
    expect(-3 + 0.25 * kHi).toBeGreaterThan(19.5 - 1 / 64);
  });

  it('is empty for a row outside the window rows, a row above the view, and an empty window', () => {
    expect(rowInterior(20, 37, 1, 0, 20, m, 100, 80)).toEqual([0, 0]);
    expect(rowInterior(5, -0.25, 1, 0, 20, edge, 100, 80)).toEqual([0, 0]);
    expect(rowInterior(20, 30, 1, 0, 20, planeAddressing(NO_WINDOW, 1024), 100, 80)).toEqual([0, 0]);
  });
});

describe('the edge padding', () => {
  it('repeats the nearest edge pixel of a plane, and of the same CFA phase', () => {
    expect([-3, -1, 0, 5, 9, 10, 12].map((i) => clampEdge(i, 10))).toEqual([0, 0, 0, 5, 9, 9, 9]);
    expect([-4, -3, -2, -1, 0, 5, 9, 10, 11, 12].map((i) => clampEdgeCfa(i, 10))).toEqual([0, 1, 0, 1, 0, 5, 9, 8, 9, 8]);
    expect([9, 10, 11].map((i) => clampEdgeCfa(i, 9))).toEqual([7, 8, 7]);
  });

  it('never leaves a CFA index on the other phase or outside the plane', () => {
    for (const n of [2, 3, 9, 10]) {
      for (let i = -8; i < n + 8; i++) {
        const j = clampEdgeCfa(i, n);
        expect(j >= 0 && j < n && (j & 1) === (i & 1)).toBe(true);
      }
    }
  });
});

describe('the window of a tile', () => {
  it('covers every position of the tile with 4 px to spare and is clipped to the plane and its padding', () => {
    const M = [0.9, 0.3, 5.5, -0.3, 0.9, 40.25];
    const [xLo, xHi, yLo, yHi] = sourceBox(M, 10, 30, 4, 12, 4);
    for (let y = 4; y < 12; y++) {
      for (let x = 10; x < 30; x++) {
        const sx = M[0] * x + M[1] * y + M[2];
        const sy = M[3] * x + M[4] * y + M[5];
        expect(Math.floor(sx) - 4 >= xLo && Math.floor(sx) + 4 < xHi && Math.floor(sy) - 4 >= yLo && Math.floor(sy) + 4 < yHi).toBe(true);
      }
    }
    expect(clipWindow([-9, 70, 5, 90], 64, 48, 0, 1 << 20)).toEqual({ x0: 0, x1: 64, y0: 5, y1: 48 });
    expect(clipWindow([-9, 70, 5, 90], 64, 48, 4, 1 << 20)).toEqual({ x0: -4, x1: 68, y0: 5, y1: 52 });
  });

  it('is NO_WINDOW when the box misses the plane (padding or not), the bounds are NaN or the window is too large', () => {
    expect(clipWindow([66, 90, 5, 9], 64, 48, 4, 1 << 20)).toBe(NO_WINDOW);
    expect(clipWindow([Number.NaN, 9, 5, 9], 64, 48, 4, 1 << 20)).toBe(NO_WINDOW);
    expect(clipWindow([0, 64, 0, 48], 64, 48, 0, 64 * 48 * 4 - 1)).toBe(NO_WINDOW);
  });

  it('addresses each CFA phase pixel of the raw window side by side', () => {
    const win = { x0: 3, x1: 10, y0: 2, y1: 7 };
    for (let i = 0; i < 4; i++) {
      const ox = i & 1;
      const oy = i >> 1;
      const m = phaseAddressing(win, ox, oy, 4096);
      const pw = m.iHi - m.iLo;
      // every raw pixel of the phase in the window, and no other, gets its own 4 bytes
      const want: number[] = [];
      for (let y = win.y0; y < win.y1; y++) for (let x = win.x0; x < win.x1; x++) if ((x & 1) === ox && (y & 1) === oy) want.push(4096 + 4 * want.length);
      const got: number[] = [];
      for (let j = m.jLo; j < m.jHi; j++) for (let ii = m.iLo; ii < m.iHi; ii++) got.push(m.wb + j * m.ysB + 4 * ii);
      expect(got).toEqual(want);
      expect(m.ysB).toBe(4 * pw);
    }
  });

  it('gives a phase without pixels in the window no range', () => {
    const m = phaseAddressing({ x0: 4, x1: 5, y0: 0, y1: 6 }, 1, 0, 0);
    expect(m.iHi - m.iLo).toBe(0);
  });
});
