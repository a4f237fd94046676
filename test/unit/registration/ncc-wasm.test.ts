import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../fixtures/wasm';
import type { Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { nccPlane } from '../../../shared/pipeline/registration/high-pass';
import { nccUnderTransform } from '../../../shared/pipeline/registration/ncc';
import { nccPairWasm } from '../../../shared/pipeline/registration/ncc-wasm';
import { NCC_PAIR_WASM } from '../../../shared/pipeline/registration/wasm/ncc-pair.wasm';
import { mulberry32 } from '../../../shared/util/seed';

// The WebAssembly NCC sweep is a speed-up of nccUnderTransform run twice: both values must be the
// same float64 (Object.is), for any sizes, NaN pixels, shifts, rotations (kernel windows and the
// JS bands of large rotations), flips and matrices that move everything out of the frame.

const FC = { seed: 20261128, numRuns: 60 };
const WAT = fileURLToPath(new URL('../../../shared/pipeline/registration/wasm/ncc-pair.wat', import.meta.url));

function field(w: number, h: number, seed: number, nanShare: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: w * h }, (_, i) => (u() < nanShare ? Number.NaN : 50 + 20 * Math.sin(i / 13) + 10 * u()));
}

function rotation(deg: number, s: number, tx: number, ty: number): Affine2x3 {
  const t = (deg * Math.PI) / 180;
  return [s * Math.cos(t), -s * Math.sin(t), tx, s * Math.sin(t), s * Math.cos(t), ty];
}

describeCommittedWasm(WAT, NCC_PAIR_WASM);

describe('nccPairWasm', () => {
  it('gives both NCCs of nccUnderTransform to the last bit, plain and high-passed planes, NaN pixels included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 110 }),
        fc.integer({ min: 2, max: 90 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom(0, 0.01, 0.2),
        fc.constantFrom(0, 0.3, -2, 30, 45, 90, 180),
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.double({ min: -8, max: 8, noNaN: true }),
        fc.boolean(),
        (w, h, seed, nan, deg, tx, ty, sameSize) => {
          const mw = sameSize ? w : w + 7;
          const mh = sameSize ? h : Math.max(2, h - 5);
          const ref = field(w, h, seed, nan);
          const mov = field(mw, mh, seed + 1, nan);
          const refHp = nccPlane(ref, w, h);
          const movHp = nccPlane(mov, mw, mh);
          const M = rotation(deg, 1.003, tx, ty);
          const got = nccPairWasm({ ref: [ref, refHp], refW: w, refH: h, mov: [mov, movHp], movW: mw, movH: mh }, M);
          if (got === null) throw new Error('WebAssembly SIMD is not available');
          expect(Object.is(got[0], nccUnderTransform(ref, w, h, mov, mw, mh, M))).toBe(true);
          expect(Object.is(got[1], nccUnderTransform(refHp, w, h, movHp, mw, mh, M))).toBe(true);
        },
      ),
      FC,
    );
  });

  it('keeps the special cases of the bilinear weights: half-pixel shifts along one axis only', () => {
    const ref = field(64, 48, 3, 0.05);
    const mov = field(64, 48, 4, 0.05);
    for (const M of [
      [1, 0, 0.5, 0, 1, 0],
      [1, 0, 0, 0, 1, -0.25],
      [1, 0, 2.5, 0, 1, 3],
    ] as Affine2x3[]) {
      const got = nccPairWasm({ ref: [ref, mov], refW: 64, refH: 48, mov: [mov, ref], movW: 64, movH: 48 }, M);
      expect(got).not.toBeNull();
      expect(Object.is(got?.[0], nccUnderTransform(ref, 64, 48, mov, 64, 48, M))).toBe(true);
      expect(Object.is(got?.[1], nccUnderTransform(mov, 64, 48, ref, 64, 48, M))).toBe(true);
    }
  });

  it('sweeps a band in JS when its window would be too large (45 degrees on a 1600 px frame), still to the last bit', () => {
    // a band's window: ~(1600 + 64) * 0.71 px square, above MAX_WINDOW_FLOATS (2^20)
    const w = 1600;
    const h = 1200;
    const ref = field(w, h, 6, 0.001);
    const mov = field(w, h, 7, 0.001);
    const M = rotation(45, 1, 800, -500);
    const got = nccPairWasm({ ref: [ref, mov], refW: w, refH: h, mov: [mov, ref], movW: w, movH: h }, M);
    expect(Object.is(got?.[0], nccUnderTransform(ref, w, h, mov, w, h, M))).toBe(true);
    expect(Object.is(got?.[1], nccUnderTransform(mov, w, h, ref, w, h, M))).toBe(true);
  });

  it('is NaN where nccUnderTransform is (no overlap), and leaves whole-pixel shifts to it (null)', () => {
    const ref = field(30, 20, 5, 0);
    const p = { ref: [ref, ref], refW: 30, refH: 20, mov: [ref, ref], movW: 30, movH: 20 } as const;
    const out = nccPairWasm(p, [1, 0, 100.5, 0, 1, 0]);
    expect(out?.[0]).toBeNaN();
    expect(out?.[1]).toBeNaN();
    expect(nccPairWasm(p, [1, 0, 0, 0, 1, 0])).toBeNull();
    expect(nccPairWasm(p, [1, 0, 3, 0, 1, -2])).toBeNull();
  });
});
