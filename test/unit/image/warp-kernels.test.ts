import { describe, expect, it } from 'vitest';
import { bilinearRow, lanczosRow, lanczosRowCfa, sampleBilinearView, sampleLanczosView, type View } from '../../../shared/image/warp-kernels';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

// The row loops are speed-ups of the per-sample reference samplers: they must agree with them to
// the last bit (Object.is also tells NaN and signed zeros apart) at every position, inside, on and
// beyond the border, with NaN pixels and with fractions that round to whole pixels.

function noisePlane(n: number, seed: number, nanEvery = 0): Float32Array {
  const u = mulberry32(seed);
  const d = Float32Array.from({ length: n }, () => 100 + 50 * u());
  if (nanEvery > 0) for (let i = 7; i < n; i += nanEvery) d[i] = Number.NaN;
  return d;
}

function plainView(d: Float32Array, w: number, h: number): View {
  return { data: d, base: 0, xs: 1, ys: w, vw: w, vh: h };
}

/** Rows of (sx0, sy0, a, c): rotations, a pure sub-pixel shift, whole-pixel fractions, far outside. */
const ROWS: [number, number, number, number][] = [
  [-4.3, 3.7, 0.9993908, 0.0348995],
  [0.37, 11.21, 1, 0],
  [2, 5.5, 1, 0],
  [3.25, 7, 1, 0],
  [1.0009765625, 9.9990234375, 1, 0],
  [30, -6, -0.8, 0.6],
  [-100, -100, 0.5, 0.5],
  [12.5, 20.49951171875, 0.99, -0.02],
];

function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return i;
  return -1;
}

describe('lanczosRow', () => {
  it('equals sampleLanczosView at every pixel of rows crossing the interior and the borders', () => {
    const w = 41;
    const h = 33;
    const v = plainView(noisePlane(w * h, 1), w, h);
    for (const [sx0, sy0, a, c] of ROWS) {
      const n = 60;
      const got = new Float32Array(n + 3);
      lanczosRow(v, got, 3, n, sx0, sy0, a, c);
      const want = new Float32Array(n + 3);
      let sx = sx0;
      let sy = sy0;
      for (let x = 0; x < n; x++, sx += a, sy += c) want[3 + x] = sampleLanczosView(v, sx, sy);
      expect(firstMismatch(got, want)).toBe(-1);
    }
  });

  it('keeps the NaN rules: a NaN tap with weight and a source outside the frame give NaN', () => {
    const w = 30;
    const h = 30;
    const d = noisePlane(w * h, 2);
    d[15 * w + 15] = Number.NaN;
    const out = new Float32Array(30);
    lanczosRow(plainView(d, w, h), out, 0, 30, -3.4, 14.3, 1, 0);
    // sx = x - 3.4: sources below -0.5 are outside; the NaN at x = 15 has weight for sx in (12, 18)
    for (let x = 0; x < 3; x++) expect(out[x]).toBeNaN();
    expect(out[3]).not.toBeNaN();
    for (let x = 16; x <= 21; x++) expect(out[x]).toBeNaN();
    expect(out[22]).not.toBeNaN();
  });

  it('returns the canonical NaN (the bits of Number.NaN) whatever the payload of the NaN source', () => {
    const w = 20;
    const d = noisePlane(w * w, 7);
    const bits = new Uint32Array(d.buffer);
    bits[10 * w + 10] = 0xffc00000;
    bits[10 * w + 12] = 0x7fc00123;
    const out = new Float32Array(w);
    lanczosRow(plainView(d, w, w), out, 0, w, 0.37, 9.41, 1, 0);
    const canonical = new Uint32Array(Float32Array.of(Number.NaN).buffer)[0];
    const outBits = new Uint32Array(out.buffer);
    // sx = x + 0.37 in (7, 15): a NaN tap (x = 10 or 12) with weight, on the interior fast path
    for (let x = 7; x <= 14; x++) expect(outBits[x]).toBe(canonical);
    expect(out[6]).not.toBeNaN();
    expect(out[15]).not.toBeNaN();
  });

  it('clamps to the 2x2 nearest sources where the 36-tap sum overshoots a step', () => {
    const w = 20;
    const h = 12;
    const d = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d[y * w + x] = x < 10 ? 0 : 1000;
    const out = new Float32Array(w);
    lanczosRow(plainView(d, w, h), out, 0, w, 0.37, 5.25, 1, 0);
    // x = 7 (sx = 7.37): the last tap reaches across the step with positive weight, so the
    // unclamped sum would be above the 2x2 sources' value 0
    expect(out[7]).toBe(0);
    for (const value of out) if (!Number.isNaN(value)) expect(value).toBeGreaterThanOrEqual(0);
  });
});

