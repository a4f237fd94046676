import { describe, expect, it } from 'vitest';
import type { Image } from '../../../shared/image/image';
import { coverageMask, warpImage, warpRows, type Affine2x3, type Interpolation } from '../../../shared/image/warp';
import { mulberry32 } from '../../../shared/util/seed';

const INTERPS: Interpolation[] = ['bilinear', 'lanczos3'];

function randomImage(w: number, h: number, seed: number, planes = 1): Image {
  const u = mulberry32(seed);
  return { width: w, height: h, planes, data: Float32Array.from({ length: w * h * planes }, () => u() * 100) };
}

function fnImage(w: number, h: number, f: (x: number, y: number) => number): Image {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return { width: w, height: h, planes: 1, data };
}

function rot(deg: number, cx: number, cy: number, tx: number, ty: number): Affine2x3 {
  const t = (deg * Math.PI) / 180;
  const c = Math.cos(t);
  const s = Math.sin(t);
  return [c, -s, cx - c * cx + s * cy + tx, s, c, cy - s * cx - c * cy + ty];
}

describe('warpImage', () => {
  it.each(INTERPS)('returns an exact copy for the identity (%s)', (interp) => {
    const src = randomImage(33, 21, 1, 3);
    const out = warpImage(src, [1, 0, 0, 0, 1, 0], 33, 21, interp);
    expect(Array.from(out.data)).toEqual(Array.from(src.data));
    expect(out.data).not.toBe(src.data);
  });

  it.each(INTERPS)('shifts by whole pixels exactly, NaN where the source ends (%s)', (interp) => {
    const src = randomImage(40, 30, 2);
    const out = warpImage(src, [1, 0, 3, 0, 1, -2], 40, 30, interp);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) {
      const sx = x + 3;
      const sy = y - 2;
      const v = out.data[y * 40 + x];
      if (sx < 40 && sy >= 0) expect(v).toBe(src.data[sy * 40 + sx]);
      else expect(v).toBeNaN();
    }
  });

  it.each(INTERPS)('is exact at integer source positions on the general path (90° rotation, %s)', (interp) => {
    const src = randomImage(24, 24, 3);
    // out(x, y) = src(23 - y, x)
    const out = warpImage(src, [0, -1, 23, 1, 0, 0], 24, 24, interp);
    for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) expect(out.data[y * 24 + x]).toBe(src.data[x * 24 + (23 - y)]);
  });

  it.each(INTERPS)('preserves a constant image under a sub-pixel rotation (%s)', (interp) => {
    const src = fnImage(50, 40, () => 12.5);
    const out = warpImage(src, rot(0.7, 25, 20, 0.31, -0.77), 50, 40, interp);
    let covered = 0;
    for (const v of out.data) if (!Number.isNaN(v)) {
      covered++;
      expect(v).toBeCloseTo(12.5, 4);
    }
    expect(covered).toBeGreaterThan(1800);
  });

  it('never overshoots the 2x2 nearest sources on a sharp edge (lanczos3 clamp: no ringing)', () => {
    const src = fnImage(40, 10, (x) => (x < 20 ? 0 : 1000));
    const out = warpImage(src, [1, 0, 0.37, 0, 1, 0], 40, 10, 'lanczos3');
    for (let x = 0; x < 39; x++) {
      const v = out.data[5 * 40 + x];
      const sx = x + 0.37;
      const a = src.data[5 * 40 + Math.floor(sx)];
      const b = src.data[5 * 40 + Math.min(39, Math.floor(sx) + 1)];
      expect(v).toBeGreaterThanOrEqual(Math.min(a, b));
      expect(v).toBeLessThanOrEqual(Math.max(a, b));
    }
    // and the plain Lanczos kernel would ring: the step's neighbours would leave [0, 1000]
    expect(out.data[5 * 40 + 17]).toBe(0);
  });

  it('marks sources outside [-0.5, W-0.5] as NaN and keeps the boundary itself', () => {
    const src = fnImage(10, 10, () => 1);
    const inside = warpImage(src, [1, 0, -0.5, 0, 1, 0], 10, 10, 'lanczos3');
    expect(inside.data[0]).toBe(1);
    const outside = warpImage(src, [1, 0, -0.51, 0, 1, 0], 10, 10, 'lanczos3');
    expect(outside.data[0]).toBeNaN();
    expect(outside.data[1]).toBe(1);
  });

  it.each(INTERPS)('turns a NaN tap with non-zero weight into NaN but ignores it at zero weight (%s)', (interp) => {
    const src = fnImage(20, 20, () => 5);
    src.data[10 * 20 + 10] = Number.NaN;
    const half = warpImage(src, [1, 0, 0.5, 0, 1, 0], 20, 20, interp);
    expect(half.data[10 * 20 + 9]).toBeNaN();
    expect(half.data[10 * 20 + 10]).toBeNaN();
    expect(half.data[5 * 20 + 5]).toBe(5);
    // integer shift along y only: the NaN pixel has zero weight for its x-neighbours
    const whole = warpImage(src, [1, 0, 0, 0, 1, 0.5], 20, 20, interp);
    expect(whole.data[10 * 20 + 9]).toBe(5);
    expect(whole.data[10 * 20 + 10]).toBeNaN();
  });

  it('reproduces a smooth image under a sub-pixel shift plus rotation to 0.2 % of its range, RMS 0.05 % (lanczos3)', () => {
    const f = (x: number, y: number): number => 100 + 50 * Math.sin(x / 7) * Math.cos(y / 9) + 20 * Math.sin((x + y) / 11);
    const src = fnImage(96, 96, f);
    const M = rot(0.6, 48, 48, 0.37, -1.21);
    const out = warpImage(src, M, 96, 96, 'lanczos3');
    let worst = 0;
    let ss = 0;
    let n = 0;
    for (let y = 8; y < 88; y++) for (let x = 8; x < 88; x++) {
      const sx = M[0] * x + M[1] * y + M[2];
      const sy = M[3] * x + M[4] * y + M[5];
      const e = out.data[y * 96 + x] - f(sx, sy);
      worst = Math.max(worst, Math.abs(e));
      ss += e * e;
      n++;
    }
    // range 140; the worst case sits on extrema, where the 2x2 clamp flattens the peak slightly
    expect(worst).toBeLessThan(0.28);
    expect(Math.sqrt(ss / n)).toBeLessThan(0.07);
  });

  it('is less accurate with bilinear than with lanczos3 on the same smooth image', () => {
    const f = (x: number, y: number): number => 100 + 50 * Math.sin(x / 3) * Math.cos(y / 4);
    const src = fnImage(64, 64, f);
    const M: Affine2x3 = [1, 0, 0.5, 0, 1, 0.5];
    const err = (interp: Interpolation): number => {
      const out = warpImage(src, M, 64, 64, interp);
      let s = 0;
      for (let y = 8; y < 56; y++) for (let x = 8; x < 56; x++) s += (out.data[y * 64 + x] - f(x + 0.5, y + 0.5)) ** 2;
      return Math.sqrt(s);
    };
    expect(err('lanczos3')).toBeLessThan(err('bilinear') / 5);
  });

  it('returns the same rows from warpRows as from the whole warp', () => {
    const src = randomImage(30, 26, 4, 2);
    const M = rot(3, 15, 13, 0.2, 0.4);
    const whole = warpImage(src, M, 28, 24, 'lanczos3');
    const band = warpRows(src, M, 28, 7, 15, 'lanczos3');
    expect(band.height).toBe(8);
    for (let p = 0; p < 2; p++) for (let y = 7; y < 15; y++) for (let x = 0; x < 28; x++) {
      expect(Object.is(band.data[(p * 8 + y - 7) * 28 + x], whole.data[(p * 24 + y) * 28 + x])).toBe(true);
    }
  });

  it('rejects a non-finite matrix, an unknown interpolation and a multi-plane CFA image', () => {
    const src = randomImage(8, 8, 5);
    expect(() => warpImage(src, [1, 0, Number.NaN, 0, 1, 0], 8, 8, 'bilinear')).toThrow(RangeError);
    expect(() => warpImage(src, [1, 0, 0, 0, 1, 0], 8, 8, 'cubic' as Interpolation)).toThrow(RangeError);
    expect(() => warpImage(randomImage(8, 8, 5, 3), [1, 0, 0, 0, 1, 0], 8, 8, 'bilinear', { cfa: true })).toThrow(RangeError);
  });

  it('does not mutate its input', () => {
    const src = randomImage(16, 16, 6);
    const copy = src.data.slice();
    warpImage(src, rot(10, 8, 8, 0.3, 0.3), 16, 16, 'lanczos3');
    expect(Array.from(src.data)).toEqual(Array.from(copy));
  });
});

