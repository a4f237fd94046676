import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BAYER_PATTERNS, bayerColorAt, type BayerPattern, type Image } from '../../../shared/image/image';
import {
  applyValidity,
  cosmeticCorrection,
  cropPlanes,
  debayerBilinear,
  finishImage,
  minCoverage,
  outputBackgrounds,
  scaleByBackground,
  validBoundingBox,
  debayerMosaic,
  debayerRcd,
  type DebayerMethod,
  type FinishConfig,
} from '../../../shared/pipeline/finish';
import { bilinearValueAt } from '../../../shared/pipeline/demosaic-bilinear';
import { mulberry32 } from '../../../shared/util/seed';

const img = (width: number, height: number, planes: number, data: number[] | Float32Array): Image => ({ width, height, planes, data: Float32Array.from(data) });

function mosaic(w: number, h: number, pattern: BayerPattern, value: (colour: number, x: number, y: number) => number): Float32Array {
  const m = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = value(bayerColorAt(pattern, x, y), x, y);
  return m;
}

describe('outputBackgrounds', () => {
  it('is the median of the finite positive B[f,c] per channel, else 1', () => {
    expect(outputBackgrounds([[3, 1, 2, Number.NaN, -4], [0, -1], [5, 7]])).toEqual([2, 1, 6]);
  });
});

describe('scaleByBackground', () => {
  it('scales planes by B_out[c], and mosaic pixels by the B_out of their CFA colour', () => {
    expect(Array.from(scaleByBackground(img(1, 1, 3, [1, 1, 2]), [10, 20, 30]).data)).toEqual([10, 20, 60]);
    const m = scaleByBackground(img(2, 2, 1, [1, 1, 1, 1]), [10, 20, 30], 'GBRG');
    expect(Array.from(m.data)).toEqual([20, 30, 10, 20]);
  });
});

describe('debayerBilinear', () => {
  it('interpolates with the REF formulas at R, G and B sites', () => {
    // RGGB 4x4, value = 10*y + x at each site (interior pixel (1,1) is B, (2,1) is G in a B row)
    const m = mosaic(4, 4, 'RGGB', (_c, x, y) => 10 * y + x);
    const out = debayerBilinear(m, 4, 4, 'RGGB');
    const at = (c: number, x: number, y: number) => out.data[c * 16 + y * 4 + x];
    // B site (1,1): G = mean(10, 12, 1, 21) = 11, R = mean of diagonals (0, 2, 20, 22) = 11
    expect(at(2, 1, 1)).toBe(11);
    expect(at(1, 1, 1)).toBe(11);
    expect(at(0, 1, 1)).toBe(11);
    // G site (2,1) in a B row: B from horizontal (11, 13) = 12, R from vertical (2, 22) = 12
    expect(at(2, 2, 1)).toBe(12);
    expect(at(0, 2, 1)).toBe(12);
    expect(at(1, 2, 1)).toBe(12);
    // corner R site (0,0): G from right (1) and down (10) only; B from (1,1) only
    expect(at(1, 0, 0)).toBe(5.5);
    expect(at(2, 0, 0)).toBe(11);
  });

  it('reproduces flat colour fields exactly on every pixel, edges included, for all patterns', () => {
    for (const p of BAYER_PATTERNS) {
      const out = debayerBilinear(mosaic(7, 5, p, (c) => [3, 5, 11][c]), 7, 5, p);
      for (let c = 0; c < 3; c++) for (let i = 0; i < 35; i++) expect(out.data[c * 35 + i]).toBe([3, 5, 11][c]);
    }
  });

  it('never mixes phases: output plane c depends only on mosaic pixels of colour c', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BAYER_PATTERNS), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (p, w, h, seed) => {
        const u = mulberry32(seed);
        const a = mosaic(w, h, p, () => u());
        const base = debayerBilinear(a, w, h, p);
        for (let keep = 0; keep < 3; keep++) {
          const b = a.slice();
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (bayerColorAt(p, x, y) !== keep) b[y * w + x] = 1000 * u();
          const other = debayerBilinear(b, w, h, p);
          expect(other.data.subarray(keep * w * h, (keep + 1) * w * h)).toEqual(base.data.subarray(keep * w * h, (keep + 1) * w * h));
        }
      }),
      { seed: 11, numRuns: 60 },
    );
  });

  it('is bilinearValueAt at every pixel and channel (the value RCD falls back to), NaN neighbours included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BAYER_PATTERNS), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (p, w, h, seed) => {
        const u = mulberry32(seed);
        const m = Float32Array.from({ length: w * h }, () => (u() < 0.2 ? Number.NaN : 100 * u()));
        const out = debayerBilinear(m, w, h, p).data;
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(Object.is(out[(c * h + y) * w + x], Math.fround(bilinearValueAt(m, w, h, p, x, y, c as 0 | 1 | 2)))).toBe(true);
        }
      }),
      { seed: 5, numRuns: 60 },
    );
  });

  it('skips NaN neighbours and yields NaN only when all are NaN', () => {
    const m = mosaic(3, 3, 'RGGB', (c) => [1, 2, 3][c]);
    m[1] = Number.NaN; // G at (1,0)
    const out = debayerBilinear(m, 3, 3, 'RGGB');
    expect(out.data[9 + 0]).toBe(2); // G at R site (0,0) from (0,1) only
    m[3] = Number.NaN; // G at (0,1)
    expect(debayerBilinear(m, 3, 3, 'RGGB').data[9 + 0]).toBeNaN();
  });
});