describe('lanczosRow and sampleLanczosView at -0/+0 ties', () => {
  it('agree on which zero the 2x2 clamp returns, plain and strided (one min/max chain for all)', () => {
    const w = 36;
    const u = mulberry32(21);
    const d = Float32Array.from({ length: w * w }, () => [0, -0, 0, -0, 0, -0, 3, -3][Math.floor(8 * u())]);
    const plain = plainView(d, w, w);
    const strided: View = { data: d, base: w + 1, xs: 2, ys: 2 * w, vw: w / 2 - 1, vh: w / 2 - 1 };
    let zeros = 0;
    for (const [sx0, sy0, a, c] of ROWS) {
      const got = new Float32Array(40);
      lanczosRow(plain, got, 0, 40, sx0, sy0, a, c);
      const cfa = new Float32Array(40);
      lanczosRowCfa(strided, cfa, 0, 20, a, 0, sx0 / 2, c, 0, sy0 / 2);
      let sx = sx0;
      let sy = sy0;
      for (let x = 0; x < 40; x++, sx += a, sy += c) {
        expect(Object.is(got[x], Math.fround(sampleLanczosView(plain, sx, sy)))).toBe(true);
        if (Object.is(got[x], -0)) zeros++;
      }
      for (let k = 0; k < 20; k++) expect(Object.is(cfa[2 * k], Math.fround(sampleLanczosView(strided, a * k + sx0 / 2, c * k + sy0 / 2)))).toBe(true);
    }
    // the data does reach the tie: some outputs are a clamped -0
    expect(zeros).toBeGreaterThan(0);
  });
});

/** The Lanczos-3 kernel of METHOD.md P6.2 in float64, written from the definition. */
function lanczos3(x: number): number {
  if (x === 0) return 1;
  if (Math.abs(x) >= 3) return 0;
  const px = Math.PI * x;
  return (3 * Math.sin(px) * Math.sin(px / 3)) / (px * px);
}

/** Normalized float64 weights of the 6 taps at the LUT fraction i/1024. */
function weights64(i: number): number[] {
  const w = [0, 1, 2, 3, 4, 5].map((k) => lanczos3(i / 1024 - (k - 2)));
  const s = w.reduce((p, q) => p + q, 0);
  return w.map((v) => v / s);
}

/**
 * The float64 interior sample at (sx, sy), fractions quantized as the kernels do; `lutOffset`
 * moves the x fraction by that many LUT steps (a position error of lutOffset/1024 px).
 */
function sample64(d: Float32Array, w: number, sx: number, sy: number, lutOffset = 0): { value: number; maxTap: number } {
  const qx = Math.round(sx * 1024);
  const qy = Math.round(sy * 1024);
  const x0 = qx >> 10;
  const y0 = qy >> 10;
  const wx = weights64((qx & 1023) + lutOffset);
  const wy = weights64(qy & 1023);
  let acc = 0;
  let maxTap = 0;
  for (let j = 0; j < 6; j++) {
    for (let k = 0; k < 6; k++) {
      const t = d[(y0 - 2 + j) * w + x0 - 2 + k];
      acc += wy[j] * wx[k] * t;
      maxTap = Math.max(maxTap, Math.abs(t));
    }
  }
  const q = [d[y0 * w + x0], d[y0 * w + x0 + 1], d[(y0 + 1) * w + x0], d[(y0 + 1) * w + x0 + 1]];
  return { value: Math.min(Math.max(acc, Math.min(...q)), Math.max(...q)), maxTap };
}