describe('warpImage on a CFA mosaic', () => {
  const phaseValue = [10, 20, 30, 40];
  const mosaic = (w: number, h: number, noise: boolean): Image => {
    const u = mulberry32(9);
    return fnImage(w, h, (x, y) => phaseValue[((y & 1) << 1) | (x & 1)] + (noise ? u() : 0));
  };

  it('brings back a (2, 0)-px shifted mosaic exactly', () => {
    const src = mosaic(32, 24, true);
    const out = warpImage(src, [1, 0, 2, 0, 1, 0], 32, 24, 'lanczos3', { cfa: true });
    for (let y = 0; y < 24; y++) for (let x = 0; x < 30; x++) expect(out.data[y * 32 + x]).toBe(src.data[y * 32 + x + 2]);
    for (let y = 0; y < 24; y++) for (let x = 30; x < 32; x++) expect(out.data[y * 32 + x]).toBeNaN();
  });

  it.each(INTERPS)('never mixes phases, even for an odd sub-pixel shift with rotation (%s)', (interp) => {
    const src = mosaic(40, 40, false);
    for (const M of [[1, 0, 1, 0, 1, 0], rot(0.8, 20, 20, 1.37, -0.61)] as Affine2x3[]) {
      const out = warpImage(src, M, 40, 40, interp, { cfa: true });
      let covered = 0;
      for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) {
        const v = out.data[y * 40 + x];
        if (Number.isNaN(v)) continue;
        covered++;
        expect(v).toBeCloseTo(phaseValue[((y & 1) << 1) | (x & 1)], 4);
      }
      expect(covered).toBeGreaterThan(1300);
    }
  });

  it('mixes phases when the mosaic is warped as a plain image (the failure the CFA path prevents)', () => {
    const out = warpImage(mosaic(20, 20, false), [1, 0, 1, 0, 1, 0], 20, 20, 'bilinear');
    expect(out.data[0]).toBe(phaseValue[1]);
  });
});

