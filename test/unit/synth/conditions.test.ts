import { describe, expect, it } from 'vitest';
import { applyAffine } from '../../../shared/synth';
import { median } from '../../../shared/image/stats';
import { spec } from './helpers';

describe('per-frame seeing', () => {
  const s = spec({ frames: 300, width: 64, height: 64, fwhmMedianPx: 3, fwhmRangePx: [2, 7] });
  const fwhm = s.frames.map((f) => f.fwhmPx);

  it('stays within the configured range', () => {
    for (const v of fwhm) {
      expect(v).toBeGreaterThanOrEqual(2);
      expect(v).toBeLessThanOrEqual(7);
    }
  });

  it('scatters log-normally around the configured median outside the bad stretches', () => {
    const good = s.frames.filter((f) => !f.badSeeing).map((f) => f.fwhmPx);
    expect(median(good)).toBeGreaterThan(2.7);
    expect(median(good)).toBeLessThan(3.3);
    expect(Math.max(...good) / Math.min(...good)).toBeGreaterThan(1.3);
  });

  it('has bad stretches of at least three consecutive, clearly worse frames', () => {
    expect(s.badStretches.length).toBeGreaterThanOrEqual(3);
    for (const [a, b] of s.badStretches) {
      expect(b - a + 1).toBeGreaterThanOrEqual(3);
      for (let f = a; f <= b; f++) expect(s.frames[f].badSeeing).toBe(true);
    }
    const bad = s.frames.filter((f) => f.badSeeing).map((f) => f.fwhmPx);
    const good = s.frames.filter((f) => !f.badSeeing).map((f) => f.fwhmPx);
    expect(median(bad)).toBeGreaterThan(1.25 * median(good));
  });

  it('is correlated from frame to frame (a drifting atmosphere, not white noise)', () => {
    const good = s.frames.map((f) => Math.log(f.fwhmPx));
    const m = good.reduce((a, b) => a + b, 0) / good.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < good.length; i++) {
      den += (good[i] - m) ** 2;
      if (i > 0) num += (good[i] - m) * (good[i - 1] - m);
    }
    expect(num / den).toBeGreaterThan(0.5);
  });

  it('has no bad stretches when none are asked for', () => {
    const calm = spec({ frames: 100, width: 64, height: 64, badStretchCount: 0 });
    expect(calm.badStretches).toEqual([]);
    expect(calm.frames.every((f) => !f.badSeeing)).toBe(true);
  });

  it('records the best frame seeing as the truth seeing', () => {
    expect(s.bestFwhmPx).toBe(Math.min(...fwhm));
  });
});

describe('per-frame transforms', () => {
  const s = spec({ frames: 200, width: 300, height: 200, shiftMaxPx: 20, rotationMaxDeg: 0.5 });

  it('keep shifts within ±shiftMaxPx and rotations within ±rotationMaxDeg, using the range', () => {
    const dx = s.frames.map((f) => f.dx);
    const rot = s.frames.map((f) => f.rotationDeg);
    expect(Math.max(...dx.map(Math.abs))).toBeLessThanOrEqual(20);
    expect(Math.max(...rot.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...dx) - Math.min(...dx)).toBeGreaterThan(10);
    expect(Math.max(...rot) - Math.min(...rot)).toBeGreaterThan(0.1);
  });

  it('rotate about the scene centre: the centre lands at centre + (dx, dy)', () => {
    for (const f of s.frames.slice(0, 10)) {
      const [x, y] = applyAffine(f.sceneToFrame, s.centre[0], s.centre[1]);
      expect(x).toBeCloseTo(s.centre[0] + f.dx, 9);
      expect(y).toBeCloseTo(s.centre[1] + f.dy, 9);
    }
  });

  it('come with an exact inverse', () => {
    for (const f of s.frames.slice(0, 10)) {
      const [x, y] = applyAffine(f.sceneToFrame, 12.5, 170.25);
      const [bx, by] = applyAffine(f.frameToScene, x, y);
      expect(bx).toBeCloseTo(12.5, 9);
      expect(by).toBeCloseTo(170.25, 9);
    }
  });

  it('are not the identity for frame 0 and differ between frames', () => {
    expect(Math.hypot(s.frames[0].dx, s.frames[0].dy)).toBeGreaterThan(0);
    expect(s.frames[1].dx).not.toBe(s.frames[0].dx);
  });

  it('are the identity when shifts and rotation are switched off', () => {
    const still = spec({ frames: 5, width: 64, height: 64, shiftMaxPx: 0, rotationMaxDeg: 0 });
    for (const f of still.frames) expect(f.sceneToFrame.map((v) => v + 0)).toEqual([1, 0, 0, 0, 1, 0]);
  });
});

describe('clouds, trails and sky', () => {
  it('cloud about cloudFraction of the frames, in runs of consecutive frames', () => {
    const s = spec({ frames: 200, width: 64, height: 64, cloudFraction: 0.1 });
    const cloudy = s.frames.map((f) => f.cloud !== null);
    expect(cloudy.filter(Boolean).length).toBe(20);
    const runs = cloudy.filter((c, i) => c && (i === 0 || !cloudy[i - 1])).length;
    expect(runs).toBeLessThan(20);
    for (const f of s.frames) {
      if (!f.cloud) continue;
      expect(f.cloud.depth).toBeGreaterThanOrEqual(0.1);
      expect(f.cloud.depth).toBeLessThanOrEqual(0.4);
    }
  });

  it('put a trail in about trailFraction of the frames and nowhere with trailFraction 0', () => {
    expect(spec({ frames: 200, width: 64, height: 64, trailFraction: 0.03 }).frames.filter((f) => f.trail).length).toBe(6);
    expect(spec({ frames: 200, width: 64, height: 64, trailFraction: 0 }).frames.filter((f) => f.trail).length).toBe(0);
  });

  it('turn the sky gradient slowly: consecutive frames differ by well under a degree', () => {
    const s = spec({ frames: 100, width: 64, height: 64 });
    for (let f = 1; f < 100; f++) expect(Math.abs(s.frames[f].sky.angleDeg - s.frames[f - 1].sky.angleDeg)).toBeLessThan(1);
  });

  it('keep the transparency in [0.85, 1]', () => {
    const s = spec({ frames: 300, width: 64, height: 64 });
    for (const f of s.frames) {
      expect(f.transparency).toBeGreaterThanOrEqual(0.85);
      expect(f.transparency).toBeLessThanOrEqual(1);
    }
  });

  it('date frames one exposure plus the gap apart', () => {
    const s = spec({ frames: 3, width: 64, height: 64, exposureS: 30 });
    expect(s.frames.map((f) => f.dateObs)).toEqual(['2024-03-15T21:00:00.000', '2024-03-15T21:00:32.000', '2024-03-15T21:01:04.000']);
  });
});
