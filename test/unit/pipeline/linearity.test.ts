import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { readFitsImage } from '../../../shared/fits/reader';
import { writeFitsImage } from '../../../shared/fits/writer';
import { fft2d } from '../../../shared/image/fft';
import type { Image } from '../../../shared/image/image';
import { medianAndSigmaMad } from '../../../shared/image/stats';
import {
  downsampleForLinearity,
  judgeLinearity,
  LINEARITY_THRESHOLDS,
  linearitySampleIndices,
  linearityStats,
  linearityWarningMessage,
  linearitySample,
  linearityWarning,
  frameLinearity,
  type LinearitySample,
  type LinearityStats,
  type LinearityStrictness,
} from '../../../shared/pipeline/linearity';
import { createSkySpec, renderFrame } from '../../../shared/synth';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

const LEVELS: readonly LinearityStrictness[] = ['strict', 'moderate', 'permissive'];

function sample(width: number, height: number, f: (x: number, y: number) => number): LinearitySample {
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y);
  return { width, height, data };
}

function imageOf(width: number, height: number, planes: number, f: (x: number, y: number, c: number) => number): Image {
  const data = new Float32Array(width * height * planes);
  for (let c = 0; c < planes; c++) for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = f(x, y, c);
  return { width, height, planes, data };
}

/** A camera frame from the synthetic sky (uint16 ADU, pedestal 200 + sky ~800). */
function skyFrame(seed: number, bayer: 'RGGB' | null = null): Image {
  return renderFrame(createSkySpec({ frames: 1, width: 256, height: 192, seed, bayer }), 0);
}

/**
 * Tone curves as a user's export applies them: black point at median - k*sigma_MAD, white
 * point at the maximum, then the curve; output in [0,1] or rounded to 0..65535.
 */
type Curve = 'autostretch' | 'gamma' | 'asinh';
function stretch(img: Image, curve: Curve, blackSigmas: number, scale: 1 | 65535): Image {
  const { median, sigma } = medianAndSigmaMad(img.data);
  let hi = -Infinity;
  for (const v of img.data) if (v > hi) hi = v;
  const c0 = median - blackSigmas * sigma;
  // midtones transfer MTF(m, x) = (m-1)x / ((2m-1)x - m) with m chosen so the median lands on 0.25
  const x0 = (median - c0) / (hi - c0);
  const m = (-0.75 * x0) / (-0.5 * x0 - 0.25);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.min(1, Math.max(0, (img.data[i] - c0) / (hi - c0)));
    const y =
      curve === 'gamma' ? Math.pow(v, 1 / 2.2) : curve === 'asinh' ? Math.asinh(500 * v) / Math.asinh(500) : v === 0 ? 0 : ((m - 1) * v) / ((2 * m - 1) * v - m);
    out[i] = scale === 1 ? y : Math.round(y * scale);
  }
  return { ...img, data: out };
}

function statsOf(img: Image): LinearityStats {
  return linearityStats(downsampleForLinearity(img));
}

/** Stats that pass every level, to perturb one test at a time. */
const PASSING: LinearityStats = { tailP99: 1.0, tailP95: 0.9, sdOverMean: 0.05, lowFreqEnergy: 0.999, gradient: 0.15 };

