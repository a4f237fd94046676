import type { BayerPattern } from '../image/image';
import type { FitsHeader } from './header';
import type { FitsCard } from './types';

/**
 * The pipeline's view of a frame header (METHOD.md section 2 "Header keywords"): only what scan,
 * calibration matching, colour handling and output headers use. Absent or unparseable keywords
 * are left out, never defaulted here.
 */
export interface HeaderSummary {
  /** Seconds: EXPTIME, else EXPOSURE. */
  readonly exptime?: number;
  /** RGGB/BGGR/GRBG/GBRG from BAYERPAT, else found in COLORTYP; as stored, offsets not applied. */
  readonly bayerPattern?: BayerPattern;
  readonly colorType?: string;
  readonly xBayerOffset?: number;
  readonly yBayerOffset?: number;
  /** ROWORDER as written (TOP-DOWN / BOTTOM-UP); copied, never acted on. */
  readonly rowOrder?: string;
  readonly imageType?: string;
  readonly dateObs?: string;
  readonly filter?: string;
  readonly instrument?: string;
  readonly telescope?: string;
  readonly object?: string;
  /** GAIN, else EGAIN. */
  readonly gain?: number;
  readonly ccdTemp?: number;
  readonly setTemp?: number;
  readonly xBinning?: number;
  /** Millimetres (FOCALLEN). */
  readonly focalLength?: number;
  /** Micrometres (XPIXSZ). */
  readonly pixelSize?: number;
  /** Degrees, from OBJCTRA ("hh mm ss.s" hours) or a numeric RA (degrees). */
  readonly ra?: number;
  /** Degrees, from OBJCTDEC ("+dd mm ss") or a numeric DEC. */
  readonly dec?: number;
}

const PATTERN_RE = /RGGB|BGGR|GRBG|GBRG/i;

export function headerSummary(header: FitsHeader): HeaderSummary {
  const s: Record<string, unknown> = {};
  const set = (key: keyof HeaderSummary, value: unknown): void => {
    if (value !== undefined && value !== '' && !(typeof value === 'number' && !Number.isFinite(value))) s[key] = value;
  };
  const text = (key: string): string | undefined => header.getString(key)?.trim() || undefined;
  set('exptime', header.getNumber('EXPTIME') ?? header.getNumber('EXPOSURE'));
  const bayer = PATTERN_RE.exec(text('BAYERPAT') ?? '') ?? PATTERN_RE.exec(text('COLORTYP') ?? '');
  set('bayerPattern', bayer ? (bayer[0].toUpperCase() as BayerPattern) : undefined);
  set('colorType', text('COLORTYP'));
  set('xBayerOffset', header.getNumber('XBAYROFF'));
  set('yBayerOffset', header.getNumber('YBAYROFF'));
  set('rowOrder', text('ROWORDER'));
  set('imageType', text('IMAGETYP'));
  set('dateObs', text('DATE-OBS'));
  set('filter', text('FILTER'));
  set('instrument', text('INSTRUME'));
  set('telescope', text('TELESCOP'));
  set('object', text('OBJECT'));
  set('gain', header.getNumber('GAIN') ?? header.getNumber('EGAIN'));
  set('ccdTemp', header.getNumber('CCD-TEMP'));
  set('setTemp', header.getNumber('SET-TEMP'));
  set('xBinning', header.getNumber('XBINNING'));
  set('focalLength', header.getNumber('FOCALLEN'));
  set('pixelSize', header.getNumber('XPIXSZ'));
  set('ra', angle(header, 'OBJCTRA', 15) ?? header.getNumber('RA'));
  set('dec', angle(header, 'OBJCTDEC', 1) ?? header.getNumber('DEC'));
  return s as HeaderSummary;
}

/** Sexagesimal "d m s" (space or colon separated) times `unitDeg`; plain numbers are taken as degrees. */
function angle(header: FitsHeader, key: string, unitDeg: number): number | undefined {
  const v = header.get(key);
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const parts = v.trim().split(/[\s:]+/);
  if (parts.length === 0 || parts.length > 3 || parts.some((p) => !/^[+-]?\d+(\.\d*)?$/.test(p))) return undefined;
  const negative = parts[0].startsWith('-');
  const [d, m = 0, sec = 0] = parts.map((p) => Math.abs(Number(p)));
  const value = (d + m / 60 + sec / 3600) * (parts.length === 1 ? 1 : unitDeg);
  return negative ? -value : value;
}

/** Keywords copied from the reference frame to outputs (METHOD.md sections 2 and 5). */
export const CARRY_OVER_KEYS: readonly string[] = [
  'DATE-OBS',
  'FILTER',
  'INSTRUME',
  'TELESCOP',
  'OBJECT',
  'GAIN',
  'EGAIN',
  'CCD-TEMP',
  'SET-TEMP',
  'XBINNING',
  'YBINNING',
  'FOCALLEN',
  'XPIXSZ',
  'YPIXSZ',
  'OBJCTRA',
  'OBJCTDEC',
  'ROWORDER',
];

/** CFA keywords, carried only to mosaic (not debayered) outputs. */
export const CFA_KEYS: readonly string[] = ['BAYERPAT', 'COLORTYP', 'XBAYROFF', 'YBAYROFF'];

/**
 * The cards to copy to an output, in the order of CARRY_OVER_KEYS, with value, type and comment
 * exactly as read (DATE-OBS stays a string, an integer GAIN stays an integer).
 */
export function carryOverCards(header: FitsHeader, opts: { cfa?: boolean } = {}): FitsCard[] {
  const keys = opts.cfa ? [...CARRY_OVER_KEYS, ...CFA_KEYS] : CARRY_OVER_KEYS;
  const out: FitsCard[] = [];
  for (const key of keys) {
    const card = header.card(key);
    if (card) out.push(card);
  }
  return out;
}
