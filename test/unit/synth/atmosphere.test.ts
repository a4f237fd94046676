import { describe, expect, it } from 'vitest';
import { applyAffine, cloudDimming, renderFrame, skyAt } from '../../../shared/synth';
import { isolatedStars, spec, stampMoments, STARS_ONLY } from './helpers';

describe('thin cloud', () => {
  const base = { frames: 6, width: 320, height: 320, starsPerMegapixel: 600, starFluxMinAdu: 1000, seed: 8, ...STARS_ONLY, fieldSeeingVariation: 0 };
  const s = spec({ ...base, cloudFraction: 1 });
  const isolated = isolatedStars(s, 30);
  const [cx, cy] = s.centre;

  it('dims stars inside the band by its depth and leaves stars outside it at full flux', () => {
    let inside = 0;
    let outside = 0;
    for (let f = 0; f < 6; f++) {
      const frame = s.frames[f];
      const cloud = frame.cloud!;
      const img = renderFrame(s, f);
      for (const st of isolated) {
        const [x, y] = applyAffine(frame.sceneToFrame, st.x, st.y);
        const m = stampMoments(img, x, y, 14, (i, j) => s.options.pedestalAdu + skyAt(s, frame, i, j));
        if (!m) continue;
        const ratio = m.sum / (st.flux * frame.transparency);
        const d = cloudDimming(cloud, cx, cy, x, y);
        if (d === cloud.depth) {
          expect(ratio).toBeCloseTo(1 - cloud.depth, 2);
          inside++;
        } else if (cloudDimming(cloud, cx, cy, x, y) === 0 && [-14, 14].every((e) => cloudDimming(cloud, cx, cy, x + e, y + e) === 0 && cloudDimming(cloud, cx, cy, x - e, y + e) === 0)) {
          expect(Math.abs(ratio - 1)).toBeLessThan(1e-4);
          outside++;
        }
      }
    }
    expect(inside).toBeGreaterThan(2);
    expect(outside).toBeGreaterThan(2);
  });

  it('dims no star in a clear frame', () => {
    const clear = spec({ ...base, cloudFraction: 0 });
    const img = renderFrame(clear, 2);
    const cloudy = renderFrame(s, 2);
    let darker = 0;
    for (let i = 0; i < img.data.length; i++) if (cloudy.data[i] < img.data[i] - 1) darker++;
    expect(darker).toBeGreaterThan(0);
    const frame = clear.frames[2];
    let checked = 0;
    for (const star of isolatedStars(clear, 30)) {
      const [x, y] = applyAffine(frame.sceneToFrame, star.x, star.y);
      const m = stampMoments(img, x, y, 14, (i, j) => clear.options.pedestalAdu + skyAt(clear, frame, i, j));
      if (!m) continue;
      expect(Math.abs(m.sum / (star.flux * frame.transparency) - 1)).toBeLessThan(1e-4);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('satellite trails', () => {
  const opts = { frames: 3, width: 200, height: 160, seed: 13, ...STARS_ONLY, starsPerMegapixel: 0 };
  const withTrail = spec({ ...opts, trailFraction: 1 });
  const without = spec({ ...opts, trailFraction: 0 });

  it('add a PSF-wide line with fluxPerPx per pixel of length and nothing away from it', () => {
    const frame = withTrail.frames[1];
    const trail = frame.trail!;
    const a = renderFrame(withTrail, 1).data;
    const b = renderFrame(without, 1).data;
    const t = (trail.angleDeg * Math.PI) / 180;
    let total = 0;
    let far = 0;
    for (let y = 0; y < 160; y++) {
      for (let x = 0; x < 200; x++) {
        const diff = a[y * 200 + x] - b[y * 200 + x];
        total += diff;
        const dist = Math.abs(-(x - trail.x) * Math.sin(t) + (y - trail.y) * Math.cos(t));
        if (dist > 30 && Math.abs(diff) > 1e-3) far++;
      }
    }
    expect(far).toBe(0);
    // the trail's length inside the frame, by sampling the line finely
    let length = 0;
    for (let k = -400; k <= 400; k += 0.01) {
      const x = trail.x + k * Math.cos(t);
      const y = trail.y + k * Math.sin(t);
      if (x >= -0.5 && x < 199.5 && y >= -0.5 && y < 159.5) length += 0.01;
    }
    expect(total / (trail.fluxPerPx * length * frame.transparency)).toBeCloseTo(1, 1);
  });
});

describe('extended sources', () => {
  it('render galaxies with their catalogue flux (convolution keeps the flux)', () => {
    const s = spec({ frames: 1, width: 400, height: 400, seed: 17, ...STARS_ONLY, starsPerMegapixel: 0, galaxyCount: 3, skyGradient: 0 });
    const frame = s.frames[0];
    const img = renderFrame(s, 0);
    let total = 0;
    for (let y = 0; y < 400; y++) for (let x = 0; x < 400; x++) total += img.data[y * 400 + x] - s.options.pedestalAdu - skyAt(s, frame, x, y);
    // seed 17 puts all three galaxies at least 3 of their widest sigmas inside the frame
    expect(Math.abs(total / (frame.transparency * s.extended.reduce((p, g) => p + g.flux, 0)) - 1)).toBeLessThan(1e-3);
  });

  it('add a faint nebula spread over a good part of the field', () => {
    const s = spec({ frames: 1, width: 300, height: 200, seed: 2, ...STARS_ONLY, starsPerMegapixel: 0, galaxyCount: 0, nebula: true, skyGradient: 0 });
    const frame = s.frames[0];
    const img = renderFrame(s, 0);
    let lit = 0;
    let peak = 0;
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 300; x++) {
        const v = img.data[y * 300 + x] - s.options.pedestalAdu - skyAt(s, frame, x, y);
        if (v > 0.005 * frame.sky.levelAdu) lit++;
        peak = Math.max(peak, v);
      }
    }
    expect(lit / (300 * 200)).toBeGreaterThan(0.05);
    expect(peak).toBeLessThan(0.5 * frame.sky.levelAdu);
  });
});
