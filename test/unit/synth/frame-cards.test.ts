import { describe, expect, it } from 'vitest';
import { frameCards } from '../../../shared/synth';
import { spec } from './helpers';

const value = (cards: ReturnType<typeof frameCards>, key: string) => cards.find((c) => c.key === key)?.value;

describe('frameCards', () => {
  it('describes a light frame with exposure, date, camera and optics', () => {
    const s = spec({ frames: 3, width: 64, height: 64, exposureS: 30, gainEPerAdu: 1.5 });
    const cards = frameCards(s, 2);
    expect(value(cards, 'IMAGETYP')).toBe('Light Frame');
    expect(value(cards, 'EXPTIME')).toBe(30);
    expect(value(cards, 'GAIN')).toBe(1.5);
    expect(value(cards, 'INSTRUME')).toBe('Tile Compile synth');
    expect(value(cards, 'DATE-OBS')).toBe(s.frames[2].dateObs);
    expect(String(value(cards, 'DATE-OBS'))).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    for (const key of ['CCD-TEMP', 'TELESCOP', 'FILTER', 'OBJECT', 'XPIXSZ', 'FOCALLEN']) expect(value(cards, key)).toBeDefined();
    expect(cards.find((c) => c.key === 'EXPTIME')?.type).toBe('float');
    expect(cards.find((c) => c.key === 'DATE-OBS')?.type).toBe('string');
  });

  it('names the Bayer pattern of a mosaic and of nothing else', () => {
    expect(value(frameCards(spec({ frames: 1, width: 64, height: 64, bayer: 'GBRG' }), 0), 'BAYERPAT')).toBe('GBRG');
    expect(value(frameCards(spec({ frames: 1, width: 64, height: 64 }), 0), 'BAYERPAT')).toBeUndefined();
  });

  it('refuses a frame index outside the set', () => {
    expect(() => frameCards(spec({ frames: 2, width: 64, height: 64 }), 2)).toThrow(RangeError);
  });
});