describe('downsampleForLinearity', () => {
  it('averages b x b blocks with b = ceil(long side / 256), dropping the partial last blocks (RGB: mean of planes)', () => {
    const img = imageOf(600, 301, 3, (x, y, c) => x + 1000 * y + 10 * c);
    const s = downsampleForLinearity(img);
    // b = 3 (three planes: no CFA, so b may be odd)
    expect([s.width, s.height]).toEqual([200, 100]);
    // block (1, 2): x 3..5, y 6..8, planes 0..2 -> mean x 4, mean y 7, mean c 1
    expect(s.data[2 * 200 + 1]).toBeCloseTo(4 + 7000 + 10, 9);
    expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(256);
  });

  it('makes the blocks of a CFA mosaic even, so the Bayer pattern averages out', () => {
    // R 100, G 200, B 50: every whole 2x2 cell averages to 137.5
    const mosaic = imageOf(600, 400, 1, (x, y) => ((x & 1) === 0 && (y & 1) === 0 ? 100 : (x & 1) === 1 && (y & 1) === 1 ? 50 : 200));
    const s = downsampleForLinearity(mosaic);
    expect([s.width, s.height]).toEqual([150, 100]);
    expect(Array.from(new Set(s.data))).toEqual([137.5]);
    // failure twin: treated as mono, b = 3 cuts through cells and the pattern shows up
    const odd = downsampleForLinearity(mosaic, { cfa: false });
    expect([odd.width, odd.height]).toEqual([200, 133]);
    expect(new Set(odd.data).size).toBeGreaterThan(1);
  });

  it('bins a small single-plane frame 2x2 and keeps a small RGB frame as it is', () => {
    expect(downsampleForLinearity(imageOf(100, 60, 1, () => 1))).toMatchObject({ width: 50, height: 30 });
    expect(downsampleForLinearity(imageOf(100, 60, 3, () => 1))).toMatchObject({ width: 100, height: 60 });
  });

  it('skips NaN pixels and leaves a block with no valid pixel NaN', () => {
    const img = imageOf(8, 4, 1, (x, y) => (x < 2 ? Number.NaN : x === 2 && y === 0 ? Number.NaN : 10 * x));
    const s = downsampleForLinearity(img);
    expect(s.width).toBe(4);
    expect(Number.isNaN(s.data[0])).toBe(true);
    // block x 2..3, y 0..1 holds NaN (dropped), 30, 20, 30
    expect(s.data[1]).toBeCloseTo((30 + 20 + 30) / 3, 12);
  });

  it('does not touch its input', () => {
    const img = imageOf(300, 200, 1, (x, y) => x * y);
    const copy = img.data.slice();
    downsampleForLinearity(img);
    expect(img.data).toEqual(copy);
  });
});

