import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FitsHeader } from '../../../shared/fits/header';
import { readFitsImage } from '../../../shared/fits/reader';
import { carryOverCards, headerSummary } from '../../../shared/fits/summary';
import { FIXTURES, nodeFileSystem } from './helpers';

const header = (cards: Array<[string, string | number | boolean, ('string' | 'int' | 'float' | 'bool')?]>) =>
  new FitsHeader(cards.map(([key, value, type]) => ({ key, value, type })));

describe('headerSummary', () => {
  it('collects the keywords the pipeline uses, with EXPOSURE and EGAIN as fallbacks', () => {
    const s = headerSummary(
      header([
        ['EXPOSURE', 60, 'float'],
        ['COLORTYP', 'Bayer_gbrg', 'string'],
        ['XBAYROFF', 1, 'int'],
        ['YBAYROFF', 0, 'int'],
        ['ROWORDER', 'TOP-DOWN', 'string'],
        ['IMAGETYP', 'Light Frame', 'string'],
        ['DATE-OBS', '2024-03-01T21:15:02', 'string'],
        ['EGAIN', 1.25, 'float'],
        ['CCD-TEMP', -10.2, 'float'],
        ['SET-TEMP', -10, 'int'],
        ['XBINNING', 2, 'int'],
        ['FOCALLEN', 530, 'float'],
        ['XPIXSZ', 3.76, 'float'],
        ['OBJCTRA', '05 35 17.3', 'string'],
        ['OBJCTDEC', '-05 23 28', 'string'],
      ]),
    );
    expect(s).toMatchObject({
      exptime: 60,
      bayerPattern: 'GBRG',
      xBayerOffset: 1,
      yBayerOffset: 0,
      rowOrder: 'TOP-DOWN',
      imageType: 'Light Frame',
      dateObs: '2024-03-01T21:15:02',
      gain: 1.25,
      ccdTemp: -10.2,
      setTemp: -10,
      xBinning: 2,
      focalLength: 530,
      pixelSize: 3.76,
    });
    expect(s.ra).toBeCloseTo((5 + 35 / 60 + 17.3 / 3600) * 15, 9);
    expect(s.dec).toBeCloseTo(-(5 + 23 / 60 + 28 / 3600), 9);
  });

  it('prefers EXPTIME and BAYERPAT and leaves absent or unusable keywords out', () => {
    const s = headerSummary(header([['EXPTIME', 30, 'float'], ['EXPOSURE', 60, 'float'], ['BAYERPAT', 'rggb', 'string'], ['COLORTYP', 'GRBG', 'string'], ['OBJCTRA', 'nowhere', 'string']]));
    expect(s.exptime).toBe(30);
    expect(s.bayerPattern).toBe('RGGB');
    expect(s.ra).toBeUndefined();
    expect('gain' in s).toBe(false);
    expect(headerSummary(header([['BAYERPAT', 'XYZW', 'string']])).bayerPattern).toBeUndefined();
  });

  it('reads a real header written by astropy', async () => {
    const { header: h } = await readFitsImage(nodeFileSystem, join(FIXTURES, 'header-variants.fits'));
    expect(headerSummary(h)).toMatchObject({ exptime: 120, bayerPattern: 'RGGB', xBayerOffset: 0, yBayerOffset: 1, gain: 100, ccdTemp: -10.5, filter: "O'III / 7nm" });
    expect(h.get('NOTES')).toBe('a long note that does not fit on one card '.repeat(4).trimEnd());
    expect(h.get('ESO DET CHIP TEMP')).toBe(-120.25);
    expect(h.get('KEY039')).toBe(58.5);
    expect(h.get('ISCOOL')).toBe(true);
  });
});

describe('carryOverCards', () => {
  it('copies the METHOD.md keywords with types and comments intact, CFA keywords only on request', () => {
    const h = new FitsHeader([
      { key: 'SIMPLE', value: true, type: 'bool' },
      { key: 'GAIN', value: 100, type: 'int', comment: 'gain' },
      { key: 'DATE-OBS', value: '2024-03-01', type: 'string' },
      { key: 'BAYERPAT', value: 'RGGB', type: 'string' },
      { key: 'EXPTIME', value: 30, type: 'float' },
    ]);
    expect(carryOverCards(h)).toEqual([
      { key: 'DATE-OBS', value: '2024-03-01', type: 'string' },
      { key: 'GAIN', value: 100, type: 'int', comment: 'gain' },
    ]);
    expect(carryOverCards(h, { cfa: true }).map((c) => c.key)).toEqual(['DATE-OBS', 'GAIN', 'BAYERPAT']);
  });
});