describe('cosmeticCorrection', () => {
  const noisy = (w: number, h: number, seed: number) => {
    const u = mulberry32(seed);
    return Float32Array.from({ length: w * h }, () => 100 + u());
  };

  it('replaces an isolated hot pixel by the mean of the 4 pixels at distance 2', () => {
    const d = noisy(12, 12, 1);
    d[5 * 12 + 5] = 500;
    const r = cosmeticCorrection(img(12, 12, 1, d), 5);
    expect(r.corrected).toBe(1);
    const expected = (d[5 * 12 + 3] + d[5 * 12 + 7] + d[3 * 12 + 5] + d[7 * 12 + 5]) / 4;
    expect(r.image.data[5 * 12 + 5]).toBeCloseTo(expected, 4);
    expect(d[5 * 12 + 5]).toBe(500); // input untouched
  });

  it('leaves a star (several bright neighbours) and a clean image alone', () => {
    const d = noisy(12, 12, 2);
    for (const [x, y] of [[5, 5], [6, 5], [5, 6], [4, 5]]) d[y * 12 + x] = 500;
    expect(cosmeticCorrection(img(12, 12, 1, d), 5).corrected).toBe(0);
    expect(cosmeticCorrection(img(4, 4, 1, new Float32Array(16).fill(7)), 5).corrected).toBe(0);
  });

  it('uses per-colour statistics on a mosaic', () => {
    // R sites at 1000, others at ~100: without per-colour stats every R site would look hot
    const d = mosaic(12, 12, 'RGGB', (c, x, y) => (c === 0 ? 1000 : 100) + ((x * 7 + y * 3) % 5) * 0.1);
    expect(cosmeticCorrection(img(12, 12, 1, d), 5, 'RGGB').corrected).toBe(0);
    d[6 * 12 + 6] = 5000; // an R site
    const r = cosmeticCorrection(img(12, 12, 1, d), 5, 'RGGB');
    expect(r.corrected).toBe(1);
    expect(r.image.data[6 * 12 + 6]).toBeCloseTo(1000, -1);
  });
});

describe('validity and crop', () => {
  it('needs coverage >= max(1, ceil(min_coverage_fraction*N))', () => {
    expect(minCoverage(0, 40)).toBe(1);
    expect(minCoverage(0.2, 41)).toBe(9);
    expect(minCoverage(1, 3)).toBe(3);
  });

  it('writes invalid pixels as 0 or NaN', () => {
    const im = img(3, 1, 1, [1, Number.NaN, 3]);
    const z = applyValidity(im, [5, 5, 1], 2, 'zero');
    expect(Array.from(z.image.data)).toEqual([1, 0, 0]);
    expect(Array.from(z.mask)).toEqual([1, 0, 0]);
    expect(z.validPixels).toBe(1);
    const n = applyValidity(im, [5, 5, 1], 2, 'nan');
    expect(Number.isNaN(n.image.data[2])).toBe(true);
    expect(() => applyValidity(im, [1], 1, 'nan')).toThrow(RangeError);
  });

  it('finds the valid bounding box, optionally with an even origin, or null', () => {
    const mask = new Uint8Array(5 * 4);
    mask[1 * 5 + 3] = 1;
    mask[2 * 5 + 1] = 1;
    expect(validBoundingBox(mask, 5, 4)).toEqual({ x0: 1, y0: 1, width: 3, height: 2 });
    expect(validBoundingBox(mask, 5, 4, true)).toEqual({ x0: 0, y0: 0, width: 4, height: 3 });
    expect(validBoundingBox(new Uint8Array(4), 2, 2)).toBeNull();
    expect(Array.from(cropPlanes(Int32Array.from([0, 1, 2, 3, 4, 5]), 3, 2, 1, { x0: 1, y0: 1, width: 2, height: 1 }))).toEqual([4, 5]);
  });
});

