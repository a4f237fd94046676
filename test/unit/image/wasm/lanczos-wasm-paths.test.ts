import { describe, expect, it } from 'vitest';
import { firstBitMismatch } from '../../../fixtures/wasm';
import { lanczosCfaWasm, lanczosPlaneWasm, type CfaPhases, type WasmWarpStats } from '../../../../shared/image/wasm/lanczos-wasm';
import type { Affine2x3 } from '../../../../shared/image/warp';
import { lanczosRow, lanczosRowCfa, type View } from '../../../../shared/image/warp-kernels';
import { mulberry32 } from '../../../../shared/util/seed';

// Which samples the WebAssembly kernel computes itself and which it hands to the JS sampler: the
// bytes are the same either way (checked here too), so the fallback count is what tells the paths
// apart. Samples with one whole-pixel fraction and interior samples (no border checks) are the
// kernel's; near the border and with both fractions whole, the JS sampler's.

function plane(w: number, h: number, seed: number, values?: readonly number[]): View {
  const u = mulberry32(seed);
  const data = Float32Array.from({ length: w * h }, () => (values ? values[Math.floor(values.length * u())] : 100 + 50 * u()));
  return { data, base: 0, xs: 1, ys: w, vw: w, vh: h };
}

/** lanczosRow over rows [y0, y1) and the kernel's bytes and fallback count for the same rows. */
function bothEngines(v: View, M: Affine2x3, outW: number, y0: number, y1: number): { want: Float32Array; got: Float32Array; fallbacks: number } {
  const want = new Float32Array(outW * (y1 - y0));
  for (let y = y0; y < y1; y++) lanczosRow(v, want, (y - y0) * outW, outW, M[1] * y + M[2], M[4] * y + M[5], M[0], M[3]);
  const got = new Float32Array(want.length);
  const stats: WasmWarpStats = { fallbacks: 0 };
  expect(lanczosPlaneWasm(v, M, got, 0, outW, y0, y1, undefined, stats)).toBe(true);
  return { want, got, fallbacks: stats.fallbacks };
}

/**
 * Samples of the rows the JS sampler must take: inside the frame but in its half-pixel rim
 * (position below 0, or within 1/64 px of 0 or of the far edge), or with both fractions whole
 * (rounded to the 1/1024 px LUT). The kernel computes all others, with the frame edge repeated.
 */
function rimSamples(v: View, M: Affine2x3, outW: number, y0: number, y1: number): number {
  const m = 1 / 64;
  const whole = (s: number): boolean => Math.round((s - Math.floor(s)) * 1024) % 1024 === 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0, sx = M[1] * y + M[2], sy = M[4] * y + M[5]; x < outW; x++, sx += M[0], sy += M[3]) {
      const inFrame = sx >= -0.5 && sx <= v.vw - 0.5 && sy >= -0.5 && sy <= v.vh - 0.5;
      const kernel = sx >= m && sx <= v.vw - 0.5 - m && sy >= m && sy <= v.vh - 0.5 - m;
      if (inFrame && (!kernel || (whole(sx) && whole(sy)))) count++;
    }
  }
  return count;
}

describe('lanczosPlaneWasm on whole-pixel fractions', () => {
  // all sources well inside a 64 x 48 plane: output 40 x 30 shifted by (3, 5)
  it('computes one-column samples (x fraction whole) in the kernel, with NaN pixels', () => {
    const v = plane(64, 48, 30);
    v.data[20 * 64 + 20] = Number.NaN;
    const { want, got, fallbacks } = bothEngines(v, [1, 0, 3, 0, 1, 5.3], 40, 0, 30);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(0);
    expect(want.some(Number.isNaN)).toBe(true);
  });

  it('computes one-row samples (y fraction whole) in the kernel', () => {
    const { want, got, fallbacks } = bothEngines(plane(64, 48, 31), [1, 0, 3.71, 0, 1, 5], 40, 0, 30);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(0);
  });

  it('picks the sampler\'s zero at -0/+0 ties of the one-row and one-column clamps', () => {
    const zeros = [0, -0, 0, -0, 3, -3];
    for (const M of [[1, 0, 3, 0, 1, 5.3], [1, 0, 3.71, 0, 1, 5]] as Affine2x3[]) {
      const { want, got } = bothEngines(plane(64, 48, 32, zeros), M, 40, 0, 30);
      expect(firstBitMismatch(got, want)).toBe(-1);
      expect(want.some((x) => Object.is(x, -0))).toBe(true);
    }
  });

  it('leaves samples with both fractions whole to the JS sampler (every sample here)', () => {
    // a = 2: not an integer translation, so warpRows would send it here too
    const { want, got, fallbacks } = bothEngines(plane(100, 80, 33), [2, 0, 3, 0, 1, 5], 40, 0, 30);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(40 * 30);
  });
});

