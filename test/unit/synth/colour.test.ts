import { describe, expect, it } from 'vitest';
import { bayerColorAt, BAYER_PATTERNS } from '../../../shared/image/image';
import { applyAffine, renderFrame, renderTruthScene, skyAt } from '../../../shared/synth';
import { isolatedStars, spec, stampMoments, STARS_ONLY } from './helpers';

describe('CFA mosaics', () => {
  it.each(BAYER_PATTERNS)('give every pixel of a %s sky the sky colour of its CFA colour', (pattern) => {
    const s = spec({ frames: 1, width: 64, height: 48, bayer: pattern, ...STARS_ONLY, starsPerMegapixel: 0 });
    const frame = s.frames[0];
    const img = renderFrame(s, 0);
    expect(img.planes).toBe(1);
    for (const [x, y] of [[0, 0], [1, 0], [0, 1], [1, 1], [33, 20], [34, 21]]) {
      const c = bayerColorAt(pattern, x, y);
      const expected = s.options.pedestalAdu + skyAt(s, frame, x, y) * s.skyColour[c];
      expect(img.data[y * 64 + x]).toBeCloseTo(expected, 2);
    }
  });

  it('gives mono frames no CFA structure', () => {
    const s = spec({ frames: 1, width: 64, height: 48, ...STARS_ONLY, starsPerMegapixel: 0, skyGradient: 0 });
    const img = renderFrame(s, 0);
    expect(img.data[0]).toBeCloseTo(img.data[1], 3);
    expect(img.data[0]).toBeCloseTo(img.data[64], 3);
  });

  it("splits a star's flux over the CFA colours by its colour: each phase holds a quarter of its colour flux", () => {
    const s = spec({ frames: 2, width: 256, height: 256, bayer: 'RGGB', starsPerMegapixel: 300, starFluxMinAdu: 500, seed: 7, ...STARS_ONLY });
    const frame = s.frames[1];
    const img = renderFrame(s, 1);
    const pedestalAndSky = (i: number, j: number) => s.options.pedestalAdu + skyAt(s, frame, i, j) * s.skyColour[bayerColorAt('RGGB', i, j)];
    let checked = 0;
    for (const st of isolatedStars(s, 40)) {
      const [x, y] = applyAffine(frame.sceneToFrame, st.x, st.y);
      const r = 16;
      const x0 = Math.round(x) - r;
      const y0 = Math.round(y) - r;
      if (x0 < 0 || y0 < 0 || x0 + 2 * r >= 256 || y0 + 2 * r >= 256) continue;
      const sums = [0, 0, 0];
      for (let j = y0; j <= y0 + 2 * r; j++) for (let i = x0; i <= x0 + 2 * r; i++) sums[bayerColorAt('RGGB', i, j)] += img.data[j * 256 + i] - pedestalAndSky(i, j);
      const t = frame.transparency;
      // a star a few pixels wide samples each CFA phase almost exactly a quarter
      expect(sums[0] / (0.25 * st.flux * st.colour[0] * t)).toBeCloseTo(1, 1);
      expect(sums[1] / (0.5 * st.flux * st.colour[1] * t)).toBeCloseTo(1, 1);
      expect(sums[2] / (0.25 * st.flux * st.colour[2] * t)).toBeCloseTo(1, 1);
      expect((sums[0] + sums[1] + sums[2]) / (st.flux * t)).toBeCloseTo(1, 1);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('renders the truth of a colour set as R, G, B planes holding the colour fluxes', () => {
    const s = spec({ frames: 1, width: 256, height: 256, bayer: 'BGGR', starsPerMegapixel: 300, starFluxMinAdu: 500, seed: 7, ...STARS_ONLY });
    const truth = renderTruthScene(s);
    expect(truth.planes).toBe(3);
    let checked = 0;
    for (const st of isolatedStars(s, 40)) {
      for (let c = 0; c < 3; c++) {
        const m = stampMoments(truth, st.x, st.y, 16, () => 0, c);
        if (!m) continue;
        expect(Math.abs(m.sum / (st.flux * st.colour[c]) - 1)).toBeLessThan(0.005);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
