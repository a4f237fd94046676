import type { RandomAccessFile } from '../io/file-system';
import { BLOCK_BYTES, bytesToAscii, paddedLength } from './ascii';
import { FitsHeader } from './header';
import { parseHeaderBlocks } from './header-parse';
import { FitsError, type Bitpix, type FitsImageInfo } from './types';

/**
 * Walking the HDUs of a file by their headers alone: each header says how many data bytes follow
 * (FITS 4.0 eq. 1-2), so the next HDU starts after the padded data without reading it.
 */
export interface Hdu {
  readonly index: number;
  readonly header: FitsHeader;
  readonly headerOffset: number;
  readonly dataOffset: number;
  /** Data bytes without padding. */
  readonly dataBytes: number;
  readonly nextOffset: number;
}

const FIRST_READ_BYTES = 8 * BLOCK_BYTES;

/** Reads the header starting at `offset`; null when no HDU starts there (end of file or trailing junk). */
export async function readHdu(
  file: RandomAccessFile,
  name: string,
  fileSize: number,
  offset: number,
  index: number,
): Promise<Hdu | null> {
  if (offset >= fileSize) {
    if (index === 0) throw new FitsError('FITS_NOT_FITS', name, 'not a FITS file: the file is empty');
    return null;
  }
  let want = Math.min(FIRST_READ_BYTES, fileSize - offset);
  let bytes = await readAt(file, offset, want);
  if (index === 0) checkFitsSignature(bytes, name);
  else if (bytesToAscii(bytes, 0, Math.min(9, bytes.length)) !== 'XTENSION=') return null;
  for (;;) {
    const parsed = parseHeaderBlocks(bytes, name, offset);
    if (parsed.complete) {
      const header = new FitsHeader(parsed.cards);
      const dataOffset = offset + parsed.headerBytes;
      const dataBytes = hduDataBytes(header, name);
      return { index, header, headerOffset: offset, dataOffset, dataBytes, nextOffset: dataOffset + paddedLength(dataBytes) };
    }
    if (offset + bytes.length >= fileSize) {
      throw new FitsError('FITS_NO_END', name, `no END card in the header of HDU ${index}: the file ends at byte ${fileSize}`);
    }
    // headers of thousands of cards exist (drizzle, WCS distortion tables): grow geometrically
    want = Math.min(bytes.length * 2, fileSize - offset);
    bytes = await readAt(file, offset, want);
  }
}

