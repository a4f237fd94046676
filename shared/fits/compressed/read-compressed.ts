import type { RandomAccessFile } from '../../io/file-system';
import type { FitsHeader } from '../header';
import { FitsError, type FitsImageInfo } from '../types';
import { ELEMENT_BYTES, readDescriptor, readScalar, tableColumns, type Column } from './bintable';
import { dequantizeTile, type QuantizeMethod } from './dither';
import { gunzip } from './inflate';
import { riceDecompress } from './rice';

/**
 * Tile-compressed images (FITS 4.0 section 10): a binary table with one row per tile, the
 * compressed bytes in the heap. Tiles are ordered with x fastest, then y, then plane (ZTILE3 = 1).
 * Only the tile rows covering [y0, y1) are read and decoded, in batches of nearby heap bytes so a
 * whole frame costs a few large reads, not one per tile.
 */
const BATCH_BYTES = 8 * 1024 * 1024;

interface Params {
  readonly info: FitsImageInfo;
  readonly cmptype: string;
  readonly blocksize: number;
  readonly bytepix: number;
  readonly quantized: boolean;
  readonly method: QuantizeMethod;
  readonly zdither0: number;
  readonly zscale?: number;
  readonly zzero?: number;
  readonly zblank?: number;
  readonly data?: Column;
  readonly gzipData?: Column;
  readonly rawData?: Column;
  readonly scaleCol?: Column;
  readonly zeroCol?: Column;
  readonly blankCol?: Column;
}

interface TileJob {
  readonly index: number;
  readonly plane: number;
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly column: Column;
  readonly count: number;
  readonly start: number;
  readonly bytes: number;
}

export async function readCompressedRows(
  file: RandomAccessFile,
  name: string,
  header: FitsHeader,
  info: FitsImageInfo,
  y0: number,
  y1: number,
): Promise<Float32Array> {
  const c = info.compressed;
  if (!c) throw new Error('readCompressedRows needs a compressed image');
  const p = compressionParams(header, info, name);
  const rowBytes = header.getNumber('NAXIS1') ?? 0;
  const nrows = header.getNumber('NAXIS2') ?? 0;
  const heapStart = info.dataOffset + (header.getNumber('THEAP') ?? rowBytes * nrows);
  const table = new Uint8Array(rowBytes * nrows);
  await readFully(file, table, info.dataOffset, name);
  const view = new DataView(table.buffer);

  const { width, planes } = info;
  const rows = y1 - y0;
  const out = new Float32Array(planes * rows * width);
  const ntx = Math.ceil(width / c.tileWidth);
  const nty = Math.ceil(info.height / c.tileHeight);
  const jobs: TileJob[] = [];
  for (let plane = 0; plane < planes; plane++) {
    for (let ty = Math.floor(y0 / c.tileHeight); ty * c.tileHeight < y1; ty++) {
      for (let tx = 0; tx < ntx; tx++) {
        const index = (plane * nty + ty) * ntx + tx;
        if (index >= nrows) throw new FitsError('FITS_TRUNCATED', name, `compressed table has ${nrows} tiles, expected ${planes * nty * ntx}`);
        jobs.push(tileJob(view, index * rowBytes, index, plane, tx, ty, info, p, name));
      }
    }
  }

  for (let i = 0; i < jobs.length; ) {
    let j = i + 1;
    let lo = jobs[i].start;
    let hi = jobs[i].start + jobs[i].bytes;
    while (j < jobs.length) {
      const nlo = Math.min(lo, jobs[j].start);
      const nhi = Math.max(hi, jobs[j].start + jobs[j].bytes);
      if (nhi - nlo > BATCH_BYTES) break;
      lo = nlo;
      hi = nhi;
      j++;
    }
    const span = new Uint8Array(hi - lo);
    await readFully(file, span, heapStart + lo, name);
    for (let k = i; k < j; k++) {
      const job = jobs[k];
      const bytes = span.subarray(job.start - lo, job.start - lo + job.bytes);
      const pixels = decodeTile(bytes, job, view, job.index * rowBytes, p, name);
      for (let yy = 0; yy < job.h; yy++) {
        const y = job.y0 + yy;
        if (y < y0 || y >= y1) continue;
        const dst = (job.plane * rows + (y - y0)) * width + job.x0;
        out.set(pixels.subarray(yy * job.w, (yy + 1) * job.w), dst);
      }
    }
    i = j;
  }
  return out;
}

