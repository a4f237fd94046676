import { describe, expect, it } from 'vitest';
import { coreSigma, fwhmPerCoreSigma, normalCdf, pixelShares, psfModel } from '../../../shared/synth/psf';

describe('normalCdf', () => {
  it('matches tabulated values of the standard normal CDF to 1e-10', () => {
    const known: [number, number][] = [
      [0, 0.5],
      [1, 0.8413447460685429],
      [-2, 0.022750131948179195],
      [0.3, 0.6179114221889527],
      [-4.2, 1.3345749015906309e-5],
    ];
    for (const [z, p] of known) expect(Math.abs(normalCdf(z) - p)).toBeLessThan(1e-10);
  });

  it('saturates to exactly 0 and 1 far in the tails', () => {
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
  });
});

describe('pixelShares', () => {
  it('telescopes: the shares of a wide enough window sum to 1 wherever the centre falls', () => {
    const out = new Float64Array(40);
    for (const c of [10, 10.37, 9.5, 10.999]) {
      pixelShares(c, 1.7, 0, 21, out);
      let s = 0;
      for (let k = 0; k < 21; k++) s += out[k];
      expect(Math.abs(s - 1)).toBeLessThan(1e-7);
    }
  });

  it('loses the flux that falls outside a window cut through the profile', () => {
    const out = new Float64Array(40);
    pixelShares(10, 1.7, 10, 11, out); // only the right half
    let s = 0;
    for (let k = 0; k < 11; k++) s += out[k];
    expect(s).toBeGreaterThan(0.55);
    expect(s).toBeLessThan(0.65);
  });
});

describe('fwhmPerCoreSigma', () => {
  it('is 2 sqrt(2 ln 2) for a pure Gaussian', () => {
    expect(fwhmPerCoreSigma(0)).toBeCloseTo(2 * Math.sqrt(2 * Math.LN2), 10);
  });

  it('puts the half maximum of the two-Gaussian profile at FWHM/2', () => {
    const psf = psfModel(0.2);
    const s = coreSigma(4, psf);
    const h = 2 * s;
    const profile = (r: number) => 0.8 * Math.exp((-0.5 * r * r) / (s * s)) / (s * s) + (0.2 * Math.exp((-0.5 * r * r) / (h * h))) / (h * h);
    expect(profile(2) / profile(0)).toBeCloseTo(0.5, 9);
  });

  it('grows with the halo share (a halo widens the profile at half maximum)', () => {
    expect(fwhmPerCoreSigma(0.3)).toBeGreaterThan(fwhmPerCoreSigma(0.1));
  });
});