describe('linearityStats', () => {
  it('takes the tail ratios from section 0 percentiles (element round(p/100*(n-1)))', () => {
    // a shuffled 0..9999: p1 = 100, p5 = 500, p50 = 5000, p95 = 9499, p99 = 9899
    const rnd = mulberry32(7);
    const values = Array.from({ length: 10_000 }, (_, i) => i);
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    const s = linearityStats({ width: 100, height: 100, data: Float64Array.from(values) });
    expect(s.tailP99).toBeCloseTo(4899 / 4900, 12);
    expect(s.tailP95).toBeCloseTo(4499 / 4500, 12);
  });

  it('gives an infinite tail ratio when half the frame sits on its floor and the rest does not', () => {
    const s = linearityStats(sample(20, 20, (x) => (x < 12 ? 0 : x)));
    expect(s.tailP99).toBe(Number.POSITIVE_INFINITY);
  });

  it('measures SD/|mean| with the population SD and skips NaN', () => {
    const s = linearityStats(sample(4, 2, (x, y) => (y === 1 && x === 3 ? Number.NaN : [8, 12][x % 2])));
    // values 8, 12, 8, 12, 8, 12, 8: mean 68/7
    const mean = 68 / 7;
    const sd = Math.sqrt((4 * (8 - mean) ** 2 + 3 * (12 - mean) ** 2) / 7);
    expect(s.sdOverMean).toBeCloseTo(sd / mean, 12);
  });

  it('finds the low-frequency energy share of the 2-D FFT, DC included (power-of-two size)', () => {
    const g = gaussianSource(mulberry32(3));
    const small = sample(64, 32, (x, y) => 50 + 10 * Math.sin((2 * Math.PI * x) / 64) + 3 * Math.cos((2 * Math.PI * 11 * y) / 32) + 2 * g());
    const re = Float64Array.from(small.data);
    const im = new Float64Array(re.length);
    fft2d(re, im, 64, 32);
    // r = min(64, 32)/8 = 4: corners kx in [0,4) u [60,64), ky in [0,4) u [28,32)
    let low = 0;
    let total = 0;
    for (let ky = 0; ky < 32; ky++)
      for (let kx = 0; kx < 64; kx++) {
        const e = re[ky * 64 + kx] ** 2 + im[ky * 64 + kx] ** 2;
        total += e;
        if ((kx < 4 || kx >= 60) && (ky < 4 || ky >= 28)) low += e;
      }
    expect(linearityStats(small).lowFreqEnergy).toBeCloseTo(low / total, 10);
  });

  it('computes the same share at any size (direct DFT of a 45 x 38 frame)', () => {
    const w = 45;
    const h = 38;
    const g = gaussianSource(mulberry32(5));
    const small = sample(w, h, (x, y) => 20 + 0.3 * x - 0.2 * y + g());
    const r = Math.floor(38 / 8);
    let low = 0;
    let total = 0;
    for (let ky = 0; ky < h; ky++)
      for (let kx = 0; kx < w; kx++) {
        let re = 0;
        let im = 0;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const a = -2 * Math.PI * ((kx * x) / w + (ky * y) / h);
            re += small.data[y * w + x] * Math.cos(a);
            im += small.data[y * w + x] * Math.sin(a);
          }
        const e = re * re + im * im;
        total += e;
        if ((kx < r || kx >= w - r) && (ky < r || ky >= h - r)) low += e;
      }
    expect(linearityStats(small).lowFreqEnergy).toBeCloseTo(low / total, 9);
  });

  it('puts a constant frame wholly in the corners and a zero-mean checkerboard wholly outside', () => {
    expect(linearityStats(sample(32, 32, () => 7)).lowFreqEnergy).toBeCloseTo(1, 12);
    expect(linearityStats(sample(32, 32, (x, y) => ((x + y) % 2 === 0 ? 1 : -1))).lowFreqEnergy).toBeCloseTo(0, 12);
  });

  it('measures 2*mean|Sobel|/|mean| with edge replication', () => {
    // ramp 1000 + 3x: Gx = 8*3 inside, 4*3 in the first and last column (replicated edge), Gy = 0
    const w = 40;
    const s = linearityStats(sample(w, 10, (x) => 1000 + 3 * x));
    const meanGrad = (24 * (w - 2) + 12 * 2) / w;
    expect(s.gradient).toBeCloseTo((2 * meanGrad) / (1000 + (3 * (w - 1)) / 2), 12);
  });
});