describe('coverageMask', () => {
  it('is 1 where every plane has data and 0 where any plane is NaN', () => {
    const img: Image = { width: 2, height: 1, planes: 2, data: Float32Array.from([1, Number.NaN, 2, 3]) };
    expect(Array.from(coverageMask(img))).toEqual([1, 0]);
  });
});

describe('warp into a reused array', () => {
  // a worker warps frame after frame into one canvas: whatever the array held must not show
  const cases: Array<{ name: string; M: Affine2x3; cfa: boolean; planes: number; kernels?: 'js' }> = [
    { name: 'integer shift', M: [1, 0, 3, -0, 1, -2], cfa: false, planes: 2 },
    { name: 'sub-pixel shift and rotation, out of frame corners', M: rot(7, 40, 30, 5.3, -4.6), cfa: false, planes: 1 },
    { name: 'the same with the JS kernels', M: rot(7, 40, 30, 5.3, -4.6), cfa: false, planes: 1, kernels: 'js' },
    { name: 'CFA mosaic, rotation', M: rot(-3, 40, 30, 12.25, 9.5), cfa: true, planes: 1 },
    { name: 'CFA mosaic, JS kernels', M: rot(-3, 40, 30, 12.25, 9.5), cfa: true, planes: 1, kernels: 'js' },
  ];
  for (const c of cases) {
    it.each(INTERPS)(`writes every value, the same bytes as a fresh array: ${c.name} (%s)`, (interp) => {
      const src = randomImage(80, 60, 11, c.planes);
      const fresh = warpImage(src, c.M, 72, 54, interp, { cfa: c.cfa, kernels: c.kernels });
      const used = new Float32Array(72 * 54 * c.planes).fill(12345.5);
      used[7] = Number.NaN;
      const again = warpImage(src, c.M, 72, 54, interp, { cfa: c.cfa, kernels: c.kernels, into: used });
      expect(again.data).toBe(used);
      expect(Buffer.from(used.buffer).equals(Buffer.from(fresh.data.buffer))).toBe(true);
      expect(fresh.data.some((v) => Number.isNaN(v))).toBe(true); // the frame's edge is in view
    });
  }

  it('refuses an array of the wrong size', () => {
    expect(() => warpImage(randomImage(8, 8, 1), [1, 0, 0.5, 0, 1, 0], 8, 8, 'bilinear', { into: new Float32Array(63) })).toThrow(/holds 63 values/);
  });
});
