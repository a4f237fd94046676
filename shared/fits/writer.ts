import type { FileSystem, RandomAccessFile } from '../io/file-system';
import type { Image } from '../image/image';
import { paddedLength } from './ascii';
import { encodeHeader } from './header-encode';
import type { FitsCard } from './types';

/**
 * Writing images (METHOD.md section 5, stack.fits): mandatory keywords in FITS order, then the
 * caller's cards (structural ones dropped: the writer owns them), then HISTORY. Data big-endian,
 * streamed row band by row band so a large frame is never held twice; written under a temporary
 * name, synced, then renamed into place, so readers never see half a file.
 */
export type WriteBitpix = -32 | 16 | -64;

export interface FitsGeometry {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  /** -32 float32 (default), -64 float64, 16 = unsigned 16-bit (BZERO 32768, rounded and clamped, NaN -> 0). */
  readonly bitpix: WriteBitpix;
}

/** An IMAGE extension written after the primary data (e.g. the COVERAGE int32 map). */
export interface FitsExtensionImage {
  readonly name: string;
  readonly image: { readonly width: number; readonly height: number; readonly data: Int32Array | Float32Array };
  readonly cards?: readonly FitsCard[];
}

export interface FitsRowWriter {
  /** Whole rows, in order: all rows of plane 0, then plane 1, ...; any number of rows per call. */
  writeRows(rows: Float32Array): Promise<void>;
  /**
   * Checks every row arrived, pads, appends the extensions, syncs and renames into place.
   * Extensions are best announced at creation ({ extend: true }); otherwise EXTEND is added in place.
   */
  close(extensions?: readonly FitsExtensionImage[]): Promise<void>;
  /** Discards the temporary file. */
  abort(): Promise<void>;
}

const STRUCTURAL = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|BZERO|BSCALE|BLANK|PCOUNT|GCOUNT|END|EXTNAME|GROUPS|Z[A-Z]*\d*|CHECKSUM|DATASUM)$/;
const CONVERT_PIXELS = 1 << 20;

export async function createFitsRowWriter(
  fs: FileSystem,
  path: string,
  geometry: FitsGeometry,
  cards: readonly FitsCard[] = [],
  history: readonly string[] = [],
  opts: { extend?: boolean } = {},
): Promise<FitsRowWriter> {
  const { width, height, planes, bitpix } = geometry;
  if (![-32, -64, 16].includes(bitpix)) throw new RangeError(`FITS writer: BITPIX ${bitpix} is not -32, -64 or 16`);
  if (!(width > 0 && height > 0 && (planes === 1 || planes === 3))) {
    throw new RangeError(`FITS writer: geometry ${width} x ${height} x ${planes} is not an image`);
  }
  const headerWith = (extend: boolean): Uint8Array =>
    encodeHeader([
      ...primaryCards(geometry, extend),
      ...cards.filter((c) => !STRUCTURAL.test(c.key.toUpperCase())),
      ...history.map((text): FitsCard => ({ key: 'HISTORY', comment: text })),
    ]);
  const extendWritten = opts.extend ?? false;
  const header = headerWith(extendWritten);
  const tmp = fs.tempName(path);
  const file = await fs.open(tmp, 'w+');
  let position = 0;
  let finished = false;
  const bpp = Math.abs(bitpix) / 8;
  const totalPixels = width * height * planes;
  let pixelsWritten = 0;
  const scratch = new Uint8Array(Math.min(CONVERT_PIXELS, totalPixels) * bpp);

  const put = async (bytes: Uint8Array): Promise<void> => {
    await writeFully(file, bytes, position);
    position += bytes.length;
  };
  const fail = async (): Promise<void> => {
    if (finished) return;
    finished = true;
    await file.close().catch(() => undefined);
    await fs.rm(tmp).catch(() => undefined);
  };

  try {
    await put(header);
  } catch (e) {
    await fail();
    throw e;
  }

  return {
    async writeRows(rows: Float32Array): Promise<void> {
      if (finished) throw new Error(`FITS writer ${path}: already closed`);
      if (rows.length % width !== 0) throw new RangeError(`FITS writer ${path}: ${rows.length} values are not whole rows of ${width}`);
      if (pixelsWritten + rows.length > totalPixels) throw new RangeError(`FITS writer ${path}: more rows than ${height} x ${planes}`);
      for (let i = 0; i < rows.length; i += CONVERT_PIXELS) {
        const n = Math.min(CONVERT_PIXELS, rows.length - i);
        const bytes = scratch.subarray(0, n * bpp);
        encodePixels(rows.subarray(i, i + n), bitpix, bytes);
        await put(bytes);
      }
      pixelsWritten += rows.length;
    },
    async close(extensions: readonly FitsExtensionImage[] = []): Promise<void> {
      if (finished) throw new Error(`FITS writer ${path}: already closed`);
      try {
        if (pixelsWritten !== totalPixels) {
          throw new Error(`FITS writer ${path}: ${pixelsWritten / width} rows written, expected ${height * planes}`);
        }
        if (extensions.length > 0 && !extendWritten) {
          // EXTEND = T belongs in the primary header; it fits in place unless the header was exactly full
          const rewritten = headerWith(true);
          if (rewritten.length !== header.length) {
            throw new Error(`FITS writer ${path}: create the writer with { extend: true } to append extensions`);
          }
          await writeFully(file, rewritten, 0);
        }
        await put(padding(position));
        for (const ext of extensions) await put(extensionBytes(ext));
        await file.sync();
      } catch (e) {
        await fail();
        throw e;
      }
      finished = true;
      await file.close();
      try {
        await fs.rename(tmp, path);
      } catch (e) {
        await fs.rm(tmp).catch(() => undefined);
        throw e;
      }
    },
    abort: fail,
  };
}

