import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { STAR_MOMENTS_WASM } from '../../../../shared/image/wasm/star-moments.wasm';
import { starMomentsKernel, type StarMomentsKernel } from '../../../../shared/image/wasm/star-moments';
import { measureStarShape } from '../../../../shared/pipeline/measure-star';
import { mulberry32 } from '../../../../shared/util/seed';

// The kernel's exponential must be V8's Math.exp to the bit (adaptiveMoments' weights, hence every
// FWHM, roundness and the star cache, depend on it), on both its scalar and two-lane paths.

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/star-moments.wat', import.meta.url));

describeCommittedWasm(WAT, STAR_MOMENTS_WASM);

function kernel(): StarMomentsKernel {
  const k = starMomentsKernel();
  expect(k).not.toBeNull();
  return k as StarMomentsKernel;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('the star-moments exponential', () => {
  it('is Math.exp for every double, on the scalar and the two-lane path', () => {
    const k = kernel();
    fc.assert(
      fc.property(fc.double(), fc.double({ min: -720, max: 0 }), (x, y) => {
        expect(same(k.exp(x), Math.exp(x))).toBe(true);
        const [a, b] = k.expPair(y, x);
        expect(same(a, Math.exp(y))).toBe(true);
        expect(same(b, Math.exp(x))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('is Math.exp across the argument ranges of the algorithm and at their edges', () => {
    const k = kernel();
    const u = mulberry32(17);
    const edges = [0, -0, 1, -1, 2 ** -28, -(2 ** -28), -(2 ** -29), 0.3465735902799726, -0.3465735902799726, 1.0397207708399179, -1.0397207708399179, -707, -708.4, -745.1332191019411, -745.2, 709.782712893384, 709.79, Infinity, -Infinity, Number.NaN, 5e-324];
    const wrong: number[] = [];
    for (const [lo, hi] of [[-750, 710], [-2, 2], [-0.4, 0.4], [-708, -700], [-40, 0]]) {
      for (let i = 0; i < 20000; i++) {
        const x = i < edges.length ? edges[i] : lo + (hi - lo) * u();
        const y = lo + (hi - lo) * u();
        const [a, b] = k.expPair(x, y);
        if (!(same(k.exp(x), Math.exp(x)) && same(a, Math.exp(x)) && same(b, Math.exp(y)))) wrong.push(x, y);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('tells neighbouring arguments apart (the comparison can fail)', () => {
    const k = kernel();
    const x = -3.25;
    const next = x + 2 ** -50;
    expect(k.exp(next)).not.toBe(Math.exp(x));
    expect(k.expPair(x, next)[1]).toBe(Math.exp(next));
  });
});

describe('measureStarShape through the kernel', () => {
  it('measures every star as the JS moments do (same doubles), rejections included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.6, max: 4, noNaN: true }),
        fc.double({ min: 0.6, max: 4, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.integer({ min: 5, max: 12 }),
        fc.integer({ min: 1, max: 1e6 }),
        (sx, sy, ox, oy, snr, r, seed) => {
          const w = 40;
          const u = mulberry32(seed);
          const plane = new Float32Array(w * w);
          for (let y = 0; y < w; y++)
            for (let x = 0; x < w; x++) {
              const dx = x - 20 - ox;
              const dy = y - 20 - oy;
              plane[y * w + x] = 100 + (u() - 0.5) * 4 + snr * 4 * Math.exp(-0.5 * ((dx * dx) / (sx * sx) + (dy * dy) / (sy * sy)));
            }
          const auto = measureStarShape(plane, w, w, 20, 20, r);
          const js = measureStarShape(plane, w, w, 20, 20, r, 'js');
          expect(JSON.stringify(auto)).toBe(JSON.stringify(js));
          if (auto) for (const key of ['x', 'y', 'fwhm', 'roundness'] as const) expect(Object.is(auto[key], js![key])).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('compares measured stars, not only rejections: a bright round star is measured on both paths', () => {
    const w = 32;
    const plane = Float32Array.from({ length: w * w }, (_, i) => 100 + 50 * Math.exp(-0.5 * (((i % w) - 16) ** 2 + (Math.floor(i / w) - 16) ** 2) / 2));
    const auto = measureStarShape(plane, w, w, 16, 16, 6);
    expect(auto).not.toBeNull();
    expect(auto!.fwhm).toBeCloseTo(2.3548 * Math.SQRT2, 1);
    expect(JSON.stringify(auto)).toBe(JSON.stringify(measureStarShape(plane, w, w, 16, 16, 6, 'js')));
  });
});