describe('finishImage', () => {
  const cfg = (over: Partial<FinishConfig['output']> = {}, cosmetic = false, debayer = true, method: DebayerMethod = 'rcd'): FinishConfig => ({
    debayer,
    stacking: { cosmetic_correction: cosmetic, cosmetic_correction_sigma: 5, debayer_method: method },
    output: { min_coverage_fraction: 0, invalid_value: 'zero', crop_to_valid: false, ...over },
  });

  it('scales an OSC mosaic per colour, debayers it and keeps the scaled mosaic', () => {
    const m = mosaic(6, 4, 'RGGB', () => 1);
    const r = finishImage(
      { stacked: img(6, 4, 1, m), colorMode: 'OSC', bayerPattern: 'RGGB', backgrounds: [[10], [20], [30]], coverage: new Array(24).fill(3), nUsable: 3 },
      cfg(),
    );
    expect(r.image.planes).toBe(3);
    expect(r.bOut).toEqual([10, 20, 30]);
    for (let c = 0; c < 3; c++) for (let i = 0; i < 24; i++) expect(r.image.data[c * 24 + i]).toBe([10, 20, 30][c]);
    expect(r.mosaic!.data[0]).toBe(10);
    expect(r.mosaic!.data[1]).toBe(20);
  });

  it('crops to the valid box (even origin for OSC) and crops the coverage with it', () => {
    const cov = new Array(36).fill(0);
    for (let y = 3; y < 5; y++) for (let x = 1; x < 5; x++) cov[y * 6 + x] = 2;
    const r = finishImage(
      { stacked: img(6, 6, 1, new Float32Array(36).fill(1)), colorMode: 'OSC', bayerPattern: 'RGGB', backgrounds: [[1], [1], [1]], coverage: cov, nUsable: 2 },
      cfg({ crop_to_valid: true }),
    );
    expect(r.crop).toEqual({ x0: 0, y0: 2, width: 5, height: 3 });
    expect([r.image.width, r.image.height]).toEqual([5, 3]);
    expect(r.coverage.length).toBe(15);
    expect(r.coverage[0]).toBe(0);
    expect(r.coverage[1 * 5 + 1]).toBe(2);
    expect(r.mosaic!.width).toBe(5);
  });

  it('passes mono data through scale, cosmetic correction and validity', () => {
    const d = new Float32Array(100).map((_, i) => 1 + ((i * 37) % 11) * 0.01);
    d[55] = 50;
    const r = finishImage({ stacked: img(10, 10, 1, d), colorMode: 'MONO', backgrounds: [[2, 2, 4]], coverage: new Array(100).fill(3), nUsable: 3 }, cfg({}, true));
    expect(r.mosaic).toBeNull();
    expect(r.cosmeticCorrected).toBe(1);
    expect(r.image.data[0]).toBeCloseTo(2 * d[0], 5);
    expect(r.image.data[55]).toBeLessThan(3);
  });

  it('debayers with the configured method: rcd and bilinear give their own results of the scaled mosaic', () => {
    // a sharp, coloured star: the two methods disagree around it
    const m = mosaic(24, 24, 'GRBG', (c, x, y) => 10 + [3, 2, 1][c] * 500 * Math.exp(-((x - 11.7) ** 2 + (y - 12.2) ** 2) / 2));
    const input = { stacked: img(24, 24, 1, m), colorMode: 'OSC' as const, bayerPattern: 'GRBG' as const, backgrounds: [[2], [2], [2]], coverage: new Array(576).fill(3), nUsable: 3 };
    const scaled = m.map((v) => 2 * v);
    const rcd = finishImage(input, cfg({}, false, true, 'rcd')).image.data;
    const bil = finishImage(input, cfg({}, false, true, 'bilinear')).image.data;
    expect(rcd).toEqual(debayerRcd(scaled, 24, 24, 'GRBG').data);
    expect(bil).toEqual(debayerBilinear(scaled, 24, 24, 'GRBG').data);
    expect(rcd).not.toEqual(bil);
    expect(debayerMosaic(scaled, 24, 24, 'GRBG', 'bilinear').data).toEqual(bil);
  });

  it('refuses OSC without a Bayer pattern', () => {
    expect(() => finishImage({ stacked: img(2, 2, 1, [1, 1, 1, 1]), colorMode: 'OSC', backgrounds: [[1], [1], [1]], coverage: [1, 1, 1, 1], nUsable: 1 }, cfg())).toThrow(/Bayer/);
  });
});