async function readAt(file: RandomAccessFile, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = await file.read(buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

function checkFitsSignature(bytes: Uint8Array, name: string): void {
  if (bytes.length === 0) throw new FitsError('FITS_NOT_FITS', name, 'not a FITS file: the file is empty');
  const head = bytesToAscii(bytes, 0, Math.min(30, bytes.length));
  if (!/^SIMPLE  = {0,20}T/.test(head)) {
    throw new FitsError('FITS_NOT_FITS', name, 'not a FITS file: it does not start with "SIMPLE  =                    T"');
  }
}

/** |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn); 0 without axes. */
export function hduDataBytes(header: FitsHeader, name: string): number {
  const naxis = header.getNumber('NAXIS') ?? 0;
  const bitpix = header.getNumber('BITPIX');
  if (bitpix === undefined || ![8, 16, 32, 64, -32, -64].includes(bitpix)) {
    throw new FitsError('FITS_UNSUPPORTED', name, `BITPIX = ${String(header.get('BITPIX'))} is not a FITS BITPIX`);
  }
  if (naxis === 0) return 0;
  // random groups (NAXIS1 = 0) count NAXIS2..n only
  let n = 1;
  for (let i = 1; i <= naxis; i++) {
    const len = header.getNumber(`NAXIS${i}`) ?? 0;
    if (i === 1 && len === 0 && header.getBoolean('GROUPS') === true) continue;
    n *= len;
  }
  const pcount = header.getNumber('PCOUNT') ?? 0;
  const gcount = header.getNumber('GCOUNT') ?? 1;
  return (Math.abs(bitpix) / 8) * gcount * (pcount + n);
}

const COMPRESSION_TYPES = new Set(['RICE_1', 'GZIP_1', 'GZIP_2']);

/**
 * The image this HDU holds, or null if it holds none (no axes, a table, random groups).
 * NAXIS3 = 1 is mono, 3 is RGB; other plane counts and higher non-degenerate axes are FITS_UNSUPPORTED.
 */
export function imageInfoOf(hdu: Hdu, name: string): FitsImageInfo | null {
  const h = hdu.header;
  const xtension = h.getString('XTENSION')?.trim().toUpperCase();
  const compressed = xtension === 'BINTABLE' && h.getBoolean('ZIMAGE') === true;
  if (hdu.index > 0 && xtension !== 'IMAGE' && !compressed) return null;
  if (h.getBoolean('GROUPS') === true) return null;
  const p = compressed ? 'Z' : '';
  const naxisCount = h.getNumber(`${p}NAXIS`) ?? 0;
  const naxis: number[] = [];
  for (let i = 1; i <= naxisCount; i++) naxis.push(h.getNumber(`${p}NAXIS${i}`) ?? 0);
  if (naxis.length < 2 || naxis.some((n) => n <= 0)) return null;
  if (!compressed && hdu.dataBytes === 0) return null;
  const planes = naxis.length >= 3 ? naxis[2] : 1;
  if (naxis.slice(3).some((n) => n !== 1)) {
    throw new FitsError('FITS_UNSUPPORTED', name, `HDU ${hdu.index} has ${naxisCount} axes (${naxis.join(' x ')}); only 2-D images and 3-plane colour cubes are supported`);
  }
  if (planes !== 1 && planes !== 3) {
    throw new FitsError('FITS_UNSUPPORTED', name, `NAXIS3 = ${planes} in HDU ${hdu.index}: only 1 (mono) or 3 (RGB) planes are supported`);
  }
  const bitpix = h.getNumber(`${p}BITPIX`) as Bitpix;
  if (![8, 16, 32, 64, -32, -64].includes(bitpix)) {
    throw new FitsError('FITS_UNSUPPORTED', name, `${p}BITPIX = ${String(h.get(`${p}BITPIX`))} is not a FITS BITPIX`);
  }
  const blankValue = compressed ? (h.get('ZBLANK') ?? h.get('BLANK')) : h.get('BLANK');
  const info: FitsImageInfo = {
    bitpix,
    naxis,
    width: naxis[0],
    height: naxis[1],
    planes,
    bzero: h.getNumber('BZERO') ?? 0,
    bscale: h.getNumber('BSCALE') ?? 1,
    blank: bitpix > 0 && blankValue !== undefined ? Number(blankValue) : undefined,
    dataOffset: hdu.dataOffset,
    dataBytes: hdu.dataBytes,
    hdu: hdu.index,
  };
  if (!compressed) return info;
  const type = h.getString('ZCMPTYPE')?.trim().toUpperCase() ?? '';
  if (!COMPRESSION_TYPES.has(type)) {
    throw new FitsError('FITS_UNSUPPORTED_COMPRESSION', name, `tile compression ${type || '(no ZCMPTYPE)'} in HDU ${hdu.index} is not supported (RICE_1, GZIP_1, GZIP_2 are)`);
  }
  const tileWidth = h.getNumber('ZTILE1') ?? naxis[0];
  const tileHeight = h.getNumber('ZTILE2') ?? 1;
  if ((h.getNumber('ZTILE3') ?? 1) !== 1) {
    throw new FitsError('FITS_UNSUPPORTED_COMPRESSION', name, `tiles spanning several planes (ZTILE3 = ${h.getNumber('ZTILE3')}) are not supported`);
  }
  return { ...info, compressed: { type, tileWidth, tileHeight } };
}

/** The exact BLANK for decoding (bigint kept for BITPIX 64 values beyond 2^53). */
export function exactBlank(header: FitsHeader, info: FitsImageInfo): number | bigint | undefined {
  if (info.bitpix < 0) return undefined;
  const v = info.compressed ? (header.get('ZBLANK') ?? header.get('BLANK')) : header.get('BLANK');
  return typeof v === 'bigint' || typeof v === 'number' ? v : undefined;
}
