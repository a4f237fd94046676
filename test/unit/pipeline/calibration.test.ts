import { describe, expect, it } from 'vitest';
import { applyCalibration, combineFrames, normalizeFlat, selectDarks } from '../../../shared/pipeline/calibration';

const darkCfg = { autoSelect: true, tolerancePercent: 5, useTemp: false, tempToleranceC: 2, scaleToExposure: false, biasSubtracted: true };

describe('combineFrames', () => {
  it('is the per-pixel mean of clean frames', () => {
    const stack = Float32Array.from([1, 10, 3, 20, 5, 30]); // 3 frames of 2 pixels
    expect(Array.from(combineFrames(stack, 3, 2))).toEqual([3, 20]);
  });
  it('rejects a cosmic ray in one frame', () => {
    const n = 15;
    const stack = new Float32Array(n).map((_, i) => 100 + (i % 3) - 1);
    stack[7] = 5000;
    expect(combineFrames(stack, n, 1)[0]).toBeCloseTo(100, 0);
  });
  it('gives NaN where no frame has a value, and refuses a wrong layout', () => {
    expect(combineFrames(Float32Array.from([NaN, NaN]), 2, 1)[0]).toBeNaN();
    expect(() => combineFrames(new Float32Array(5), 2, 2)).toThrow(/5 values for 2 frames/);
  });
});

describe('selectDarks', () => {
  const darks = [{ exposureS: 10, tempC: -10 }, { exposureS: 10.2, tempC: -5 }, { exposureS: 60, tempC: -10 }];
  it('keeps the darks within the exposure tolerance', () => {
    expect(selectDarks(darks, { exposureS: 10, tempC: null }, darkCfg)).toMatchObject({ use: [0, 1], scale: 1 });
  });
  it('also matches temperature when asked', () => {
    expect(selectDarks(darks, { exposureS: 10, tempC: -10 }, { ...darkCfg, useTemp: true })?.use).toEqual([0]);
  });
  it('scales mismatched darks only when configured and bias-subtracted, else refuses', () => {
    expect(selectDarks(darks, { exposureS: 30, tempC: null }, darkCfg)).toBeNull();
    expect(selectDarks(darks, { exposureS: 30, tempC: null }, { ...darkCfg, scaleToExposure: true, biasSubtracted: false })).toBeNull();
    const s = selectDarks(darks, { exposureS: 30, tempC: null }, { ...darkCfg, scaleToExposure: true });
    expect(s?.use).toEqual([0, 1, 2]);
    expect(s?.scale).toBeCloseTo(30 / 10.2, 9);
  });
});

describe('normalizeFlat', () => {
  it('divides each CFA colour by its own median', () => {
    // RGGB 2x2 cells: R = 2, G = 4, B = 8 everywhere
    const w = 4;
    const h = 4;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (y % 2 === 0 ? (x % 2 === 0 ? 2 : 4) : x % 2 === 0 ? 4 : 8);
    const out = normalizeFlat({ width: w, height: h, planes: 1, data }, 'RGGB');
    expect(Array.from(out.data).every((v) => v === 1)).toBe(true);
    expect(data[0]).toBe(2); // input untouched
  });
  it('divides each plane by its median for RGB', () => {
    const out = normalizeFlat({ width: 1, height: 2, planes: 3, data: Float32Array.from([2, 2, 4, 4, 8, 8]) }, null);
    expect(Array.from(out.data)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('applyCalibration', () => {
  it('computes (raw - offset) / flat and invalidates tiny flat values', () => {
    const raw = { width: 3, height: 1, planes: 1, data: Float32Array.from([110, 210, 310]) };
    const out = applyCalibration(raw, { offset: Float32Array.from([10, 10, 10]), flat: Float32Array.from([1, 0.5, 0.01]) }, 0.05);
    expect(out.data[0]).toBe(100);
    expect(out.data[1]).toBe(400);
    expect(out.data[2]).toBeNaN();
  });
  it('refuses masters of another size', () => {
    const raw = { width: 2, height: 1, planes: 1, data: new Float32Array(2) };
    expect(() => applyCalibration(raw, { offset: new Float32Array(3), flat: null }, 0.05)).toThrow(/size differs/);
  });
});
