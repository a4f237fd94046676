import { describe, expect, it } from 'vitest';
import { type Image } from '../../../shared/image/image';
import { measureBackground, objectMask, objectMasks, type ColourLayout } from '../../../shared/pipeline/background';
import { mulberry32 } from '../../../shared/util/seed';
import * as before from './before/background-before';

// P2.2 with the bg-radix kernel behind its statistics and object marking, against the frozen
// previous definitions in ./before: the same masks byte for byte and the same backgrounds. The
// frames are large enough (>= 65 536 pixels per colour) for the radix path and the kernel's spans.

const layouts: Array<[string, ColourLayout, number]> = [
  ['MONO', { colorMode: 'MONO' }, 1],
  ['RGB', { colorMode: 'RGB' }, 3],
  ['OSC RGGB', { colorMode: 'OSC', pattern: 'RGGB' }, 1],
  ['OSC GBRG', { colorMode: 'OSC', pattern: 'GBRG' }, 1],
];

/** Integer ADU sky per colour, stars, hot pixels, NaN pixels; odd width (runs of uneven length). */
function rawFrame(w: number, h: number, planes: number, seed: number): Image {
  const u = mulberry32(seed);
  const data = new Float32Array(w * h * planes);
  for (let i = 0; i < data.length; i++) {
    const x = i % w;
    const y = Math.floor(i / w) % h;
    const phase = ((y & 1) << 1) | (x & 1);
    let v = 800 + 150 * phase + 60 * (u() + u() + u() - 1.5);
    if (u() < 0.01) v += 3000 * u();
    if (u() < 0.001) v = Number.NaN;
    data[i] = Math.round(v);
  }
  return { width: w, height: h, planes, data };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe.each(layouts)('P2.2 background, %s, against the previous definitions', (_name, layout, planes) => {
  const img = rawFrame(561, 520, planes, 7);

  it('builds the same object masks, union and per colour', () => {
    for (const independent of [false, true]) {
      const a = objectMasks(img, layout, independent);
      const b = before.objectMasks(img, layout, independent);
      expect(a.length).toBe(b.length);
      a.forEach((m, c) => expect(sameBytes(m, b[c])).toBe(true));
      expect(a[0].some((v) => v === 1)).toBe(true);
    }
    expect(sameBytes(objectMask(img, layout), before.objectMask(img, layout))).toBe(true);
  });

  it('measures the same background per colour', () => {
    const a = measureBackground(img, layout);
    const b = before.measureBackground(img, layout);
    expect(a).toEqual(b);
    a.background.forEach((v, c) => expect(Object.is(v, b.background[c])).toBe(true));
    expect(measureBackground(img, layout, { independentColours: true })).toEqual(before.measureBackground(img, layout, { independentColours: true }));
  });

  it('still excludes a frame without a positive background (the failure twin)', () => {
    const dark: Image = { ...img, data: img.data.map((v) => -Math.abs(v)) };
    const a = measureBackground(dark, layout);
    expect(a.ok).toBe(false);
    expect(a).toEqual(before.measureBackground(dark, layout));
  });
});
