import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm, firstBitMismatch } from '../../../fixtures/wasm';
import type { Image } from '../../../../shared/image/image';
import { LANCZOS_ROW_WASM } from '../../../../shared/image/wasm/lanczos-row.wasm';
import { lanczosCfaWasm, lanczosPlaneWasm, wasmLanczosAvailable, type CfaPhases, type WasmTile } from '../../../../shared/image/wasm/lanczos-wasm';
import { warpRows, type Affine2x3 } from '../../../../shared/image/warp';
import { lanczosRow, lanczosRowCfa, type View } from '../../../../shared/image/warp-kernels';
import { mulberry32 } from '../../../../shared/util/seed';

// The WebAssembly kernel is a speed-up of the JS kernels: every output must be the same float32
// bit pattern (compared as uint32 words, so NaN payloads and signed zeros count), for any affine,
// at borders, with NaN pixels, across tile and band boundaries.

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/lanczos-row.wat', import.meta.url));

function noiseImage(w: number, h: number, planes: number, seed: number, nanEvery: number): Image {
  const u = mulberry32(seed);
  const data = Float32Array.from({ length: w * h * planes }, () => 100 + 50 * u());
  if (nanEvery > 0) for (let i = 5; i < data.length; i += nanEvery) data[i] = Number.NaN;
  return { width: w, height: h, planes, data };
}

/** Rotation by deg about the centre, scaled by s, then shifted by (tx, ty). */
function affine(deg: number, s: number, w: number, h: number, tx: number, ty: number): Affine2x3 {
  const t = (deg * Math.PI) / 180;
  const c = s * Math.cos(t);
  const n = s * Math.sin(t);
  const cx = w / 2;
  const cy = h / 2;
  return [c, -n, cx - c * cx + n * cy + tx, n, c, cy - n * cx - c * cy + ty];
}

describeCommittedWasm(WAT, LANCZOS_ROW_WASM);

/**
 * A plane where the rounding of every partial sum shows in the outputs: every 5th column and every
 * 5th row holds +-2^50 (sign alternating), the rest values in [0, 100]. A sample at fraction 0.5
 * whose first and last tap fall on such columns (rows) adds +2^50*w and -2^50*w with equal
 * weights: the huge terms cancel and what is left is the rounding of the partial sums. Summing in
 * any other float32 order than the JS kernel's changes about half of the interior outputs
 * (checked against the row-sums-first order: 1303 of 2337 samples differ inside their clamp range).
 */
function cancellingImage(w: number, h: number, seed: number): Image {
  const u = mulberry32(seed);
  const big = 2 ** 50;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y % 5 === 0) data[y * w + x] = (y / 5) % 2 === 0 ? big : -big;
      else if (x % 5 === 0) data[y * w + x] = (x / 5) % 2 === 0 ? big : -big;
      else data[y * w + x] = 100 * u();
    }
  }
  return { width: w, height: h, planes: 1, data };
}

