import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAYER_PATTERNS, bayerColorAt, type Image } from '../../../shared/image/image';
import { colourPixelCount, colourRuns, colourValues, forEachColourPixel, forEachColourRun, type Box, type ColourLayout } from '../../../shared/pipeline/background';

/** The definition: every pixel of the box in row-major order whose colour is c. */
function naivePixels(img: Image, layout: ColourLayout, c: number, box: Box): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const x0 = Math.max(0, box.x0);
  const y0 = Math.max(0, box.y0);
  const x1 = Math.min(img.width, box.x0 + box.w);
  const y1 = Math.min(img.height, box.y0 + box.h);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * img.width + x;
      if (layout.colorMode === 'OSC') {
        if (bayerColorAt(layout.pattern!, x, y) === c) out.push([p, p]);
      } else out.push([(layout.colorMode === 'RGB' ? c * img.width * img.height : 0) + p, p]);
    }
  }
  return out;
}

const layouts: ColourLayout[] = [{ colorMode: 'MONO' }, { colorMode: 'RGB' }, ...BAYER_PATTERNS.map((pattern) => ({ colorMode: 'OSC' as const, pattern }))];

/** width, height, box x0, y0, w, h (partly outside the image or empty) and a colour layout. */
const imageBoxCase = [
  fc.integer({ min: 1, max: 9 }),
  fc.integer({ min: 1, max: 7 }),
  fc.integer({ min: -2, max: 9 }),
  fc.integer({ min: -2, max: 7 }),
  fc.integer({ min: 0, max: 10 }),
  fc.integer({ min: 0, max: 8 }),
  fc.constantFrom(...layouts),
] as const;

describe('forEachColourRun', () => {
  it('visits exactly the pixels of colour c in the box, in row-major order, for every layout and box', () => {
    fc.assert(
      fc.property(
        ...imageBoxCase,
        (width, height, bx, by, bw, bh, layout) => {
          const planes = layout.colorMode === 'RGB' ? 3 : 1;
          const img: Image = { width, height, planes, data: new Float32Array(width * height * planes) };
          const box = { x0: bx, y0: by, w: bw, h: bh };
          for (let c = 0; c < (layout.colorMode === 'MONO' ? 1 : 3); c++) {
            const seen: Array<[number, number]> = [];
            forEachColourPixel(img, layout, c, (i, p) => seen.push([i, p]), box);
            const want = naivePixels(img, layout, c, box);
            expect(seen).toEqual(want);
            expect(colourPixelCount(img, layout, c, box)).toBe(want.length);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('reports nothing for an empty box', () => {
    const img: Image = { width: 4, height: 4, planes: 1, data: new Float32Array(16) };
    let calls = 0;
    forEachColourRun(img, { colorMode: 'MONO' }, 0, () => calls++, { x0: 2, y0: 0, w: 0, h: 4 });
    forEachColourRun(img, { colorMode: 'OSC', pattern: 'RGGB' }, 0, () => calls++, { x0: 1, y0: 1, w: 1, h: 1 }); // a B pixel only
    expect(calls).toBe(0);
  });
});

describe('colourValues', () => {
  it('returns the finite unmasked values of colour c in visiting order', () => {
    const img: Image = { width: 4, height: 2, planes: 1, data: Float32Array.from([1, 2, 3, Number.NaN, 5, 6, Number.POSITIVE_INFINITY, 8]) };
    const mask = Uint8Array.from([0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(colourValues(img, { colorMode: 'MONO' }, 0, mask))).toEqual([1, 2, 5, 6, 8]);
    // RGGB: R at even x of even rows
    expect(Array.from(colourValues(img, { colorMode: 'OSC', pattern: 'RGGB' }, 0))).toEqual([1, 3]);
    expect(Array.from(colourValues(img, { colorMode: 'OSC', pattern: 'RGGB' }, 1))).toEqual([2, 5]);
  });
});

describe('colourRuns', () => {
  it('lists the same runs as forEachColourRun, as quadruples, for every layout and box', () => {
    fc.assert(
      fc.property(
        ...imageBoxCase,
        (width, height, bx, by, bw, bh, layout) => {
          const planes = layout.colorMode === 'RGB' ? 3 : 1;
          const img: Image = { width, height, planes, data: new Float32Array(width * height * planes) };
          const box = { x0: bx, y0: by, w: bw, h: bh };
          for (let c = 0; c < (layout.colorMode === 'MONO' ? 1 : 3); c++) {
            const want: number[] = [];
            forEachColourRun(img, layout, c, (i, p, step, count) => want.push(i, p, step, count), box);
            expect(Array.from(colourRuns(img, layout, c, box))).toEqual(want);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is empty for a box outside the image', () => {
    const img: Image = { width: 4, height: 4, planes: 1, data: new Float32Array(16) };
    expect(colourRuns(img, { colorMode: 'MONO' }, 0, { x0: 5, y0: 0, w: 3, h: 3 }).length).toBe(0);
  });
});