describe('judgeLinearity', () => {
  it('passes stats inside every limit at every level', () => {
    for (const level of LEVELS) expect(judgeLinearity(PASSING, level)).toEqual({ linear: true, failed: [] });
  });

  it.each([
    ['tail_p99', { tailP99: 12 }],
    ['tail_p95', { tailP95: 3 }],
  ] as const)('names %s as the one failed test at strict, and ignores it at moderate and permissive (off there: linear data has the longer tail)', (name, change) => {
    expect(judgeLinearity({ ...PASSING, ...change }, 'strict')).toEqual({ linear: false, failed: [name] });
    for (const level of ['moderate', 'permissive'] as const) expect(judgeLinearity({ ...PASSING, ...change }, level)).toEqual({ linear: true, failed: [] });
  });

  it.each([
    ['sd_over_mean', { sdOverMean: 1.2 }],
    ['low_freq_energy', { lowFreqEnergy: 0.7 }],
    ['gradient', { gradient: 1.5 }],
  ] as const)('names %s as the one failed test when only it is out of range', (name, change) => {
    for (const level of LEVELS) expect(judgeLinearity({ ...PASSING, ...change }, level)).toEqual({ linear: false, failed: [name] });
  });

  it('uses the limits of METHOD.md (a, b, c) at each level, limits exclusive for ratios, inclusive for the energy share', () => {
    expect(judgeLinearity({ ...PASSING, sdOverMean: 0.69 }, 'moderate').linear).toBe(true);
    expect(judgeLinearity({ ...PASSING, sdOverMean: 0.7 }, 'moderate').failed).toEqual(['sd_over_mean']);
    expect(judgeLinearity({ ...PASSING, lowFreqEnergy: 0.9 }, 'moderate').linear).toBe(true);
    expect(judgeLinearity({ ...PASSING, lowFreqEnergy: 0.9 }, 'strict').failed).toEqual(['low_freq_energy']);
    expect(judgeLinearity({ ...PASSING, gradient: 0.6 }, 'strict').failed).toEqual(['gradient']);
    expect(judgeLinearity({ ...PASSING, gradient: 0.6 }, 'moderate').linear).toBe(true);
    expect(judgeLinearity({ ...PASSING, gradient: 0.99 }, 'permissive').linear).toBe(true);
    expect(judgeLinearity({ ...PASSING, tailP99: 1.25 }, 'strict').failed).toEqual(['tail_p99']);
  });

  it('fails a test whose statistic is NaN', () => {
    expect(judgeLinearity({ ...PASSING, sdOverMean: Number.NaN }, 'permissive').failed).toEqual(['sd_over_mean']);
  });

  it('orders the levels: whatever fails permissive fails moderate, whatever fails moderate fails strict', () => {
    const stat = fc.double({ min: 0, max: 12, noNaN: true });
    fc.assert(
      fc.property(stat, stat, stat, fc.double({ min: 0, max: 1, noNaN: true }), stat, (tailP99, tailP95, sdOverMean, lowFreqEnergy, gradient) => {
        const s = { tailP99, tailP95, sdOverMean, lowFreqEnergy, gradient };
        const [strict, moderate, permissive] = LEVELS.map((l) => new Set(judgeLinearity(s, l).failed));
        for (const t of permissive) expect(moderate.has(t)).toBe(true);
        for (const t of moderate) expect(strict.has(t)).toBe(true);
      }),
    );
    for (const k of ['tailP99', 'tailP95', 'sdOverMean', 'gradient'] as const) {
      expect(LINEARITY_THRESHOLDS.strict[k]).toBeLessThanOrEqual(LINEARITY_THRESHOLDS.moderate[k]);
      expect(LINEARITY_THRESHOLDS.moderate[k]).toBeLessThanOrEqual(LINEARITY_THRESHOLDS.permissive[k]);
    }
  });
});

describe('the heuristic on synthetic camera frames', () => {
  it('passes a linear synthetic sky frame at every strictness', () => {
    const s = statsOf(skyFrame(1));
    for (const level of LEVELS) expect(judgeLinearity(s, level)).toEqual({ linear: true, failed: [] });
  });

  it('passes linear mono and OSC frames of other skies at moderate and permissive; strict (METHOD tail limit 1.2) flags only their bright tails', () => {
    for (const [seed, bayer] of [[2, null], [3, null], [3, 'RGGB'], [5, 'RGGB']] as const) {
      const s = statsOf(skyFrame(seed, bayer));
      expect(judgeLinearity(s, 'moderate').linear).toBe(true);
      expect(judgeLinearity(s, 'permissive').linear).toBe(true);
      for (const t of judgeLinearity(s, 'strict').failed) expect(['tail_p99', 'tail_p95']).toContain(t);
    }
  });

  it.each([1, 65535] as const)('flags a Siril-like autostretch (shadows -2.8 sigma, median -> 0.25, scale %d) at moderate', (scale) => {
    const linear = skyFrame(3);
    const j = judgeLinearity(statsOf(stretch(linear, 'autostretch', 2.8, scale)), 'moderate');
    expect(j.linear).toBe(false);
    expect(j.failed).toContain('gradient');
  });

  it.each(['gamma', 'asinh', 'autostretch'] as const)('flags an export through %s with the black point at the sky background at moderate, mono and OSC', (curve) => {
    for (const bayer of [null, 'RGGB'] as const) {
      for (const scale of [1, 65535] as const) {
        expect(judgeLinearity(statsOf(stretch(skyFrame(1, bayer), curve, 0, scale)), 'moderate').linear).toBe(false);
      }
    }
  });
});

