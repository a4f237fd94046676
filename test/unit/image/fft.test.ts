import { describe, expect, it } from 'vitest';
import { fft1d, fft2d, isPow2, nextPow2 } from '../../../shared/image/fft';
import { mulberry32 } from '../../../shared/util/seed';

function naiveDft(re: number[], im: number[]): { re: number[]; im: number[] } {
  const n = re.length;
  const or: number[] = [];
  const oi: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    or.push(sr);
    oi.push(si);
  }
  return { re: or, im: oi };
}

describe('fft1d', () => {
  it('matches the naive DFT on random complex input', () => {
    const u = mulberry32(5);
    const re = Array.from({ length: 32 }, () => u() - 0.5);
    const im = Array.from({ length: 32 }, () => u() - 0.5);
    const ref = naiveDft(re, im);
    const r = Float64Array.from(re);
    const i = Float64Array.from(im);
    fft1d(r, i);
    for (let k = 0; k < 32; k++) {
      expect(r[k]).toBeCloseTo(ref.re[k], 10);
      expect(i[k]).toBeCloseTo(ref.im[k], 10);
    }
  });

  it('inverts itself', () => {
    const u = mulberry32(6);
    const re = Float64Array.from({ length: 64 }, () => u());
    const im = new Float64Array(64);
    const orig = re.slice();
    fft1d(re, im);
    fft1d(re, im, true);
    for (let k = 0; k < 64; k++) {
      expect(re[k]).toBeCloseTo(orig[k], 12);
      expect(im[k]).toBeCloseTo(0, 12);
    }
  });

  it('refuses lengths that are not powers of two', () => {
    expect(() => fft1d(new Float64Array(12), new Float64Array(12))).toThrow(RangeError);
  });
});

describe('fft2d', () => {
  it('puts a pure 2-D wave into exactly one frequency bin (and its mirror)', () => {
    const w = 16;
    const h = 8;
    const re = new Float64Array(w * h);
    const im = new Float64Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) re[y * w + x] = Math.cos(2 * Math.PI * (3 * x / w + 2 * y / h));
    fft2d(re, im, w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const mag = Math.hypot(re[y * w + x], im[y * w + x]);
      const expected = (x === 3 && y === 2) || (x === w - 3 && y === h - 2) ? (w * h) / 2 : 0;
      expect(mag).toBeCloseTo(expected, 8);
    }
  });

  it('round-trips a random image', () => {
    const u = mulberry32(8);
    const re = Float64Array.from({ length: 32 * 16 }, () => u());
    const orig = re.slice();
    const im = new Float64Array(32 * 16);
    fft2d(re, im, 32, 16);
    fft2d(re, im, 32, 16, true);
    for (let k = 0; k < re.length; k++) expect(re[k]).toBeCloseTo(orig[k], 12);
  });

  it('refuses a non power-of-two size', () => {
    expect(() => fft2d(new Float64Array(24), new Float64Array(24), 6, 4)).toThrow(RangeError);
  });
});

describe('nextPow2', () => {
  it('rounds up to powers of two', () => {
    expect([1, 2, 3, 5, 1000, 1024].map(nextPow2)).toEqual([1, 2, 4, 8, 1024, 1024]);
    expect(isPow2(96)).toBe(false);
    expect(() => nextPow2(0)).toThrow(RangeError);
  });
});
