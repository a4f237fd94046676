import { describe, expect, it } from 'vitest';
import { imageFwhm } from '../../../shared/pipeline/phases/finish-phase';
import { randomStars, renderStars } from '../registration/sky';

const W = 320;
const H = 240;
const STARS = randomStars(120, W, H, 9, 12, 1.5).map((s) => ({ ...s, flux: s.flux * 20 }));
const image = (sigma: number, seed: number) => ({ width: W, height: H, planes: 1, data: renderStars(W, H, STARS.map((s) => ({ ...s, sigma })), { noise: 2, seed }) });

describe('imageFwhm (P13: result and mean stack measured at the same stars)', () => {
  it('measures FWHM ~ 2.355 sigma of a rendered star field', () => {
    const f = imageFwhm(image(1.5, 1), 50);
    expect(f).not.toBeNull();
    expect(f!).toBeGreaterThan(2.355 * 1.5 * 0.9);
    expect(f!).toBeLessThan(2.355 * 1.5 * 1.1);
  });

  it('with seeds from another image of the same field, ranks a sharper image sharper', () => {
    const blurred = image(1.8, 2);
    const sharp = image(1.5, 3);
    const fSharp = imageFwhm(sharp, 50, blurred)!;
    const fBlurred = imageFwhm(blurred, 50)!;
    expect(fSharp).toBeLessThan(fBlurred);
    expect(fSharp / fBlurred).toBeCloseTo(1.5 / 1.8, 1);
  });

  it('refuses seeds from an image of another size', () => {
    const other = { width: 100, height: 80, planes: 1, data: new Float32Array(8000) };
    expect(() => imageFwhm(image(1.5, 4), 50, other)).toThrow(/differs in size/);
  });
});
