import { describe, expect, it } from 'vitest';
import { FitsHeader } from '../../../shared/fits/header';
import { encodeHeader, formatCard, formatFloat } from '../../../shared/fits/header-encode';
import { parseCard, parseHeaderBlocks } from '../../../shared/fits/header-parse';
import { FitsError, type FitsCard } from '../../../shared/fits/types';
import { headerBytes, rawCard } from './helpers';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

describe('parseHeaderBlocks', () => {
  it('parses typed values: strings stay strings even when they look like numbers or dates', () => {
    const bytes = headerBytes([
      rawCard('SIMPLE', 'T'),
      "DATE-OBS= '2024-03-01T21:15:02' / start",
      rawCard('NUMTEXT', "'42'"),
      rawCard('EXPTIME', '30.'),
      rawCard('GAIN', '100'),
      rawCard('DEXP', '1.5D-3'),
      rawCard('ISCOOL', 'F'),
      rawCard('BIG', '9007199254740993'),
      "FILTER  = 'O''III / 7nm'        / quote and slash inside",
      rawCard('EMPTY', '', 'no value'),
    ]);
    const { cards, complete, headerBytes: n } = parseHeaderBlocks(bytes, 'a.fits');
    expect(complete).toBe(true);
    expect(n).toBe(2880);
    const h = new FitsHeader(cards);
    expect(h.card('DATE-OBS')).toEqual({ key: 'DATE-OBS', value: '2024-03-01T21:15:02', type: 'string', comment: 'start' });
    expect(h.get('NUMTEXT')).toBe('42');
    expect(h.card('EXPTIME')).toMatchObject({ value: 30, type: 'float' });
    expect(h.card('GAIN')).toMatchObject({ value: 100, type: 'int' });
    expect(h.get('DEXP')).toBe(0.0015);
    expect(h.get('ISCOOL')).toBe(false);
    expect(h.get('BIG')).toBe(9007199254740993n);
    expect(h.card('FILTER')).toMatchObject({ value: "O'III / 7nm", comment: 'quote and slash inside' });
    expect(h.has('EMPTY')).toBe(false);
  });

  it('joins CONTINUE cards into one long string', () => {
    const bytes = headerBytes([
      "LONGSTR = 'This is a long string value that is continued over &'",
      "CONTINUE  'more than one keyword &' / first comment",
      "CONTINUE  'record.'",
      rawCard('AFTER', '1'),
    ]);
    const h = new FitsHeader(parseHeaderBlocks(bytes, 'c.fits').cards);
    expect(h.get('LONGSTR')).toBe('This is a long string value that is continued over more than one keyword record.');
    expect(h.get('AFTER')).toBe(1);
  });

  it('reads HIERARCH keywords under their full name', () => {
    const h = new FitsHeader(parseHeaderBlocks(headerBytes(['HIERARCH ESO DET CHIP TEMP = -120.25 / kelvin']), 'h.fits').cards);
    expect(h.get('ESO DET CHIP TEMP')).toBe(-120.25);
    expect(h.get('HIERARCH ESO DET CHIP TEMP')).toBe(-120.25);
  });

  it('keeps HISTORY and COMMENT text in order', () => {
    const h = new FitsHeader(parseHeaderBlocks(headerBytes(['HISTORY first', 'COMMENT c', 'HISTORY second = not a value']), 'x').cards);
    expect(h.commentary('HISTORY')).toEqual(['first', 'second = not a value']);
  });

  it('reports an incomplete header when the bytes end before END, spanning several blocks', () => {
    const lines = Array.from({ length: 50 }, (_, i) => rawCard(`K${i}`, String(i)));
    const bytes = headerBytes(lines);
    expect(bytes.length).toBe(2 * 2880);
    expect(parseHeaderBlocks(bytes.subarray(0, 2880), 'p.fits').complete).toBe(false);
    const full = parseHeaderBlocks(bytes, 'p.fits');
    expect(full.complete).toBe(true);
    expect(full.headerBytes).toBe(5760);
    expect(full.cards).toHaveLength(50);
  });

  it('throws FITS_NO_END naming the file when the header runs into binary data', () => {
    const bytes = new Uint8Array(2 * 2880).fill(0);
    bytes.set(headerBytes([rawCard('SIMPLE', 'T')], false).subarray(0, 2880));
    expect(() => parseHeaderBlocks(bytes, 'bin.fits')).toThrow(FitsError);
    try {
      parseHeaderBlocks(bytes, 'bin.fits');
    } catch (e) {
      expect((e as FitsError).code).toBe('FITS_NO_END');
      expect((e as FitsError).message).toContain('bin.fits');
    }
  });

  it('ignores blank filler cards and stray CONTINUE cards', () => {
    expect(parseCard(' '.repeat(80))).toBeNull();
    expect(parseCard("CONTINUE  'x'")).toBeNull();
  });
});

