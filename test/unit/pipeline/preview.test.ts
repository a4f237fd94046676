import { describe, expect, it } from 'vitest';
import type { Image } from '../../../shared/image/image';
import { medianAndSigmaMad } from '../../../shared/image/stats';
import { autoStretchParams, downsampleBlocks, mtf, previewFactor, renderPreview, STRETCH_SHADOWS_SIGMA, STRETCH_TARGET_MEDIAN, stretchValue } from '../../../shared/pipeline/preview';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

function sky(w: number, h: number, planes: number, seed: number): Image {
  const g = gaussianSource(mulberry32(seed));
  const data = new Float32Array(planes * w * h);
  for (let i = 0; i < data.length; i++) data[i] = 1000 + 10 * g();
  data[5] = 60000; // a star
  return { width: w, height: h, planes, data };
}

describe('previewFactor and downsampleBlocks', () => {
  it('chooses the smallest integer factor bringing the long side to <= 2048', () => {
    expect(previewFactor(2048, 100)).toBe(1);
    expect(previewFactor(2049, 100)).toBe(2);
    expect(previewFactor(6000, 4000)).toBe(3);
    expect(previewFactor(100, 9000, 1000)).toBe(9);
  });

  it('averages the valid pixels of k x k blocks, partial at the edges', () => {
    const im: Image = { width: 3, height: 3, planes: 1, data: Float32Array.from([1, 2, 3, 4, Number.NaN, 6, 7, 8, 9]) };
    const d = downsampleBlocks(im, 2);
    expect([d.width, d.height]).toEqual([2, 2]);
    expect(Array.from(d.data)).toEqual([Math.fround(7 / 3), 4.5, 7.5, 9]);
    const nan = downsampleBlocks({ width: 2, height: 1, planes: 1, data: Float32Array.from([Number.NaN, Number.NaN]) }, 2);
    expect(nan.data[0]).toBeNaN();
  });
});

describe('auto-stretch', () => {
  it('maps black = median - 2.8*sigma_MAD to 0 and the median to 0.25', () => {
    const im = sky(64, 64, 1, 1);
    const p = autoStretchParams(im, im);
    expect(stretchValue(p.median, p)).toBeCloseTo(0.25, 9);
    expect(stretchValue(p.black, p)).toBe(0);
    expect(stretchValue(p.white, p)).toBe(1);
    expect(p.white).toBe(60000);
    expect(p.median - p.black).toBeGreaterThan(2.8 * 8);
    expect(p.median - p.black).toBeLessThan(2.8 * 12);
  });

  it('uses a monotone midtone transfer fixing 0 and 1', () => {
    expect(mtf(0.3, 0)).toBe(0);
    expect(mtf(0.3, 1)).toBe(1);
    expect(mtf(0.5, 0.4)).toBeCloseTo(0.4, 12);
    let prev = 0;
    for (let x = 0.01; x < 1; x += 0.01) {
      const y = mtf(0.05, x);
      expect(y).toBeGreaterThan(prev);
      prev = y;
    }
  });
});

describe('renderPreview', () => {
  it('downsamples to long side <= 2048 and interleaves RGB', () => {
    const im = sky(2100, 10, 3, 2);
    const p = renderPreview(im);
    expect([p.width, p.height, p.channels, p.depth]).toEqual([1050, 5, 3, 8]);
    expect(p.data).toBeInstanceOf(Uint8Array);
    expect(p.data.length).toBe(1050 * 5 * 3);
  });

  it('is linked: equal channel values stay grey', () => {
    const g = sky(32, 32, 1, 3);
    const rgb: Image = { width: 32, height: 32, planes: 3, data: Float32Array.from([...g.data, ...g.data, ...g.data]) };
    const p = renderPreview(rgb, { depth: 16 });
    expect(p.data).toBeInstanceOf(Uint16Array);
    for (let i = 0; i < 32 * 32; i++) {
      expect(p.data[3 * i + 1]).toBe(p.data[3 * i]);
      expect(p.data[3 * i + 2]).toBe(p.data[3 * i]);
    }
    const grey = renderPreview(g, { depth: 16 });
    expect(Array.from(grey.data.subarray(0, 10))).toEqual(Array.from({ length: 10 }, (_, i) => p.data[3 * i]));
    // the median pixel sits near 0.25 of full scale
    const sorted = Array.from(grey.data).sort((a, b) => a - b);
    expect(sorted[sorted.length >> 1] / 65535).toBeCloseTo(0.25, 1);
  });

  it('writes NaN and constant images as 0 without throwing; refuses 2-plane input', () => {
    const im = sky(8, 8, 1, 4);
    im.data[3] = Number.NaN;
    expect(renderPreview(im).data[3]).toBe(0);
    const flat = renderPreview({ width: 4, height: 4, planes: 1, data: new Float32Array(16).fill(7) });
    expect(flat.data.every((v) => v === 0)).toBe(true);
    expect(() => renderPreview({ width: 1, height: 1, planes: 2, data: new Float32Array(2) })).toThrow(RangeError);
  });
});

describe('autoStretchParams against its previous definition (a JS array sample)', () => {
  /** The definition before the typed sample, kept as the reference. */
  function previous(stats: Image, display: Image) {
    const { width: w, height: h, planes } = stats;
    const step = Math.max(1, Math.ceil(Math.sqrt((w * h) / (1 << 20))));
    const sample: number[] = [];
    for (let c = 0; c < planes; c++) for (let y = 0; y < h; y += step) for (let x = 0; x < w; x += step) sample.push(stats.data[(c * h + y) * w + x]);
    const { median, sigma } = medianAndSigmaMad(sample);
    let white = Number.NEGATIVE_INFINITY;
    for (const v of display.data) if (v > white) white = v;
    const black = median - STRETCH_SHADOWS_SIGMA * sigma;
    const xm = white > black ? (median - black) / (white - black) : 0;
    return { black, white, median, midtone: xm > 0 && xm < 1 ? mtf(STRETCH_TARGET_MEDIAN, xm) : 0.5 };
  }

  it('gives the same parameters, bit for bit, sampled or not, with NaN holes, mono and RGB, odd and even sample sizes', () => {
    for (const [w, h, planes, seed] of [[1500, 900, 1, 1], [1025, 1025, 1, 2], [1201, 801, 3, 3], [64, 48, 1, 4], [63, 47, 3, 5]]) {
      const im = sky(w, h, planes, seed);
      for (let i = 0; i < im.data.length; i += 97) im.data[i] = Number.NaN;
      const small = downsampleBlocks(im, previewFactor(w, h, 512));
      const got = autoStretchParams(im, small);
      const want = previous(im, small);
      for (const key of ['black', 'white', 'median', 'midtone'] as const) expect(Object.is(got[key], want[key]), `${w}x${h}x${planes} ${key}`).toBe(true);
    }
  });
});
