import type { FitsCard } from '../types';

/**
 * The header of the image a ZIMAGE table holds, as the uncompressed file would have it (what
 * astropy shows for a CompImageHDU): table structure and compression keywords dropped, ZBITPIX,
 * ZNAXISn ... renamed to BITPIX, NAXISn .... Callers then see BITPIX/NAXIS of the image, never of
 * the table, and keyword copies to outputs carry no compression leftovers.
 */
const RENAME: Record<string, string> = {
  ZSIMPLE: 'SIMPLE',
  ZTENSION: 'XTENSION',
  ZBITPIX: 'BITPIX',
  ZNAXIS: 'NAXIS',
  ZEXTEND: 'EXTEND',
  ZPCOUNT: 'PCOUNT',
  ZGCOUNT: 'GCOUNT',
  ZBLANK: 'BLANK',
};

const TABLE_KEYS = new Set(['XTENSION', 'BITPIX', 'NAXIS', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'THEAP', 'ZIMAGE', 'ZCMPTYPE',
  'ZQUANTIZ', 'ZDITHER0', 'ZMASKCMP', 'ZSCALE', 'ZZERO', 'ZHECKSUM', 'ZDATASUM', 'CHECKSUM', 'DATASUM']);
const TABLE_KEY_PATTERNS = [/^NAXIS\d+$/, /^T(TYPE|FORM|UNIT|DIM|NULL|SCAL|ZERO|DISP)\d+$/, /^Z(NAME|VAL|TILE)\d+$/];

export function imageCardsOfCompressed(cards: readonly FitsCard[], floatImage: boolean): FitsCard[] {
  const out: FitsCard[] = [];
  for (const card of cards) {
    const key = card.key;
    if (key === 'EXTNAME' && String(card.value).trim().toUpperCase() === 'COMPRESSED_IMAGE') continue;
    const zaxis = /^ZNAXIS(\d+)$/.exec(key);
    if (zaxis) {
      out.push({ ...card, key: `NAXIS${zaxis[1]}` });
      continue;
    }
    if (key in RENAME) {
      // a float image has no BLANK; its ZBLANK only marks quantized null pixels
      if (key === 'ZBLANK' && floatImage) continue;
      out.push({ ...card, key: RENAME[key] });
      continue;
    }
    if (TABLE_KEYS.has(key) || TABLE_KEY_PATTERNS.some((re) => re.test(key))) continue;
    out.push(card);
  }
  return out;
}
