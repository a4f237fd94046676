import { describe, expect, it } from 'vitest';
import { resolveSynthOptions, SynthOptionError } from '../../../shared/synth/options';

describe('resolveSynthOptions', () => {
  it('fills realistic defaults', () => {
    const o = resolveSynthOptions({ frames: 10, width: 200, height: 100 });
    expect(o).toMatchObject({ seed: 1, exposureS: 10, skyLevelAdu: 800, fwhmMedianPx: 3, shiftMaxPx: 20, rotationMaxDeg: 0.5, bayer: null, noiseFree: false });
    expect(o.fwhmRangePx[0]).toBeLessThan(3);
    expect(o.fwhmRangePx[1]).toBeGreaterThan(3);
  });

  it('scales the sky and star levels with the exposure', () => {
    const o = resolveSynthOptions({ frames: 1, width: 64, height: 64, exposureS: 30 });
    expect(o.skyLevelAdu).toBeCloseTo(2400, 9);
    expect(o.starFluxMinAdu).toBeCloseTo(450, 9);
  });

  it.each([
    [{ width: 3 }, 'width'],
    [{ frames: 0 }, 'frames'],
    [{ frames: 2.5 }, 'frames'],
    [{ bayer: 'RGBG' }, 'bayer'],
    [{ fwhmMedianPx: 3, fwhmRangePx: [4, 6] }, 'fwhmRangePx'],
    [{ cloudFraction: 1.5 }, 'cloudFraction'],
    [{ starsPerMegapixel: Number.NaN }, 'starsPerMegapixel'],
    [{ startIso: '2024-03-15 21:00' }, 'startIso'],
  ])('rejects %o with an error naming %s', (bad, path) => {
    const run = () => resolveSynthOptions({ frames: 4, width: 64, height: 64, ...(bad as object) });
    expect(run).toThrow(SynthOptionError);
    try {
      run();
    } catch (e) {
      expect((e as SynthOptionError).code).toBe('SYNTH_OPTION_INVALID');
      expect((e as SynthOptionError).path).toBe(path);
    }
  });
});
