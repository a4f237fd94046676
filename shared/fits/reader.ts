import type { FileSystem, RandomAccessFile } from '../io/file-system';
import type { Image } from '../image/image';
import { imageCardsOfCompressed } from './compressed/image-header';
import { readCompressedRows } from './compressed/read-compressed';
import { bytesPerPixel, decodePixels, type DecodeScaling } from './decode';
import { FitsHeader } from './header';
import { exactBlank, imageInfoOf, readHdu, type Hdu } from './hdu';
import { FitsError, type FitsImageInfo } from './types';

/**
 * Reading images (METHOD.md section 2 "FITS"). Only header blocks are read to find the image; the
 * data is then read in 8 MB chunks straight into a reused buffer and decoded into the one output
 * Float32Array, reading the next chunk while the current one is decoded. Row ranges of
 * uncompressed images read exactly their bytes.
 */
const CHUNK_BYTES = 8 * 1024 * 1024;

export interface FitsHeaderResult {
  /** The image's header (for a compressed image: as the uncompressed image would have it). */
  readonly header: FitsHeader;
  readonly info: FitsImageInfo;
  readonly fileSize: number;
}

interface Located extends FitsHeaderResult {
  /** The HDU's own header (the table header for a compressed image). */
  readonly raw: FitsHeader;
}

export async function readFitsHeader(fs: FileSystem, path: string): Promise<FitsHeaderResult> {
  const { header, info, fileSize } = await withFile(fs, path, (file, size) => locateImage(file, path, size));
  return { header, info, fileSize };
}

export async function readFitsImage(
  fs: FileSystem,
  path: string,
  opts?: {
    hdu?: number;
    /**
     * Decode into this buffer when it is large enough (image.data is then a view of it). Workers
     * reading frame after frame reuse one buffer: a fresh 200 MB Float32Array costs more in page
     * faults than decoding it (bench/fits-read.ts).
     */
    into?: Float32Array;
  },
): Promise<{ header: FitsHeader; info: FitsImageInfo; image: Image }> {
  return withFile(fs, path, async (file, size) => {
    const loc = await locateImage(file, path, size, opts?.hdu);
    const { info } = loc;
    const n = info.width * info.height * info.planes;
    const target = opts?.into && opts.into.length >= n ? opts.into.subarray(0, n) : undefined;
    let data: Float32Array;
    if (info.compressed) {
      data = await readCompressedRows(file, path, loc.raw, info, 0, info.height);
      if (target) data = (target.set(data), target);
    } else {
      data = await readUncompressed(file, path, info, scalingOf(loc.raw, info), 0, info.height, target);
    }
    return { header: loc.header, info, image: { width: info.width, height: info.height, planes: info.planes, data } };
  });
}

/**
 * Rows [y0, y1) of every plane, plane-major: planes * (y1 - y0) * width values. With `info`
 * from an earlier readFitsHeader an uncompressed image costs no header read at all.
 */
export async function readFitsRows(
  fs: FileSystem,
  path: string,
  y0: number,
  y1: number,
  info?: FitsImageInfo,
): Promise<Float32Array> {
  return withFile(fs, path, async (file, size) => {
    let known = info;
    let scaling: DecodeScaling | undefined;
    let raw: FitsHeader | undefined;
    // compressed images need the table header; a 64-bit BLANK may not survive as a number
    if (!known || known.compressed || (known.bitpix === 64 && known.blank !== undefined)) {
      const loc = await locateImage(file, path, size, known?.hdu);
      known = loc.info;
      raw = loc.raw;
      scaling = scalingOf(loc.raw, known);
    }
    if (!Number.isInteger(y0) || !Number.isInteger(y1) || y0 < 0 || y1 < y0 || y1 > known.height) {
      throw new RangeError(`${path}: rows [${y0}, ${y1}) are outside the image height ${known.height}`);
    }
    if (known.compressed) return readCompressedRows(file, path, raw!, known, y0, y1);
    scaling ??= { bitpix: known.bitpix, bzero: known.bzero, bscale: known.bscale, blank: known.blank };
    return readUncompressed(file, path, known, scaling, y0, y1);
  });
}

async function withFile<T>(fs: FileSystem, path: string, use: (file: RandomAccessFile, size: number) => Promise<T>): Promise<T> {
  let file: RandomAccessFile;
  try {
    file = await fs.open(path, 'r');
  } catch (e) {
    throw new FitsError('FITS_UNREADABLE', path, `cannot open: ${(e as Error).message}`);
  }
  try {
    return await use(file, await file.size());
  } finally {
    await file.close();
  }
}

