import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../shared/synth/psf';
import { addGaussian, addLine, addStar, type Plane } from '../../../shared/synth/splat';

const plane = (width: number, height: number): Plane => ({ data: new Float32Array(width * height), offset: 0, width, height });
const ONE = [1, 1, 1, 1];

function moments(p: Plane) {
  let s = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const v = p.data[y * p.width + x];
      s += v;
      sx += v * x;
      sy += v * y;
      sxx += v * x * x;
      sxy += v * x * y;
      syy += v * y * y;
    }
  }
  const cx = sx / s;
  const cy = sy / s;
  return { s, cx, cy, vxx: sxx / s - cx * cx, vxy: sxy / s - cx * cy, vyy: syy / s - cy * cy };
}

describe('addStar', () => {
  it('deposits exactly its flux, centred where asked, with variance sigma^2 + 1/12 (pixel integration)', () => {
    const p = plane(48, 40);
    addStar(p, 20.3, 17.8, 1.5, 0, 2, [1000, 1000, 1000, 1000]);
    const m = moments(p);
    expect(m.s).toBeCloseTo(1000, 3);
    expect(m.cx).toBeCloseTo(20.3, 5);
    expect(m.cy).toBeCloseTo(17.8, 5);
    expect(m.vxx).toBeCloseTo(1.5 ** 2 + 1 / 12, 4);
  });

  it('adds the halo variance in proportion to its flux share', () => {
    const p = plane(80, 80);
    addStar(p, 40, 40, 1.5, 0.2, 2, ONE);
    const m = moments(p);
    expect(m.vyy).toBeCloseTo(0.8 * 2.25 + 0.2 * 9 + 1 / 12, 4);
  });

  it('loses the part of a star that falls off the plane, without writing outside it', () => {
    const p = plane(20, 20);
    addStar(p, 0, 10, 1.5, 0, 2, ONE);
    // only x >= -0.5 lands on the plane: Phi(0.5 / 1.5)
    expect(moments(p).s).toBeCloseTo(normalCdf(0.5 / 1.5), 6);
    addStar(p, -100, -100, 1.5, 0.1, 2, ONE);
    expect(p.data.length).toBe(400);
  });

  it('gives each CFA phase its own flux', () => {
    const p = plane(32, 32);
    addStar(p, 16, 16, 2, 0, 2, [4, 0, 0, 0]);
    expect(p.data[16 * 32 + 16]).toBeGreaterThan(0);
    expect(p.data[16 * 32 + 17]).toBe(0);
    expect(p.data[17 * 32 + 16]).toBe(0);
  });
});

describe('addGaussian', () => {
  it('deposits its flux with the requested mean and covariance', () => {
    const p = plane(120, 120);
    addGaussian(p, 60.4, 58.9, 40, 12, 25, [500, 500, 500, 500]);
    const m = moments(p);
    expect(m.s / 500).toBeCloseTo(1, 4);
    expect(m.cx).toBeCloseTo(60.4, 3);
    expect(m.cy).toBeCloseTo(58.9, 3);
    // point sampling a Gaussian adds the pixel-box variance to its moments only at O(1e-3)
    expect(m.vxx / 40).toBeCloseTo(1, 2);
    expect(m.vxy / 12).toBeCloseTo(1, 2);
    expect(m.vyy / 25).toBeCloseTo(1, 2);
  });

  it('draws nothing for a degenerate covariance', () => {
    const p = plane(20, 20);
    addGaussian(p, 10, 10, 4, 4, 4, ONE);
    expect(p.data.every((v) => v === 0)).toBe(true);
  });
});

describe('addLine', () => {
  it('puts fluxPerPx into every column of a horizontal line and every row of a vertical one', () => {
    const h = plane(40, 30);
    addLine(h, 0, 14.3, 0, 1.2, 0.1, 2, 200, ONE);
    for (const x of [0, 17, 39]) {
      let col = 0;
      for (let y = 0; y < 30; y++) col += h.data[y * 40 + x];
      expect(col).toBeCloseTo(200, 1);
    }
    const v = plane(40, 30);
    addLine(v, 21.6, 5, 90, 1.2, 0.1, 2, 200, ONE);
    let row = 0;
    for (let x = 0; x < 40; x++) row += v.data[10 * 40 + x];
    expect(row).toBeCloseTo(200, 1);
    expect(moments(v).cx).toBeCloseTo(21.6, 3);
  });

  it('puts fluxPerPx x sqrt(2) into every column of a 45 degree line', () => {
    const p = plane(60, 60);
    addLine(p, 30, 30, 45, 1.2, 0, 2, 100, ONE);
    let col = 0;
    for (let y = 0; y < 60; y++) col += p.data[y * 60 + 30];
    expect(col).toBeCloseTo(100 * Math.SQRT2, 0);
  });
});
