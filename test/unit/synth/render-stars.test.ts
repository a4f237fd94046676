import { describe, expect, it } from 'vitest';
import { applyAffine, renderFrame, renderTruthScene, skyAt, STAMP_SIGMAS } from '../../../shared/synth';
import { coreSigma } from '../../../shared/synth/psf';
import { isolatedStars, spec, stampMoments, STARS_ONLY } from './helpers';

/** A noise-free star field with a few dozen stars, many of them isolated. */
const s = spec({ frames: 6, width: 256, height: 256, starsPerMegapixel: 300, starFluxMinAdu: 500, seed: 7, ...STARS_ONLY });
const ped = s.options.pedestalAdu;
/** Box half-size that holds a whole stamp of the worst seeing in this set. */
const reach = (fwhm: number) => Math.ceil(STAMP_SIGMAS * 2 * coreSigma(fwhm * 1.2, s.psf)) + 1;

describe('renderFrame (noise-free stars)', () => {
  const stars = isolatedStars(s, 40);

  it('has enough isolated stars to test with', () => {
    expect(stars.length).toBeGreaterThanOrEqual(5);
  });

  it('puts each isolated star at its transformed catalogue position (centroid within 0.02 px) with its catalogue flux (within 0.5 %)', () => {
    let checked = 0;
    for (const f of [0, 3, 5]) {
      const frame = s.frames[f];
      const img = renderFrame(s, f);
      for (const st of stars) {
        const [x, y] = applyAffine(frame.sceneToFrame, st.x, st.y);
        const m = stampMoments(img, x, y, reach(frame.fwhmPx), (i, j) => ped + skyAt(s, frame, i, j));
        if (!m) continue;
        checked++;
        expect(Math.abs(m.sum / (st.flux * frame.transparency) - 1)).toBeLessThan(0.005);
        expect(Math.abs(m.cx - x)).toBeLessThan(0.02);
        expect(Math.abs(m.cy - y)).toBeLessThan(0.02);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('does not put stars at their untransformed scene positions (the transform is applied)', () => {
    const f = s.frames.findIndex((fr) => Math.hypot(fr.dx, fr.dy) > 3);
    const frame = s.frames[f];
    const img = renderFrame(s, f);
    let misses = 0;
    for (const st of stars) {
      const m = stampMoments(img, st.x, st.y, 6, (i, j) => ped + skyAt(s, frame, i, j));
      if (m && Math.hypot(m.cx - st.x, m.cy - st.y) > 1) misses++;
    }
    expect(misses).toBeGreaterThan(0);
  });

  it('gives stars the frame seeing: second moments match the PSF of the local FWHM', () => {
    const frame = s.frames[2];
    const img = renderFrame(s, 2);
    const w = s.psf.haloFraction;
    let checked = 0;
    for (const st of stars) {
      const [x, y] = applyAffine(frame.sceneToFrame, st.x, st.y);
      const m = stampMoments(img, x, y, reach(frame.fwhmPx), (i, j) => ped + skyAt(s, frame, i, j));
      if (!m) continue;
      const sc = coreSigma(s.frames[2].fwhmPx, s.psf);
      const a = s.frames[2].fieldSeeing;
      const u = ((x - s.centre[0]) * Math.cos((a.angleDeg * Math.PI) / 180) + (y - s.centre[1]) * Math.sin((a.angleDeg * Math.PI) / 180)) / s.halfDiagonal;
      const local = sc * (1 + a.amplitude * u);
      const expected = (1 - w) * local * local + w * 4 * local * local + 1 / 12;
      expect(m.vxx / expected).toBeCloseTo(1, 2);
      expect(m.vyy / expected).toBeCloseTo(1, 2);
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});

describe('field-dependent seeing', () => {
  /** Stars on a regular grid are not needed: compare the widths of isolated stars on both sides of the field. */
  function widthRatio(variation: number): number {
    const t = spec({ frames: 1, width: 256, height: 256, starsPerMegapixel: 600, starFluxMinAdu: 2000, fieldSeeingVariation: variation, psfHaloFraction: 0, seed: 11, ...STARS_ONLY });
    const frame = t.frames[0];
    const img = renderFrame(t, 0);
    const a = (frame.fieldSeeing.angleDeg * Math.PI) / 180;
    const side: { u: number; fwhm: number }[] = [];
    for (const st of isolatedStars(t, 24)) {
      const [x, y] = applyAffine(frame.sceneToFrame, st.x, st.y);
      const m = stampMoments(img, x, y, 10, (i, j) => t.options.pedestalAdu + skyAt(t, frame, i, j));
      if (!m) continue;
      const u = ((x - t.centre[0]) * Math.cos(a) + (y - t.centre[1]) * Math.sin(a)) / t.halfDiagonal;
      side.push({ u, fwhm: 2.3548 * Math.sqrt(0.5 * (m.vxx + m.vyy) - 1 / 12) });
    }
    const high = side.filter((p) => p.u > 0.25).map((p) => p.fwhm);
    const low = side.filter((p) => p.u < -0.25).map((p) => p.fwhm);
    expect(high.length).toBeGreaterThan(0);
    expect(low.length).toBeGreaterThan(0);
    return Math.max(...high) > 0 ? high.reduce((p, q) => p + q) / high.length / (low.reduce((p, q) => p + q) / low.length) : 0;
  }

  it('makes stars on one side of a frame wider than on the other', () => {
    expect(widthRatio(0.5)).toBeGreaterThan(1.15);
  });

  it('leaves the FWHM uniform when the field variation is 0', () => {
    expect(Math.abs(widthRatio(0) - 1)).toBeLessThan(0.01);
  });
});

describe('renderTruthScene', () => {
  it('holds every isolated star at its catalogue position with its catalogue flux, at the best seeing, without sky', () => {
    const truth = renderTruthScene(s);
    expect(truth.planes).toBe(1);
    let checked = 0;
    for (const st of isolatedStars(s, 40)) {
      const m = stampMoments(truth, st.x, st.y, reach(s.bestFwhmPx), () => 0);
      if (!m) continue;
      checked++;
      expect(Math.abs(m.sum / st.flux - 1)).toBeLessThan(0.005);
      expect(Math.abs(m.cx - st.x)).toBeLessThan(0.02);
      const sc = coreSigma(s.bestFwhmPx, s.psf);
      const expected = (1 - s.psf.haloFraction) * sc * sc + s.psf.haloFraction * 4 * sc * sc + 1 / 12;
      expect(m.vxx / expected).toBeCloseTo(1, 2);
    }
    expect(checked).toBeGreaterThan(2);
  });

  it('is sky-free: far from every star the scene is 0', () => {
    const truth = renderTruthScene(s);
    let darkest = Infinity;
    for (const v of truth.data) darkest = Math.min(darkest, v);
    expect(darkest).toBe(0);
  });
});
