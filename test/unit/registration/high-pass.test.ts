import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxMean, median3x3 } from '../../../shared/image/filters';
import { NCC_HIGHPASS_BOX, nccPlane, nccPlaneAndIdentity, streamedHighPass } from '../../../shared/pipeline/registration/high-pass';
import { nccUnderTransform } from '../../../shared/pipeline/registration/ncc';
import { mulberry32 } from '../../../shared/util/seed';

const FC = { seed: 20261126, numRuns: 80 };

/**
 * The definition nccPlane is a faster form of: the 3x3 median (filters.ts), minus its box mean
 * (box NCC_HIGHPASS_BOX, at most the largest odd size that fits), rounded to float32 like a stored
 * plane, with a rim of half the box set to NaN wherever the frame is larger than four half-boxes.
 */
function highPassByDefinition(p: Float32Array, w: number, h: number): Float32Array {
  const side = Math.min(w, h);
  const k = Math.max(1, Math.min(NCC_HIGHPASS_BOX, side % 2 === 1 ? side : side - 1));
  const m = median3x3(p, w, h);
  const bg = boxMean(m, w, h, k);
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = m[i] - bg[i];
  const half = (k - 1) >> 1;
  if (w > 4 * half && h > 4 * half) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (y < half || y >= h - half || x < half || x >= w - half) out[y * w + x] = Number.NaN;
  }
  return out;
}

/** Index of the first float32 whose bits differ (NaN payloads and zero signs count), -1 if none. */
function firstBitMismatch(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) return i;
  return -1;
}

function skyPlane(w: number, h: number, seed: number, invalidShare: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: w * h }, (_, i) => {
    if (u() < invalidShare) return u() < 0.8 ? Number.NaN : Number.POSITIVE_INFINITY;
    const x = i % w;
    const y = (i - x) / w;
    return 1000 + 3 * x - 2 * y + 20 * u() + (u() < 0.01 ? 5000 : 0);
  });
}

describe('nccPlane', () => {
  it('equals median, minus box mean, rim NaN, bit for bit, for frames with and without a rim and with NaN or Infinity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 0, 0.01, 0.3), (w, h, seed, invalid) => {
        const p = skyPlane(w, h, seed, invalid);
        expect(firstBitMismatch(nccPlane(p, w, h), highPassByDefinition(p, w, h))).toBe(-1);
      }),
      FC,
    );
  });

  it('streams the same plane in JS (the path without WebAssembly and for proxies with NaN)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 29, max: 70 }), fc.integer({ min: 29, max: 50 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 0.01, 0.3), (w, h, seed, invalid) => {
        const p = skyPlane(w, h, seed, invalid);
        expect(firstBitMismatch(streamedHighPass(p, w, h), highPassByDefinition(p, w, h))).toBe(-1);
      }),
      { ...FC, numRuns: 40 },
    );
  });

  it('refuses to stream a frame too small for the rim (nccPlane takes whole planes there)', () => {
    expect(() => streamedHighPass(new Float32Array(28 * 40), 28, 40)).toThrow(RangeError);
  });

  it('keeps a star and removes a sky gradient and a hot pixel; the rim is NaN', () => {
    const w = 64;
    const h = 48;
    const p = Float32Array.from({ length: w * h }, (_, i) => 500 + 4 * (i % w) + 3 * Math.floor(i / w));
    p[20 * w + 30] = 9000; // hot pixel
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) p[(30 + dy) * w + 40 + dx] += 800 * Math.exp(-(dx * dx + dy * dy) / 2);
    const hp = nccPlane(p, w, h);
    expect(hp[30 * w + 40]).toBeGreaterThan(300);
    // the median keeps one ramp step of the 8000 above the sky
    expect(Math.abs(hp[20 * w + 30])).toBeLessThan(2);
    expect(Math.abs(hp[10 * w + 15])).toBeLessThan(1e-3);
    expect(hp[3 * w + 30]).toBeNaN();
    expect(hp[20 * w + 60]).toBeNaN();
    expect(hp[7 * w + 7]).not.toBeNaN();
  });

  it('does not mutate its input and gives NaN only around an invalid pixel, not across the frame', () => {
    const w = 60;
    const h = 40;
    const p = skyPlane(w, h, 3, 0);
    p[20 * w + 30] = Number.NaN;
    const copy = p.slice();
    const hp = nccPlane(p, w, h);
    expect(firstBitMismatch(p, copy)).toBe(-1);
    expect(hp[20 * w + 31]).toBeNaN();
    expect(hp[20 * w + 33]).not.toBeNaN();
    expect(hp[25 * w + 30]).not.toBeNaN();
  });
});

describe('nccPlaneAndIdentity', () => {
  const I: [number, number, number, number, number, number] = [1, 0, 0, 0, 1, 0];

  it('gives nccPlane and both NCCs at identity to the last bit, reference NaN and proxy NaN included', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0, 0, 0.01), fc.constantFrom(0, 0.05), (w, h, seed, movingInvalid, refNan) => {
        const p = skyPlane(w, h, seed, movingInvalid);
        const q = skyPlane(w, h, seed + 1, 0).map((v, i) => (i % 97 < 97 * refNan ? Number.NaN : v));
        const ref = { proxy: q, highPass: nccPlane(q, w, h), w, h };
        const got = nccPlaneAndIdentity(p, w, h, ref);
        expect(firstBitMismatch(got.plane, nccPlane(p, w, h))).toBe(-1);
        expect(Object.is(got.plainIdentity, nccUnderTransform(q, w, h, p, w, h, I))).toBe(true);
        expect(Object.is(got.highPassIdentity, nccUnderTransform(ref.highPass, w, h, got.plane, w, h, I))).toBe(true);
      }),
      { ...FC, numRuns: 50 },
    );
  });

  it('measures a reference of another size over the overlap, as nccUnderTransform does', () => {
    const p = skyPlane(50, 40, 1, 0);
    const q = skyPlane(44, 46, 2, 0);
    const ref = { proxy: q, highPass: nccPlane(q, 44, 46), w: 44, h: 46 };
    const got = nccPlaneAndIdentity(p, 50, 40, ref);
    expect(Object.is(got.plainIdentity, nccUnderTransform(q, 44, 46, p, 50, 40, I))).toBe(true);
    expect(Object.is(got.highPassIdentity, nccUnderTransform(ref.highPass, 44, 46, got.plane, 50, 40, I))).toBe(true);
  });
});