/** The requested HDU, or the first HDU holding an image with data. */
async function locateImage(file: RandomAccessFile, name: string, fileSize: number, hduIndex?: number): Promise<Located> {
  let offset = 0;
  for (let index = 0; ; index++) {
    const hdu = await readHdu(file, name, fileSize, offset, index);
    if (!hdu) {
      const what = hduIndex === undefined ? 'no image HDU (NAXIS >= 2 with data) in' : `no HDU ${hduIndex} among the`;
      throw new FitsError('FITS_NO_IMAGE', name, `${what} ${index} HDU(s) of the file`);
    }
    if (hduIndex === undefined || hduIndex === index) {
      const info = imageInfoOf(hdu, name);
      if (info) return located(hdu, info, name, fileSize);
      if (hduIndex === index) throw new FitsError('FITS_NO_IMAGE', name, `HDU ${index} holds no image`);
    }
    offset = hdu.nextOffset;
  }
}

function located(hdu: Hdu, info: FitsImageInfo, name: string, fileSize: number): Located {
  const end = hdu.dataOffset + hdu.dataBytes;
  if (end > fileSize) throw new FitsError('FITS_TRUNCATED', name, `data ends at byte ${fileSize}, expected ${end}`);
  const header = info.compressed ? new FitsHeader(imageCardsOfCompressed(hdu.header.cards, info.bitpix < 0)) : hdu.header;
  return { header, raw: hdu.header, info, fileSize };
}

function scalingOf(raw: FitsHeader, info: FitsImageInfo): DecodeScaling {
  return { bitpix: info.bitpix, bzero: info.bzero, bscale: info.bscale, blank: exactBlank(raw, info) };
}

async function readUncompressed(
  file: RandomAccessFile,
  name: string,
  info: FitsImageInfo,
  scaling: DecodeScaling,
  y0: number,
  y1: number,
  target?: Float32Array,
): Promise<Float32Array> {
  const { width, height, planes } = info;
  const rows = y1 - y0;
  const out = target ?? new Float32Array(planes * rows * width);
  const bpp = bytesPerPixel(info.bitpix);
  // whole images are one contiguous range; row ranges are one range per plane
  const ranges: Array<{ position: number; pixels: number; outOffset: number }> = [];
  if (rows === height) ranges.push({ position: info.dataOffset, pixels: planes * height * width, outOffset: 0 });
  else {
    for (let c = 0; c < planes; c++) {
      ranges.push({ position: info.dataOffset + (c * height + y0) * width * bpp, pixels: rows * width, outOffset: c * rows * width });
    }
  }
  const total = ranges.reduce((s, r) => s + r.pixels, 0);
  const chunkPixels = Math.max(1, Math.floor(Math.min(CHUNK_BYTES, total * bpp) / bpp));
  const pieces: Array<{ position: number; pixels: number; outOffset: number }> = [];
  for (const r of ranges) {
    for (let done = 0; done < r.pixels; done += chunkPixels) {
      const pixels = Math.min(chunkPixels, r.pixels - done);
      pieces.push({ position: r.position + done * bpp, pixels, outOffset: r.outOffset + done });
    }
  }
  const buffers = [new Uint8Array(chunkPixels * bpp), new Uint8Array(pieces.length > 1 ? chunkPixels * bpp : 0)];
  let pending = pieces.length > 0 ? readChunk(file, name, buffers[0], pieces[0].position, pieces[0].pixels * bpp) : null;
  for (let i = 0; i < pieces.length; i++) {
    const buffer = await pending!;
    // prefetch: the next read runs in the I/O pool while this chunk is decoded
    pending = i + 1 < pieces.length ? readChunk(file, name, buffers[(i + 1) % 2], pieces[i + 1].position, pieces[i + 1].pixels * bpp) : null;
    decodePixels(buffer, pieces[i].pixels, scaling, out, pieces[i].outOffset);
  }
  return out;
}

async function readChunk(file: RandomAccessFile, name: string, buffer: Uint8Array, position: number, length: number): Promise<Uint8Array> {
  let done = 0;
  while (done < length) {
    const n = await file.read(buffer, done, length - done, position + done);
    if (n === 0) {
      throw new FitsError('FITS_TRUNCATED', name, `data ends at byte ${position + done}, expected ${position + length}`);
    }
    done += n;
  }
  return buffer;
}

// the scanner and workers import everything they read from here
export { FitsHeader } from './header';
export { headerSummary, carryOverCards, type HeaderSummary } from './summary';