function compressionParams(header: FitsHeader, info: FitsImageInfo, name: string): Params {
  const cols = new Map(tableColumns(header).map((col) => [col.name, col]));
  const algo = new Map<string, number>();
  for (let i = 1; header.has(`ZNAME${i}`); i++) {
    algo.set((header.getString(`ZNAME${i}`) ?? '').trim().toUpperCase(), header.getNumber(`ZVAL${i}`) ?? NaN);
  }
  const quantizeName = (header.getString('ZQUANTIZ') ?? '').trim().toUpperCase();
  const quantized = info.bitpix < 0 && (cols.has('ZSCALE') || header.has('ZSCALE'));
  let method: QuantizeMethod = 'NO_DITHER';
  if (quantizeName === 'SUBTRACTIVE_DITHER_1' || quantizeName === 'SUBTRACTIVE_DITHER_2') method = quantizeName;
  else if (quantizeName !== '' && quantizeName !== 'NO_DITHER' && quantized) {
    throw new FitsError('FITS_UNSUPPORTED_COMPRESSION', name, `ZQUANTIZ = '${quantizeName}' is not supported`);
  }
  if (info.bitpix === 64) {
    throw new FitsError('FITS_UNSUPPORTED_COMPRESSION', name, 'tile-compressed 64-bit integer images are not supported');
  }
  const zblank = header.getNumber('ZBLANK') ?? (info.bitpix > 0 ? header.getNumber('BLANK') : undefined);
  return {
    info,
    cmptype: info.compressed!.type,
    blocksize: algo.get('BLOCKSIZE') ?? 32,
    bytepix: algo.get('BYTEPIX') ?? 4,
    quantized,
    method,
    zdither0: header.getNumber('ZDITHER0') ?? 1,
    zscale: header.getNumber('ZSCALE'),
    zzero: header.getNumber('ZZERO'),
    zblank,
    data: cols.get('COMPRESSED_DATA'),
    gzipData: cols.get('GZIP_COMPRESSED_DATA'),
    rawData: cols.get('UNCOMPRESSED_DATA'),
    scaleCol: cols.get('ZSCALE'),
    zeroCol: cols.get('ZZERO'),
    blankCol: cols.get('ZBLANK'),
  };
}

function tileJob(
  view: DataView,
  rowAt: number,
  index: number,
  plane: number,
  tx: number,
  ty: number,
  info: FitsImageInfo,
  p: Params,
  name: string,
): TileJob {
  const { tileWidth, tileHeight } = info.compressed!;
  const x0 = tx * tileWidth;
  const y0 = ty * tileHeight;
  const w = Math.min(tileWidth, info.width - x0);
  const h = Math.min(tileHeight, info.height - y0);
  // a tile lives in exactly one of the data columns; the others hold empty descriptors
  for (const column of [p.data, p.gzipData, p.rawData]) {
    if (!column) continue;
    const d = readDescriptor(view, rowAt + column.offset, column.code);
    if (d.count === 0) continue;
    const bytes = d.count * (ELEMENT_BYTES[column.arrayCode ?? 'B'] ?? 1);
    return { index, plane, x0, y0, w, h, column, count: d.count, start: d.heapOffset, bytes };
  }
  throw new FitsError('FITS_UNREADABLE', name, `tile ${index + 1} of the compressed image has no data`);
}