describe('lanczosPlaneWasm interior spans', () => {
  it('computes samples near the frame border too, leaving the JS sampler only the half-pixel rim', () => {
    // shifted and slightly rotated: rows leave the frame on the left, some rows lie outside it
    const v = plane(64, 48, 34);
    const M: Affine2x3 = [0.99, 0.02, -20.3, -0.02, 0.99, -6.4];
    const { want, got, fallbacks } = bothEngines(v, M, 90, 0, 60);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(rimSamples(v, M, 90, 0, 60));
    expect(fallbacks).toBeGreaterThan(0);
    expect(fallbacks).toBeLessThan(200);
  });

  it('leaves every covered sample to the JS sampler when the window is too large for the kernel', () => {
    // scale 40: the 60 x 12 output tile needs a 2365 x 445 px window, over the kernel's 4 MB
    const v = plane(2420, 460, 35);
    const M: Affine2x3 = [40, 0, 0.3, 0, 40, 0.6];
    const { want, got, fallbacks } = bothEngines(v, M, 60, 0, 12);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(60 * 12);
  });
});

describe('lanczosCfaWasm on whole-pixel fractions', () => {
  function mosaic(seed: number, cx: number[], cy: number[]): CfaPhases {
    const w = 80;
    const h = 64;
    const data = plane(w, h, seed).data;
    const views: View[] = [];
    for (let i = 0; i < 4; i++) views.push({ data, base: (i >> 1) * w + (i & 1), xs: 2, ys: 2 * w, vw: w / 2, vh: h / 2 });
    return { data, w, h, views, cx, cy };
  }

  function both(ph: CfaPhases): { want: Float32Array; got: Float32Array; fallbacks: number } {
    // output 60 x 40 shifted by (8, 8) raw px, so (u + cx, v + cy) with cx, cy = 4 +- 0.75 phase px
    // lie well inside the 40 x 32 phase views and inside the windows the shift gives
    const want = new Float32Array(60 * 40);
    for (let y = 0; y < 40; y++) {
      for (let ox = 0; ox < 2; ox++) {
        const i = ((y & 1) << 1) | ox;
        lanczosRowCfa(ph.views[i], want, y * 60 + ox, 30, 1, 0, ph.cx[i], 0, y >> 1, ph.cy[i]);
      }
    }
    const got = new Float32Array(want.length);
    const stats: WasmWarpStats = { fallbacks: 0 };
    expect(lanczosCfaWasm(ph, [1, 0, 8, 0, 1, 8], got, 60, 0, 40, { rows: 16, cols: 24 }, stats)).toBe(true);
    return { want, got, fallbacks: stats.fallbacks };
  }

  it('computes one-column and one-row samples of every phase in the kernel', () => {
    const { want, got, fallbacks } = both(mosaic(36, [4, 4.5, 4.25, 4], [4.5, 4, 4, 4.75]));
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(fallbacks).toBe(0);
  });

  it('leaves samples with both fractions whole to the JS sampler', () => {
    const { want, got, fallbacks } = both(mosaic(37, [4, 4.5, 4.25, 4], [4, 4, 4, 4]));
    expect(firstBitMismatch(got, want)).toBe(-1);
    // phases 0 and 3 (rows y even, x even; rows y odd, x odd): 30 samples per row, 20 rows each
    expect(fallbacks).toBe(2 * 30 * 20);
  });

  it('computes the samples near the frame border of every phase too, leaving the JS sampler only the half-pixel rim', () => {
    // the phase offsets warp.ts derives from M; a rotated warp crossing the frame edges
    const M: Affine2x3 = [0.995, -0.03, -3.3, 0.03, 0.995, -2.6];
    const ph = mosaic(38, [], []);
    const cx: number[] = [];
    const cy: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ox = i & 1;
      const oy = i >> 1;
      cx.push((M[0] * ox + M[1] * oy + M[2] - ox) / 2);
      cy.push((M[3] * ox + M[4] * oy + M[5] - oy) / 2);
    }
    const phases: CfaPhases = { ...ph, cx, cy };
    const outW = 86;
    const outH = 70;
    const want = new Float32Array(outW * outH);
    const m = 1 / 64;
    let rim = 0;
    for (let y = 0; y < outH; y++) {
      const v = y >> 1;
      for (let ox = 0; ox < 2; ox++) {
        const i = ((y & 1) << 1) | ox;
        const view = ph.views[i];
        const n = (outW - ox + 1) >> 1;
        lanczosRowCfa(view, want, y * outW + ox, n, M[0], M[1] * v, cx[i], M[3], M[4] * v, cy[i]);
        for (let u = 0; u < n; u++) {
          const sx = M[0] * u + M[1] * v + cx[i];
          const sy = M[3] * u + M[4] * v + cy[i];
          const inFrame = sx >= -0.5 && sx <= view.vw - 0.5 && sy >= -0.5 && sy <= view.vh - 0.5;
          if (inFrame && !(sx >= m && sx <= view.vw - 0.5 - m && sy >= m && sy <= view.vh - 0.5 - m)) rim++;
        }
      }
    }
    const got = new Float32Array(want.length);
    const stats: WasmWarpStats = { fallbacks: 0 };
    lanczosCfaWasm(phases, M, got, outW, 0, outH, { rows: 16, cols: 24 }, stats);
    expect(firstBitMismatch(got, want)).toBe(-1);
    expect(stats.fallbacks).toBe(rim);
    expect(rim).toBeGreaterThan(0);
  });
});
