/**
 * The FITS header model shared by the reader, the writer, the scanner and the pipeline.
 * A header is the ordered list of its cards; values keep their FITS type (a quoted string stays a
 * string even if it looks like a number, e.g. DATE-OBS).
 */
export type FitsValue = string | number | boolean | bigint;

export interface FitsCard {
  /** Keyword, upper case; HIERARCH keywords keep their full dotted/space name without "HIERARCH ". */
  readonly key: string;
  /** Absent for COMMENT, HISTORY, blank and value-less cards. */
  readonly value?: FitsValue;
  readonly comment?: string;
  /** Integers and floats are both `number`; this records which one the card held (or should be written as). */
  readonly type?: 'string' | 'int' | 'float' | 'bool';
}

/** BITPIX values of FITS 4.0 images. */
export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;

/** Geometry and data location of one image HDU. */
export interface FitsImageInfo {
  readonly bitpix: Bitpix;
  /** NAXIS1.. in FITS order: [width, height, planes?]. */
  readonly naxis: readonly number[];
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly bzero: number;
  readonly bscale: number;
  /** BLANK for integer images (stored value), or undefined. */
  readonly blank?: number;
  /** Byte offset of the first data byte in the file. */
  readonly dataOffset: number;
  /** Data bytes (unpadded). */
  readonly dataBytes: number;
  /** Index of the HDU (0 = primary). */
  readonly hdu: number;
  /** Tile-compressed image (ZIMAGE = T) stored in a binary table. */
  readonly compressed?: { readonly type: string; readonly tileWidth: number; readonly tileHeight: number };
}

export type FitsErrorCode =
  | 'FITS_UNREADABLE'
  | 'FITS_NOT_FITS'
  | 'FITS_TRUNCATED'
  | 'FITS_NO_END'
  | 'FITS_NO_IMAGE'
  | 'FITS_UNSUPPORTED'
  | 'FITS_UNSUPPORTED_COMPRESSION';

/** Every FITS problem names the file and says what is wrong; tests assert `code`. */
export class FitsError extends Error {
  constructor(
    readonly code: FitsErrorCode,
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'FitsError';
  }
}