function decodeTile(bytes: Uint8Array, job: TileJob, view: DataView, rowAt: number, p: Params, name: string): Float32Array {
  const n = job.w * job.h;
  const out = new Float32Array(n);
  try {
    if (job.column === p.rawData) {
      decodeRaw(bytes, job.column.arrayCode ?? 'B', n, p, job, view, rowAt, out);
    } else if (job.column === p.gzipData) {
      // tiles that could not be quantized are stored losslessly as gzipped floats
      decodeRaw(gunzip(bytes, n * 8), p.info.bitpix === -64 ? 'D' : 'E', n, p, job, view, rowAt, out);
    } else if (p.cmptype === 'RICE_1') {
      integersToPhysical(riceDecompress(bytes, n, p.blocksize, p.bytepix), p, job, view, rowAt, out);
    } else {
      const raw = gunzip(bytes, n * 4);
      const data = p.cmptype === 'GZIP_2' ? unshuffle(raw, raw.length / n) : raw;
      decodeRaw(data, gzipElementCode(data.length / n, p, name), n, p, job, view, rowAt, out);
    }
  } catch (e) {
    if (e instanceof FitsError) throw e;
    throw new FitsError('FITS_UNREADABLE', name, `tile ${job.index + 1} of the compressed image: ${(e as Error).message}`);
  }
  return out;
}

/** GZIP tiles hold the pixels in their stored type: integers, quantized int32, or floats. */
function gzipElementCode(bytesPerPixel: number, p: Params, name: string): string {
  if (p.info.bitpix < 0 && !p.quantized) return bytesPerPixel === 8 ? 'D' : 'E';
  const code = { 1: 'B', 2: 'I', 4: 'J' }[bytesPerPixel];
  if (!code) throw new FitsError('FITS_UNREADABLE', name, `GZIP tile holds ${bytesPerPixel} bytes per pixel`);
  return code;
}

/** GZIP_2 stores all most-significant bytes first, then the next, and so on. */
function unshuffle(src: Uint8Array, size: number): Uint8Array {
  if (!Number.isInteger(size) || size <= 1) return src;
  const n = src.length / size;
  const out = new Uint8Array(src.length);
  for (let b = 0; b < size; b++) for (let i = 0; i < n; i++) out[i * size + b] = src[b * n + i];
  return out;
}

function decodeRaw(
  bytes: Uint8Array,
  code: string,
  n: number,
  p: Params,
  job: TileJob,
  view: DataView,
  rowAt: number,
  out: Float32Array,
): void {
  const size = ELEMENT_BYTES[code];
  if (!size || bytes.length < n * size) throw new Error(`tile holds ${bytes.length} bytes, expected ${n * (size ?? 0)}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (code === 'E' || code === 'D') {
    for (let k = 0; k < n; k++) {
      const v = code === 'E' ? dv.getFloat32(k * 4, false) : dv.getFloat64(k * 8, false);
      out[k] = v - v === 0 ? v : NaN;
    }
    return;
  }
  const ints = new Int32Array(n);
  for (let k = 0; k < n; k++) ints[k] = readScalar(dv, k * size, code);
  integersToPhysical(ints, p, job, view, rowAt, out);
}

function integersToPhysical(
  ints: Int32Array,
  p: Params,
  job: TileJob,
  view: DataView,
  rowAt: number,
  out: Float32Array,
): void {
  const blank = p.blankCol ? readScalar(view, rowAt + p.blankCol.offset, p.blankCol.code) : p.zblank;
  if (p.quantized) {
    const scale = p.scaleCol ? readScalar(view, rowAt + p.scaleCol.offset, p.scaleCol.code) : (p.zscale ?? 1);
    const zero = p.zeroCol ? readScalar(view, rowAt + p.zeroCol.offset, p.zeroCol.code) : (p.zzero ?? 0);
    dequantizeTile(ints, scale, zero, p.method, job.index, p.zdither0, blank, out);
    return;
  }
  const { bzero, bscale } = p.info;
  for (let k = 0; k < ints.length; k++) {
    const v = ints[k];
    out[k] = v === blank ? NaN : bzero + bscale * v;
  }
}

async function readFully(file: RandomAccessFile, into: Uint8Array, position: number, name: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const n = await file.read(into, done, into.length - done, position + done);
    if (n === 0) {
      throw new FitsError('FITS_TRUNCATED', name, `data ends at byte ${position + done}, expected ${position + into.length}`);
    }
    done += n;
  }
}