describe('lanczosRow in float32 against the float64 definition', () => {
  // a star field patch: background 100 + noise sigma 3, two stars peaking near 50000 and 3000
  const w = 64;
  const h = 48;
  const g = gaussianSource(mulberry32(22));
  const d = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const star = 50000 * Math.exp(-((x - 30.3) ** 2 + (y - 20.7) ** 2) / 4.5) + 3000 * Math.exp(-((x - 45.6) ** 2 + (y - 31.2) ** 2) / 8);
      d[y * w + x] = 100 + 3 * g() + star;
    }
  }
  const v = plainView(d, w, h);
  // a 0.4 degree rotation with a sub-pixel shift; interior samples with both fractions off the grid
  const a = Math.cos(0.007);
  const c = Math.sin(0.007);
  const rows = Array.from({ length: h - 12 }, (_, r) => [3.37 - c * (r + 4), r + 4.61, a, c]);

  /** Largest |float32 - float64| over the interior samples, in units of the sample's largest tap. */
  function worstRelativeError(lutOffset: number): { worst: number; checked: number } {
    let worst = 0;
    let checked = 0;
    for (const [sx0, sy0] of rows) {
      const out = new Float32Array(w - 12);
      lanczosRow(v, out, 0, out.length, sx0, sy0, a, c);
      let sx = sx0;
      let sy = sy0;
      for (let x = 0; x < out.length; x++, sx += a, sy += c) {
        if ((Math.round(sx * 1024) & 1023) === 0 || (Math.round(sy * 1024) & 1023) === 0) continue;
        const ref = sample64(d, w, sx, sy, lutOffset);
        worst = Math.max(worst, Math.abs(out[x] - ref.value) / ref.maxTap);
        checked++;
      }
    }
    return { worst, checked };
  }

  it('stays within 1e-6 of the largest tap of the float64 sum (float32 rounding, far below noise)', () => {
    const { worst, checked } = worstRelativeError(0);
    expect(checked).toBeGreaterThan(1500);
    expect(worst).toBeLessThan(1e-6);
  });

  it('would exceed that bound with weights one LUT step (1/1024 px) off', () => {
    expect(worstRelativeError(1).worst).toBeGreaterThan(1e-6);
  });
});

describe('lanczosRowCfa', () => {
  it('equals sampleLanczosView on a strided phase view, writing every second output pixel', () => {
    const W = 50;
    const H = 40;
    const d = noisePlane(W * H, 3, 97);
    for (const [ox, oy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
      const v: View = { data: d, base: oy * W + ox, xs: 2, ys: 2 * W, vw: (W - ox + 1) >> 1, vh: (H - oy + 1) >> 1 };
      for (const [sx0, sy0, a, c] of ROWS) {
        const n = 30;
        const got = new Float32Array(2 * n + 1).fill(-1);
        const bv = 0.25 * sx0;
        const dv = 0.75 * sy0;
        lanczosRowCfa(v, got, 1, n, a, bv, sx0, c, dv, sy0);
        for (let u = 0; u < n; u++) {
          expect(Object.is(got[1 + 2 * u], Math.fround(sampleLanczosView(v, a * u + bv + sx0, c * u + dv + sy0)))).toBe(true);
          // the pixels of the other phase are left alone
          expect(got[2 * u]).toBe(-1);
        }
      }
    }
  });

  it('gives NaN where the phase view ends', () => {
    const W = 20;
    const H = 20;
    const v: View = { data: noisePlane(W * H, 4), base: 0, xs: 2, ys: 2 * W, vw: 10, vh: 10 };
    const out = new Float32Array(8);
    lanczosRowCfa(v, out, 0, 4, 1, 0, 7.6, 0, 0, 4.2);
    // u = 2 samples x = 9.6 > vw - 0.5
    expect(out[0]).not.toBeNaN();
    expect(out[2]).not.toBeNaN();
    expect(out[4]).toBeNaN();
    expect(out[6]).toBeNaN();
  });
});

describe('bilinearRow', () => {
  it('equals sampleBilinearView into float32 and float64 rows, with an output stride', () => {
    const w = 37;
    const h = 29;
    const v = plainView(noisePlane(w * h, 5, 53), w, h);
    for (const [sx0, sy0, a, c] of ROWS) {
      const n = 50;
      const f32 = new Float32Array(2 * n);
      const f64 = new Float64Array(n);
      bilinearRow(v, f32, 1, 2, n, sx0, sy0, a, c);
      bilinearRow(v, f64, 0, 1, n, sx0, sy0, a, c);
      let sx = sx0;
      let sy = sy0;
      for (let k = 0; k < n; k++, sx += a, sy += c) {
        const want = sampleBilinearView(v, sx, sy);
        expect(Object.is(f64[k], want)).toBe(true);
        expect(Object.is(f32[1 + 2 * k], Math.fround(want))).toBe(true);
      }
    }
  });

  it('gives NaN beyond [-0.5, w-0.5] and where a weighted neighbour is NaN', () => {
    const w = 10;
    const h = 10;
    const d = noisePlane(w * h, 6);
    d[5 * w + 5] = Number.NaN;
    const out = new Float64Array(12);
    bilinearRow(plainView(d, w, h), out, 0, 1, 12, -0.75, 5, 1, 0);
    expect(out[0]).toBeNaN();
    expect(out[1]).not.toBeNaN();
    // sx = 4.25 and 5.25 weight pixel 5 of row 5; sx = 9.25 is past the last centre, 10.25 outside
    expect(out[5]).toBeNaN();
    expect(out[6]).toBeNaN();
    expect(out[7]).not.toBeNaN();
    expect(out[10]).not.toBeNaN();
    expect(out[11]).toBeNaN();
  });
});
