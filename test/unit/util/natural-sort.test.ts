import { describe, expect, it } from 'vitest';
import { matchesPattern, naturalCompare } from '../../../shared/util/natural-sort';

describe('naturalCompare', () => {
  it('orders numbered frames by number, not by characters', () => {
    const names = ['light_10.fits', 'light_2.fits', 'Light_1.fits', 'light_100.fits', 'dark.fits'];
    expect([...names].sort(naturalCompare)).toEqual(['dark.fits', 'Light_1.fits', 'light_2.fits', 'light_10.fits', 'light_100.fits']);
  });
  it('handles numbers beyond 2^53 exactly', () => {
    expect(naturalCompare('f_90071992547409931', 'f_90071992547409932')).toBeLessThan(0);
  });
});

describe('matchesPattern', () => {
  it('matches any of the ;-separated globs, case-insensitively', () => {
    const p = '*.fit;*.fits;*.fit.fz';
    expect(matchesPattern('A.FITS', p)).toBe(true);
    expect(matchesPattern('a.fit.fz', p)).toBe(true);
    expect(matchesPattern('a.fits.bak', p)).toBe(false);
    expect(matchesPattern('notes.txt', p)).toBe(false);
  });
  it('treats regex characters in globs literally', () => {
    expect(matchesPattern('a+b.fits', 'a+b.fits')).toBe(true);
    expect(matchesPattern('aab.fits', 'a+b.fits')).toBe(false);
  });
});
