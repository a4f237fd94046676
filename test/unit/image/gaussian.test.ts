import { describe, expect, it } from 'vitest';
import { gaussianBlur, gaussianKernel } from '../../../shared/image/gaussian';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

describe('gaussianBlur', () => {
  it('keeps a constant image constant, edges included', () => {
    const img = new Float32Array(40 * 30).fill(7.25);
    const out = gaussianBlur(img, 40, 30, 2.5);
    for (const v of out) expect(v).toBeCloseTo(7.25, 5);
  });

  it('spreads a point into a Gaussian of the requested sigma (second moment = sigma^2)', () => {
    const w = 64;
    const img = new Float32Array(w * w);
    img[32 * w + 32] = 1;
    const out = gaussianBlur(img, w, w, 3);
    let s = 0;
    let sxx = 0;
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) {
      s += out[y * w + x];
      sxx += out[y * w + x] * (x - 32) ** 2;
    }
    expect(s).toBeCloseTo(1, 4);
    expect(sxx / s).toBeCloseTo(9, 1);
  });

  it('reduces white noise by the expected factor 1/(2*sqrt(pi)*sigma)', () => {
    const w = 128;
    const g = gaussianSource(mulberry32(3));
    const img = new Float32Array(w * w).map(() => g());
    const out = gaussianBlur(img, w, w, 2);
    let ss = 0;
    let n = 0;
    for (let y = 16; y < w - 16; y++) for (let x = 16; x < w - 16; x++) {
      ss += out[y * w + x] ** 2;
      n++;
    }
    expect(Math.sqrt(ss / n)).toBeCloseTo(1 / (2 * Math.sqrt(Math.PI) * 2), 1);
  });

  it('ignores NaN pixels: a hole in a constant image leaves the neighbours unchanged and stays NaN', () => {
    const img = new Float32Array(20 * 20).fill(3);
    img[10 * 20 + 10] = Number.NaN;
    const out = gaussianBlur(img, 20, 20, 1.5);
    expect(Number.isNaN(out[10 * 20 + 10])).toBe(true);
    expect(out[10 * 20 + 11]).toBeCloseTo(3, 6);
  });

  it('fills a NaN hole from its neighbours when asked to', () => {
    const img = new Float32Array(20 * 20).fill(3);
    img[10 * 20 + 10] = Number.NaN;
    const out = gaussianBlur(img, 20, 20, 1.5, { fillInvalid: true });
    expect(out[10 * 20 + 10]).toBeCloseTo(3, 6);
  });

  it('returns a copy for sigma 0 and does not mutate its input', () => {
    const img = Float32Array.from([1, 2, 3, 4]);
    const out = gaussianBlur(img, 2, 2, 0);
    expect(Array.from(out)).toEqual([1, 2, 3, 4]);
    out[0] = 9;
    expect(img[0]).toBe(1);
  });

  it('rejects a plane whose length does not match w*h', () => {
    expect(() => gaussianBlur(new Float32Array(5), 2, 2, 1)).toThrow(RangeError);
  });

  it('builds a normalized symmetric kernel', () => {
    const k = gaussianKernel(1.3);
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(k[0]).toBeCloseTo(k[k.length - 1], 15);
  });
});