describe('encodeHeader', () => {
  const cards: FitsCard[] = [
    { key: 'SIMPLE', value: true, type: 'bool' },
    { key: 'BITPIX', value: -32, type: 'int' },
    { key: 'DATE-OBS', value: '2024-03-01T21:15:02', type: 'string' },
    { key: 'EXPTIME', value: 30, type: 'float', comment: 'seconds' },
    { key: 'GAIN', value: 100, type: 'int' },
    { key: 'TINY', value: 1.5e-7, type: 'float' },
    { key: 'QUOTE', value: "it's", type: 'string' },
    { key: 'NOTES', value: 'x'.repeat(150) + " and a 'quote'", type: 'string', comment: 'long' },
    { key: 'ESO DET CHIP TEMP', value: -120.25, type: 'float' },
    { key: 'HISTORY', comment: 'h'.repeat(100) },
  ];

  it('writes 80-column cards padded to 2880 bytes and ending in END', () => {
    const bytes = encodeHeader(cards);
    expect(bytes.length % 2880).toBe(0);
    const s = text(bytes);
    expect(s.slice(0, 80)).toBe(`SIMPLE  = ${'T'.padStart(20)}`.padEnd(80));
    expect(s.slice(80, 160)).toBe(`BITPIX  = ${'-32'.padStart(20)}`.padEnd(80));
    expect(s.slice(160, 240)).toBe("DATE-OBS= '2024-03-01T21:15:02'".padEnd(80));
    expect(s).toMatch(/EXPTIME = {17}30\.0 \/ seconds/);
    const cardsText = s.match(/.{80}/g)!;
    expect(cardsText.some((c) => c.startsWith('END     '))).toBe(true);
    expect(s.trimEnd().endsWith('END')).toBe(true);
  });

  it('round-trips values with their types through the parser', () => {
    const parsed = new FitsHeader(parseHeaderBlocks(encodeHeader(cards), 'rt.fits').cards);
    for (const c of cards.filter((c) => c.value !== undefined)) {
      expect(parsed.card(c.key)).toMatchObject({ value: c.value, type: c.type });
    }
    expect(parsed.card('EXPTIME')?.comment).toBe('seconds');
    expect(parsed.card('NOTES')?.comment).toBe('long');
    expect(parsed.commentary('HISTORY').join('')).toBe('h'.repeat(100));
  });

  it('continues long strings on CONTINUE cards', () => {
    const lines = formatCard({ key: 'NOTES', value: 'y'.repeat(150), type: 'string' });
    expect(lines.length).toBe(3);
    expect(lines[1].startsWith("CONTINUE  '")).toBe(true);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
  });

  it('always gives floats a decimal point or exponent, and refuses what FITS cannot hold', () => {
    expect(formatFloat(30)).toBe('30.0');
    expect(formatFloat(1e21)).toBe('1.0E+21');
    expect(formatFloat(-2.5e-7)).toBe('-2.5E-7');
    expect(() => formatCard({ key: 'BAD', value: NaN, type: 'float' })).toThrow(/BAD/);
    expect(() => formatCard({ key: 'BAD', value: 1.5, type: 'int' })).toThrow(/not an integer/);
  });
});

describe('FitsHeader', () => {
  it('gives the first of repeated keywords and parses numeric strings in getNumber', () => {
    const h = new FitsHeader([
      { key: 'EXPTIME', value: '30.5', type: 'string' },
      { key: 'OBJECT', value: 'M31', type: 'string' },
      { key: 'OBJECT', value: 'M32', type: 'string' },
      { key: 'FLAG', value: true, type: 'bool' },
    ]);
    expect(h.getNumber('exptime')).toBe(30.5);
    expect(h.getString('OBJECT')).toBe('M31');
    expect(h.getNumber('OBJECT')).toBeUndefined();
    expect(h.getString('FLAG')).toBe('T');
    expect(h.get('MISSING')).toBeUndefined();
  });
});