describe('linearityWarningMessage', () => {
  it('names the file, each failed test with its value and limit, and what the user should do', () => {
    const msg = linearityWarningMessage({ file: 'light_7.fits', failed: ['gradient', 'low_freq_energy'], stats: { ...PASSING, gradient: 3.0712, lowFreqEnergy: 0.85 } }, 'moderate');
    expect(msg).toContain('light_7.fits: the frame looks stretched (non-linear)');
    expect(msg).toContain('2*mean|grad|/|mean| 3.07 (limit < 0.7)');
    expect(msg).toContain('low-frequency energy share 0.85 (limit >= 0.9)');
    expect(msg).toContain("raw/linear FITS files");
    // failure twin: a test that passed is not mentioned
    expect(msg).not.toContain('SD/|mean|');
  });
});

describe('linearitySampleIndices', () => {
  it('spreads the frames evenly, first and last included, each once', () => {
    expect(linearitySampleIndices(100, 8)).toEqual([0, 14, 28, 42, 57, 71, 85, 99]);
    expect(linearitySampleIndices(3, 8)).toEqual([0, 1, 2]);
    expect(linearitySampleIndices(10, 2)).toEqual([0, 9]);
    expect(linearitySampleIndices(10, 1)).toEqual([0]);
    expect(linearitySampleIndices(0, 8)).toEqual([]);
  });
});

describe('linearitySample', () => {
  const cfg = (maxFrames: number, linear = true) => ({ data: { linear_required: linear }, linearity: { max_frames: maxFrames, strictness: 'moderate' as const } });

  it('names the frames P2 measures: max_frames spread over the given frames, by frame index', () => {
    // frame indices with gaps (excluded frames are not in the list)
    const frames = [0, 2, 3, 7, 8, 11, 12, 13, 20, 21];
    expect([...linearitySample(frames, cfg(2))].sort((a, b) => a - b)).toEqual([0, 21]);
    expect([...linearitySample(frames, cfg(8))].sort((a, b) => a - b)).toEqual(frames.filter((_, i) => linearitySampleIndices(10, 8).includes(i)));
  });

  it('is empty when data.linear_required is false', () => {
    expect(linearitySample([0, 1, 2], cfg(8, false)).size).toBe(0);
  });
});

describe('frameLinearity and linearityWarning on frames read from FITS', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-linearity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const written = (async () => {
    const frames = [skyFrame(1), stretch(skyFrame(1), 'gamma', 0, 65535), skyFrame(2)];
    const paths = frames.map((_, i) => path.join(dir, `light_${i + 1}.fits`));
    for (let i = 0; i < frames.length; i++) await writeFitsImage(fs, paths[i], frames[i], { bitpix: 16 });
    return paths;
  })();

  it('reads uint16 FITS frames and warns about the stretched one only, with its failed tests', async () => {
    const paths = await written;
    const warnings = [];
    for (const p of paths) {
      const stats = frameLinearity((await readFitsImage(fs, p)).image);
      warnings.push(linearityWarning(path.basename(p), stats, 'moderate'));
    }
    expect(warnings.map((w) => w?.file ?? null)).toEqual([null, 'light_2.fits', null]);
    expect(warnings[1]?.failed).toContain('gradient');
    expect(warnings[1]?.stats).toEqual(statsOf(stretch(skyFrame(1), 'gamma', 0, 65535)));
  });

  it('is deterministic', async () => {
    const [, p] = await written;
    const image = (await readFitsImage(fs, p)).image;
    expect(frameLinearity(image)).toEqual(frameLinearity(image));
  });
});