/** A whole image in one call; built on the row writer. */
export async function writeFitsImage(
  fs: FileSystem,
  path: string,
  image: Image,
  opts: {
    bitpix?: WriteBitpix;
    cards?: readonly FitsCard[];
    history?: readonly string[];
    extensions?: readonly FitsExtensionImage[];
  } = {},
): Promise<void> {
  const extensions = opts.extensions ?? [];
  const writer = await createFitsRowWriter(
    fs,
    path,
    { width: image.width, height: image.height, planes: image.planes, bitpix: opts.bitpix ?? -32 },
    opts.cards ?? [],
    opts.history ?? [],
    { extend: extensions.length > 0 },
  );
  try {
    await writer.writeRows(image.data.subarray(0, image.width * image.height * image.planes));
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.close(extensions);
}

function primaryCards(g: FitsGeometry, extend: boolean): FitsCard[] {
  const cards: FitsCard[] = [
    { key: 'SIMPLE', value: true, type: 'bool', comment: 'conforms to FITS standard' },
    { key: 'BITPIX', value: g.bitpix, type: 'int', comment: g.bitpix === 16 ? 'unsigned 16-bit via BZERO' : 'IEEE floating point' },
    { key: 'NAXIS', value: g.planes === 1 ? 2 : 3, type: 'int' },
    { key: 'NAXIS1', value: g.width, type: 'int' },
    { key: 'NAXIS2', value: g.height, type: 'int' },
  ];
  if (g.planes !== 1) cards.push({ key: 'NAXIS3', value: g.planes, type: 'int' });
  if (extend) cards.push({ key: 'EXTEND', value: true, type: 'bool' });
  if (g.bitpix === 16) {
    cards.push({ key: 'BZERO', value: 32768, type: 'int' }, { key: 'BSCALE', value: 1, type: 'int' });
  }
  return cards;
}

function extensionBytes(ext: FitsExtensionImage): Uint8Array {
  const { width, height, data } = ext.image;
  if (data.length < width * height) throw new RangeError(`FITS extension ${ext.name}: ${data.length} values for ${width} x ${height}`);
  const bitpix = data instanceof Int32Array ? 32 : -32;
  const header = encodeHeader([
    { key: 'XTENSION', value: 'IMAGE', type: 'string', comment: 'image extension' },
    { key: 'BITPIX', value: bitpix, type: 'int' },
    { key: 'NAXIS', value: 2, type: 'int' },
    { key: 'NAXIS1', value: width, type: 'int' },
    { key: 'NAXIS2', value: height, type: 'int' },
    { key: 'PCOUNT', value: 0, type: 'int' },
    { key: 'GCOUNT', value: 1, type: 'int' },
    { key: 'EXTNAME', value: ext.name, type: 'string' },
    ...(ext.cards ?? []).filter((c) => !STRUCTURAL.test(c.key.toUpperCase())),
  ]);
  const dataBytes = width * height * 4;
  const out = new Uint8Array(header.length + paddedLength(dataBytes));
  out.set(header);
  const dv = new DataView(out.buffer, header.length, dataBytes);
  if (data instanceof Int32Array) for (let i = 0; i < width * height; i++) dv.setInt32(i * 4, data[i], false);
  else for (let i = 0; i < width * height; i++) dv.setFloat32(i * 4, data[i], false);
  return out;
}

/** Float32 values to big-endian stored values of `bitpix` in `out`. */
export function encodePixels(values: Float32Array, bitpix: WriteBitpix, out: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const n = values.length;
  if (bitpix === -32) {
    for (let i = 0; i < n; i++) dv.setFloat32(i * 4, values[i], false);
  } else if (bitpix === -64) {
    for (let i = 0; i < n; i++) dv.setFloat64(i * 8, values[i], false);
  } else {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      // NaN has no uint16 form: written as 0; out-of-range values are clamped
      const u = v >= 0 ? (v < 65535 ? Math.round(v) : 65535) : 0;
      dv.setInt16(i * 2, u - 32768, false);
    }
  }
}

function padding(position: number): Uint8Array {
  return new Uint8Array(paddedLength(position) - position);
}

async function writeFully(file: RandomAccessFile, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const n = await file.write(bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw new Error(`${file.path}: write returned ${n}`);
    done += n;
  }
}

