import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../shared/image/image';
import { channelPlanes, channelProxies, luminanceY, luminanceYView, proxyOf, proxyToFull } from '../../../shared/image/views';

function imageOf(w: number, h: number, planes: number, f: (x: number, y: number, c: number) => number): Image {
  const img = createImage(w, h, planes);
  for (let c = 0; c < planes; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[(c * h + y) * w + x] = f(x, y, c);
  return img;
}

describe('luminanceY', () => {
  it('copies a mono frame without sharing memory', () => {
    const img = imageOf(3, 2, 1, (x, y) => x + 10 * y);
    const y = luminanceY(img, 'MONO');
    expect(Array.from(y)).toEqual(Array.from(img.data));
    y[0] = 99;
    expect(img.data[0]).toBe(0);
  });
  it('averages the three planes of an RGB frame', () => {
    const img = imageOf(2, 2, 3, (_x, _y, c) => [1, 2, 6][c]);
    expect(Array.from(luminanceY(img, 'RGB'))).toEqual([3, 3, 3, 3]);
  });
  it('gives a phase-free constant for an OSC mosaic of constant colours, last row/column replicated', () => {
    // RGGB with R = 4, G = 2, B = 0: every 2x2 window has mean (4 + 2 + 2 + 0)/4 = 2
    const img = imageOf(5, 3, 1, (x, y) => (x % 2 === 0 && y % 2 === 0 ? 4 : x % 2 === 1 && y % 2 === 1 ? 0 : 2));
    expect(Array.from(luminanceY(img, 'OSC')).every((v) => v === 2)).toBe(true);
  });
  it('replicates the last OSC row and column from their neighbours', () => {
    const img = imageOf(3, 3, 1, (x, y) => x + 3 * y);
    const out = luminanceY(img, 'OSC');
    // window mean at (x,y) = x + 3y + 2
    expect(Array.from(out)).toEqual([2, 3, 3, 5, 6, 6, 5, 6, 6]);
  });
  it('propagates NaN into every OSC window that holds it and rejects a plane-count mismatch', () => {
    const img = imageOf(3, 3, 1, () => 1);
    img.data[4] = NaN;
    const out = luminanceY(img, 'OSC');
    expect([0, 1, 3, 4].every((i) => Number.isNaN(out[i]))).toBe(true);
    expect(() => luminanceY(img, 'RGB')).toThrow(RangeError);
  });
  it('writes every value of a reused output array: the same bytes as a new one, for each colour mode and tiny sizes', () => {
    const cases: Array<[number, number, number, 'MONO' | 'RGB' | 'OSC']> = [[7, 5, 1, 'MONO'], [7, 5, 3, 'RGB'], [7, 5, 1, 'OSC'], [1, 4, 1, 'OSC'], [6, 1, 1, 'OSC']];
    for (const [w, h, planes, mode] of cases) {
      const img = imageOf(w, h, planes, (x, y, c) => Math.sin(x * 1.3 + y * 0.7 + c) * 100);
      const fresh = luminanceY(img, mode);
      const used = new Float32Array(w * h).fill(-777.25);
      const again = luminanceY(img, mode, used);
      expect(again).toBe(used);
      expect(Buffer.from(used.buffer).equals(Buffer.from(fresh.buffer))).toBe(true);
    }
    expect(() => luminanceY(imageOf(3, 3, 1, () => 1), 'OSC', new Float32Array(8))).toThrow(/holds 8 values/);
  });
});

describe('proxyOf', () => {
  it('takes 2x2 block means and drops the odd last row and column', () => {
    const img = imageOf(5, 3, 1, (x, y) => x + 10 * y);
    const p = proxyOf(img);
    expect([p.width, p.height]).toEqual([2, 1]);
    expect(Array.from(p.data)).toEqual([5.5, 7.5]);
  });
  it('uses the plane mean of an RGB frame', () => {
    const p = proxyOf(imageOf(2, 2, 3, (_x, _y, c) => [3, 6, 9][c]));
    expect(Array.from(p.data)).toEqual([6]);
  });
  it('is NaN for a block holding a NaN, and empty for a 1-pixel frame', () => {
    const img = imageOf(4, 2, 1, () => 1);
    img.data[0] = NaN;
    expect(Array.from(proxyOf(img).data).map(Number.isNaN)).toEqual([true, false]);
    expect(proxyOf(imageOf(1, 1, 1, () => 1)).data.length).toBe(0);
  });
  it('maps proxy centres back to full resolution with full = 2*proxy + 0.5', () => {
    // a ramp's block mean equals the ramp at the block centre
    const img = imageOf(8, 8, 1, (x) => x);
    const p = proxyOf(img);
    expect(p.data[3]).toBe(proxyToFull(3));
  });
});

describe('channel views for the strict profile', () => {
  it('splits an OSC mosaic into R, mean G, B subplanes for every pattern', () => {
    const values = { R: 10, G1: 4, G2: 6, B: 1 };
    const img = imageOf(4, 4, 1, (x, y) => {
      // GBRG: row 0 = G B, row 1 = R G
      const ch = ['G1', 'B', 'R', 'G2'][(y % 2) * 2 + (x % 2)] as keyof typeof values;
      return values[ch];
    });
    const planes = channelPlanes(img, 'OSC', 'GBRG');
    expect(planes.map((p) => [p.width, p.height, p.data[3]])).toEqual([
      [2, 2, 10],
      [2, 2, 5],
      [2, 2, 1],
    ]);
    expect(channelProxies(img, 'OSC', 'GBRG').map((p) => p.data[0])).toEqual([10, 5, 1]);
  });
  it('gives each RGB plane its own block-mean proxy and a mono frame its proxy', () => {
    const img = imageOf(4, 2, 3, (x, _y, c) => x + 100 * c);
    expect(channelProxies(img, 'RGB').map((p) => Array.from(p.data))).toEqual([
      [0.5, 2.5],
      [100.5, 102.5],
      [200.5, 202.5],
    ]);
    expect(channelPlanes(img, 'RGB')[2].data[1]).toBe(201);
    expect(channelProxies(imageOf(2, 2, 1, () => 3), 'MONO')[0].data[0]).toBe(3);
  });
  it('refuses an OSC split without a Bayer pattern', () => {
    expect(() => channelPlanes(imageOf(2, 2, 1, () => 0), 'OSC')).toThrow(RangeError);
  });
});

describe('luminanceYView', () => {
  it('returns the mono frame itself (no copy) and luminanceY for the other modes', () => {
    const mono = imageOf(3, 2, 1, (x, y) => x + 10 * y);
    const view = luminanceYView(mono, 'MONO');
    expect(view.buffer).toBe(mono.data.buffer);
    expect(Array.from(view)).toEqual(Array.from(mono.data));
    const rgb = imageOf(2, 2, 3, (_x, _y, c) => [1, 2, 6][c]);
    expect(Array.from(luminanceYView(rgb, 'RGB'))).toEqual(Array.from(luminanceY(rgb, 'RGB')));
    const osc = imageOf(4, 4, 1, (x, y) => x * y);
    expect(Array.from(luminanceYView(osc, 'OSC'))).toEqual(Array.from(luminanceY(osc, 'OSC')));
  });
  it('rejects an image whose plane count does not fit the colour mode', () => {
    expect(() => luminanceYView(imageOf(2, 2, 3, () => 1), 'MONO')).toThrow(RangeError);
  });
});