describe('lanczosPlaneWasm', () => {
  it('runs in this Node (so the comparisons below test the WebAssembly kernel, not the fallback)', () => {
    expect(wasmLanczosAvailable()).toBe(true);
  });

  const tiles: WasmTile[] = [{ rows: 1, cols: 2 }, { rows: 5, cols: 14 }, { rows: 64, cols: 512 }];

  it('gives the bytes of lanczosRow for random affines, sizes, NaN pixels and tile shapes', () => {
    fc.assert(
      fc.property(
        fc.record({
          w: fc.integer({ min: 6, max: 70 }),
          h: fc.integer({ min: 6, max: 50 }),
          outW: fc.integer({ min: 1, max: 80 }),
          deg: fc.double({ min: -180, max: 180, noNaN: true }),
          scale: fc.double({ min: 0.6, max: 1.7, noNaN: true }),
          tx: fc.double({ min: -15, max: 15, noNaN: true }),
          ty: fc.double({ min: -15, max: 15, noNaN: true }),
          nanEvery: fc.constantFrom(0, 7, 61),
          tile: fc.constantFrom(...tiles),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        ({ w, h, outW, deg, scale, tx, ty, nanEvery, tile, seed }) => {
          const src = noiseImage(w, h, 1, seed, nanEvery);
          const M = affine(deg, scale, w, h, tx, ty);
          const [a, b, mtx, c, d, mty] = M;
          const v: View = { data: src.data, base: 0, xs: 1, ys: w, vw: w, vh: h };
          const y0 = 2;
          const y1 = h + 3;
          const want = new Float32Array(outW * (y1 - y0));
          for (let y = y0; y < y1; y++) lanczosRow(v, want, (y - y0) * outW, outW, b * y + mtx, d * y + mty, a, c);
          const got = new Float32Array(want.length);
          expect(lanczosPlaneWasm(v, M, got, 0, outW, y0, y1, tile)).toBe(true);
          expect(firstBitMismatch(got, want)).toBe(-1);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('gives the bytes of lanczosRow on a plane that is not the first (view base > 0)', () => {
    const src = noiseImage(40, 30, 3, 11, 23);
    const M = affine(3, 1.01, 40, 30, 0.3, -0.6);
    const v: View = { data: src.data, base: 2 * 40 * 30, xs: 1, ys: 40, vw: 40, vh: 30 };
    const want = new Float32Array(40 * 30);
    for (let y = 0; y < 30; y++) lanczosRow(v, want, y * 40, 40, M[1] * y + M[2], M[4] * y + M[5], M[0], M[3]);
    const got = new Float32Array(want.length);
    lanczosPlaneWasm(v, M, got, 0, 40, 0, 30, { rows: 7, cols: 12 });
    expect(firstBitMismatch(got, want)).toBe(-1);
  });

  it('returns the canonical NaN for NaN sources of any payload, as lanczosRow does', () => {
    const w = 30;
    const src = noiseImage(w, w, 1, 12, 0);
    const bits = new Uint32Array(src.data.buffer);
    bits[10 * w + 10] = 0xffc00000; // negative quiet NaN
    bits[10 * w + 12] = 0x7fc00123; // NaN with a payload
    const M = affine(1, 1, w, w, 0.37, 0.41);
    const v: View = { data: src.data, base: 0, xs: 1, ys: w, vw: w, vh: w };
    const want = new Float32Array(w * w);
    for (let y = 0; y < w; y++) lanczosRow(v, want, y * w, w, M[1] * y + M[2], M[4] * y + M[5], M[0], M[3]);
    const got = new Float32Array(w * w);
    lanczosPlaneWasm(v, M, got, 0, w, 0, w);
    expect(firstBitMismatch(got, want)).toBe(-1);
    const gotBits = new Uint32Array(got.buffer);
    expect(gotBits[10 * w + 10]).toBe(0x7fc00000);
    expect(gotBits[10 * w + 11]).toBe(0x7fc00000);
  });

  it('rounds LUT positions halfway between entries up, as Math.round does', () => {
    const src = noiseImage(64, 48, 1, 20, 0);
    const v: View = { data: src.data, base: 0, xs: 1, ys: 64, vw: 64, vh: 48 };
    // fractions 0.25 + 1/2048 and 0.75 + 1/2048: exactly half a LUT step past an entry
    const M: Affine2x3 = [1, 0, 0.25 + 1 / 2048, 0, 1, 0.75 + 1 / 2048];
    const want = new Float32Array(64 * 48);
    for (let y = 0; y < 48; y++) lanczosRow(v, want, y * 64, 64, M[2], y + M[5], 1, 0);
    const got = new Float32Array(want.length);
    lanczosPlaneWasm(v, M, got, 0, 64, 0, 48);
    expect(firstBitMismatch(got, want)).toBe(-1);
  });

  it('gives the bytes of lanczosRow for whole-pixel fractions and strong minification', () => {
    const src = noiseImage(64, 48, 1, 13, 0);
    const v: View = { data: src.data, base: 0, xs: 1, ys: 64, vw: 64, vh: 48 };
    // x fraction 0.5, y whole: one-row samples; scale 40: a window beyond the size limit
    for (const M of [[1, 0, 0.5, 0, 1, 3], [40, 0, 0.25, 0, 40, 0.75], [0.999, 0.02, -0.5, -0.02, 0.999, 1]] as Affine2x3[]) {
      const want = new Float32Array(70 * 50);
      for (let y = 0; y < 50; y++) lanczosRow(v, want, y * 70, 70, M[1] * y + M[2], M[4] * y + M[5], M[0], M[3]);
      const got = new Float32Array(want.length);
      lanczosPlaneWasm(v, M, got, 0, 70, 0, 50, { rows: 6, cols: 16 });
      expect(firstBitMismatch(got, want)).toBe(-1);
    }
  });

  it('sums in the float32 order of the JS kernel (outputs that expose reassociation agree)', () => {
    const w = 64;
    const h = 48;
    const src = cancellingImage(w, h, 16);
    const v: View = { data: src.data, base: 0, xs: 1, ys: w, vw: w, vh: h };
    const M: Affine2x3 = [1, 0, 0.5, 0, 1, 0.5];
    const want = new Float32Array(w * h);
    for (let y = 0; y < h; y++) lanczosRow(v, want, y * w, w, M[2], y + M[5], 1, 0);
    const got = new Float32Array(want.length);
    lanczosPlaneWasm(v, M, got, 0, w, 0, h, { rows: 8, cols: 20 });
    expect(firstBitMismatch(got, want)).toBe(-1);
  });

  it('picks the same signed zero as lanczosRow when the clamp limit is a -0/+0 tie', () => {
    const w = 40;
    const u = mulberry32(18);
    // mostly zeros of both signs: clamps to a 2x2 of zeros are frequent and their sign is a tie
    const data = Float32Array.from({ length: w * w }, () => [0, -0, 0, -0, 0, -0, 3, -3][Math.floor(8 * u())]);
    const v: View = { data, base: 0, xs: 1, ys: w, vw: w, vh: w };
    const M = affine(7, 1.03, w, w, 0.31, 0.27);
    const want = new Float32Array(w * w);
    for (let y = 0; y < w; y++) lanczosRow(v, want, y * w, w, M[1] * y + M[2], M[4] * y + M[5], M[0], M[3]);
    const got = new Float32Array(want.length);
    lanczosPlaneWasm(v, M, got, 0, w, 0, w);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(want.some((x) => Object.is(x, -0))).toBe(true);
  });

  it('rejects a tile with an odd number of columns or more columns than an interior span may have', () => {
    const src = noiseImage(10, 10, 1, 14, 0);
    const v: View = { data: src.data, base: 0, xs: 1, ys: 10, vw: 10, vh: 10 };
    expect(() => lanczosPlaneWasm(v, [1, 0, 0.5, 0, 1, 0.5], new Float32Array(100), 0, 10, 0, 10, { rows: 4, cols: 7 })).toThrow(RangeError);
    expect(() => lanczosPlaneWasm(v, [1, 0, 0.5, 0, 1, 0.5], new Float32Array(100), 0, 10, 0, 10, { rows: 4, cols: 2 ** 16 + 2 })).toThrow(RangeError);
  });
});

describe('lanczosCfaWasm', () => {
  function phases(src: Image): CfaPhases {
    const { width: W, height: H, data } = src;
    const views: View[] = [];
    for (let oy = 0; oy < 2; oy++) {
      for (let ox = 0; ox < 2; ox++) views.push({ data, base: oy * W + ox, xs: 2, ys: 2 * W, vw: (W - ox + 1) >> 1, vh: (H - oy + 1) >> 1 });
    }
    return { data, w: W, h: H, views, cx: [0.3, -1.7, 2.25, 0.5], cy: [-0.4, 1.1, 0.75, -2.5] };
  }

  it('gives the bytes of lanczosRowCfa for random affines, odd sizes and tile shapes', () => {
    fc.assert(
      fc.property(
        fc.record({
          w: fc.integer({ min: 8, max: 90 }),
          h: fc.integer({ min: 8, max: 60 }),
          outW: fc.integer({ min: 1, max: 95 }),
          deg: fc.double({ min: -180, max: 180, noNaN: true }),
          scale: fc.double({ min: 0.7, max: 1.4, noNaN: true }),
          nanEvery: fc.constantFrom(0, 9, 53),
          tile: fc.constantFrom<WasmTile>({ rows: 1, cols: 2 }, { rows: 3, cols: 10 }, { rows: 64, cols: 512 }),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        ({ w, h, outW, deg, scale, nanEvery, tile, seed }) => {
          const src = noiseImage(w, h, 1, seed, nanEvery);
          const ph = phases(src);
          const M = affine(deg, scale, w, h, 0, 0);
          const [a, b, , c, d] = M;
          const y0 = 1;
          const y1 = h + 2;
          const want = new Float32Array(outW * (y1 - y0));
          for (let y = y0; y < y1; y++) {
            const v = y >> 1;
            for (let ox = 0; ox < 2; ox++) {
              const i = ((y & 1) << 1) | ox;
              lanczosRowCfa(ph.views[i], want, (y - y0) * outW + ox, (outW - ox + 1) >> 1, a, b * v, ph.cx[i], c, d * v, ph.cy[i]);
            }
          }
          const got = new Float32Array(want.length);
          expect(lanczosCfaWasm(ph, M, got, outW, y0, y1, tile)).toBe(true);
          expect(firstBitMismatch(got, want)).toBe(-1);
        },
      ),
      { numRuns: 120, seed: 8 },
    );
  });
});

describe('lanczosCfaWasm on cancelling data', () => {
  it('sums in the float32 order of the JS kernel on every phase', () => {
    // phase pixel (i, j) = raw (ox + 2i, oy + 2j): the phase image of cancellingImage(w/2, h/2)
    const w = 96;
    const h = 80;
    const ph = cancellingImage(w / 2, h / 2, 17);
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = ph.data[(y >> 1) * (w / 2) + (x >> 1)];
    const views: View[] = [];
    for (let i = 0; i < 4; i++) views.push({ data, base: (i >> 1) * w + (i & 1), xs: 2, ys: 2 * w, vw: w / 2, vh: h / 2 });
    const phases: CfaPhases = { data, w, h, views, cx: [0.5, 0.5, 0.5, 0.5], cy: [0.5, 0.5, 0.5, 0.5] };
    const M: Affine2x3 = [1, 0, 0, 0, 1, 0];
    const want = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let ox = 0; ox < 2; ox++) lanczosRowCfa(views[((y & 1) << 1) | ox], want, y * w + ox, w / 2, 1, 0, 0.5, 0, y >> 1, 0.5);
    }
    const got = new Float32Array(want.length);
    lanczosCfaWasm(phases, M, got, w, 0, h, { rows: 6, cols: 24 });
    expect(firstBitMismatch(got, want)).toBe(-1);
  });

  it('picks the same signed zero as lanczosRowCfa at -0/+0 ties', () => {
    const w = 60;
    const u = mulberry32(19);
    const data = Float32Array.from({ length: w * w }, () => [0, -0, 0, -0, 0, -0, 3, -3][Math.floor(8 * u())]);
    const views: View[] = [];
    for (let i = 0; i < 4; i++) views.push({ data, base: (i >> 1) * w + (i & 1), xs: 2, ys: 2 * w, vw: w / 2, vh: w / 2 });
    const M = affine(5, 0.98, w, w, 0, 0);
    const phases: CfaPhases = { data, w, h: w, views, cx: [0.3, 0.4, 0.2, 0.35], cy: [0.45, 0.15, 0.25, 0.3] };
    const want = new Float32Array(w * w);
    for (let y = 0; y < w; y++) {
      for (let ox = 0; ox < 2; ox++) {
        const i = ((y & 1) << 1) | ox;
        lanczosRowCfa(views[i], want, y * w + ox, w / 2, M[0], M[1] * (y >> 1), phases.cx[i], M[3], M[4] * (y >> 1), phases.cy[i]);
      }
    }
    const got = new Float32Array(want.length);
    lanczosCfaWasm(phases, M, got, w, 0, w);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(want.some((x) => Object.is(x, -0))).toBe(true);
  });
});

describe('warpRows with kernels auto vs js', () => {
  it('gives identical bytes for mono, multi-plane and CFA warps, whole or in bands', () => {
    fc.assert(
      fc.property(
        fc.record({
          planes: fc.constantFrom(1, 3),
          cfa: fc.boolean(),
          deg: fc.double({ min: -20, max: 20, noNaN: true }),
          tx: fc.double({ min: -9, max: 9, noNaN: true }),
          ty: fc.double({ min: -9, max: 9, noNaN: true }),
          y0: fc.integer({ min: 0, max: 40 }),
          rows: fc.integer({ min: 0, max: 40 }),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        ({ planes, cfa, deg, tx, ty, y0, rows, seed }) => {
          const src = noiseImage(57, 43, cfa ? 1 : planes, seed, 31);
          const M = affine(deg, 1, 57, 43, tx, ty);
          const js = warpRows(src, M, 61, y0, y0 + rows, 'lanczos3', { cfa, kernels: 'js' });
          const auto = warpRows(src, M, 61, y0, y0 + rows, 'lanczos3', { cfa });
          expect(auto.planes).toBe(js.planes);
          expect(firstBitMismatch(auto.data, js.data)).toBe(-1);
        },
      ),
      { numRuns: 60, seed: 9 },
    );
  });

  it('tells the two engines apart in this check: a one-bit change is caught', () => {
    const src = noiseImage(30, 20, 1, 15, 0);
    const M = affine(2, 1, 30, 20, 0.3, 0.3);
    const a = warpRows(src, M, 30, 0, 20, 'lanczos3', { kernels: 'js' });
    const b = warpRows(src, M, 30, 0, 20, 'lanczos3');
    new Uint32Array(b.data.buffer)[77] ^= 1;
    expect(firstBitMismatch(b.data, a.data)).toBe(77);
  });
});
