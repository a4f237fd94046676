import { gzipSync, deflateRawSync, deflateSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ditherFinalSeed, ditherTable } from '../../../shared/fits/compressed/dither';
import { gunzip, InflateError } from '../../../shared/fits/compressed/inflate';
import { riceDecompress } from '../../../shared/fits/compressed/rice';
import { readFitsHeader, readFitsImage, readFitsRows } from '../../../shared/fits/reader';
import { FitsError } from '../../../shared/fits/types';
import { FIXTURES, bigEndian, concat, headerBytes, nodeFileSystem, padded, rawCard, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const fixture = (name: string) => join(FIXTURES, name);

/** Bit-exact comparison of float32 arrays (NaN equals NaN). */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

describe('tile-compressed images written by astropy', () => {
  const cases = [
    ['int16-rice', 'RICE_1 int16 with zero and raw blocks'],
    ['uint16-rice-tiles', 'RICE_1 unsigned 16-bit in 16 x 16 tiles with partial edge tiles'],
    ['uint8-rice', 'RICE_1 8-bit (BYTEPIX 1)'],
    ['rgb-rice', 'RICE_1 colour cube'],
    ['float32-rice-dither1', 'RICE_1 quantized float32 with SUBTRACTIVE_DITHER_1'],
    ['float32-gzip1-dither2', 'GZIP_1 quantized float32 with SUBTRACTIVE_DITHER_2'],
    ['int32-gzip2', 'GZIP_2 (byte-shuffled) int32'],
    ['float32-gzip1-lossless', 'GZIP_1 lossless float32'],
  ];
  for (const [name, what] of cases) {
    it(`decodes ${what} to exactly astropy's values`, async () => {
      const { image, info, header } = await readFitsImage(nodeFileSystem, fixture(`${name}.fits.fz`));
      const expected = await readFitsImage(nodeFileSystem, fixture(`${name}.expected.fits`));
      expect(info.compressed).toBeDefined();
      expect([image.width, image.height, image.planes]).toEqual([expected.image.width, expected.image.height, expected.image.planes]);
      expect(sameBits(image.data, expected.image.data)).toBe(true);
      // the header is the image's, not the table's
      expect(header.get('NAXIS1')).toBe(image.width);
      expect(header.has('ZCMPTYPE')).toBe(false);
      expect(header.has('TFORM1')).toBe(false);
    });
  }

  it('keeps the keywords of the compressed image with their types', async () => {
    const { header, info } = await readFitsHeader(nodeFileSystem, fixture('int16-rice.fits.fz'));
    expect(info.compressed?.type).toBe('RICE_1');
    expect(header.get('EXPTIME')).toBe(30);
    expect(header.card('EXPTIME')?.type).toBe('float');
    expect(header.get('DATE-OBS')).toBe('2024-03-01T21:15:02.125');
    expect(header.get('BITPIX')).toBe(16);
  });

  it('decodes only the tile rows a row range needs, with the same values as a full read', async () => {
    const path = fixture('uint16-rice-tiles.fits.fz');
    const { image } = await readFitsImage(nodeFileSystem, path);
    const rows = await readFitsRows(nodeFileSystem, path, 13, 37);
    expect(Array.from(rows)).toEqual(Array.from(image.data.subarray(13 * 70, 37 * 70)));
    const rgb = await readFitsImage(nodeFileSystem, fixture('rgb-rice.fits.fz'));
    const band = await readFitsRows(nodeFileSystem, fixture('rgb-rice.fits.fz'), 20, 24);
    const w = 32;
    const want = [0, 1, 2].flatMap((c) => Array.from(rgb.image.data.subarray((c * 24 + 20) * w, (c * 24 + 24) * w)));
    expect(Array.from(band)).toEqual(want);
  });

  it('refuses HCOMPRESS_1 with FITS_UNSUPPORTED_COMPRESSION naming the file', async () => {
    const err = await readFitsHeader(nodeFileSystem, fixture('int16-hcompress.fits.fz')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).code).toBe('FITS_UNSUPPORTED_COMPRESSION');
    expect((err as FitsError).message).toContain('int16-hcompress.fits.fz');
  });
});

/**
 * A GZIP_1 compressed image built here (zlib from Node as the independent compressor), one tile
 * per row, with per-tile ZSCALE/ZZERO columns and a ZBLANK keyword, to cover what astropy 5.2
 * does not write: undefined pixels in quantized floats, and NO_DITHER.
 */
function gzipQuantizedFile(rows: number[][], scale: number[], zero: number[], quantize: string): Uint8Array {
  const width = rows[0].length;
  const tiles = rows.map((r) => new Uint8Array(gzipSync(bigEndian(32, r))));
  const rowBytes = 8 + 8 + 8;
  const table = new Uint8Array(rowBytes * rows.length);
  const dv = new DataView(table.buffer);
  let heap = 0;
  tiles.forEach((t, i) => {
    dv.setUint32(i * rowBytes, t.length, false);
    dv.setUint32(i * rowBytes + 4, heap, false);
    dv.setFloat64(i * rowBytes + 8, scale[i], false);
    dv.setFloat64(i * rowBytes + 16, zero[i], false);
    heap += t.length;
  });
  const header = headerBytes([
    rawCard('XTENSION', "'BINTABLE'"),
    rawCard('BITPIX', '8'),
    rawCard('NAXIS', '2'),
    rawCard('NAXIS1', String(rowBytes)),
    rawCard('NAXIS2', String(rows.length)),
    rawCard('PCOUNT', String(heap)),
    rawCard('GCOUNT', '1'),
    rawCard('TFIELDS', '3'),
    rawCard('TTYPE1', "'COMPRESSED_DATA'"),
    rawCard('TFORM1', "'1PB(100)'"),
    rawCard('TTYPE2', "'ZSCALE  '"),
    rawCard('TFORM2', "'1D      '"),
    rawCard('TTYPE3', "'ZZERO   '"),
    rawCard('TFORM3', "'1D      '"),
    rawCard('ZIMAGE', 'T'),
    rawCard('ZBITPIX', '-32'),
    rawCard('ZNAXIS', '2'),
    rawCard('ZNAXIS1', String(width)),
    rawCard('ZNAXIS2', String(rows.length)),
    rawCard('ZTILE1', String(width)),
    rawCard('ZTILE2', '1'),
    rawCard('ZCMPTYPE', "'GZIP_1  '"),
    rawCard('ZQUANTIZ', `'${quantize}'`),
    rawCard('ZDITHER0', '3'),
    rawCard('ZBLANK', '-2147483647'),
  ]);
  const primary = headerBytes([rawCard('SIMPLE', 'T'), rawCard('BITPIX', '8'), rawCard('NAXIS', '0')]);
  const heapBytes = concat(...tiles);
  return concat(primary, header, padded(concat(table, heapBytes)));
}

describe('quantized tiles built in the test', () => {
  it('turns ZBLANK into NaN and applies NO_DITHER as value * ZSCALE + ZZERO', async () => {
    const path = tmp.file('nodither.fits.fz', gzipQuantizedFile([[1, -2147483647, 3], [10, 20, -2147483647]], [0.5, 2], [100, -1], 'NO_DITHER'));
    const { image } = await readFitsImage(nodeFileSystem, path);
    expect(Array.from(image.data)).toEqual([100.5, NaN, 101.5, 19, 39, NaN]);
  });

  it('subtracts the dither sequence of the tile with SUBTRACTIVE_DITHER_1 and keeps ZBLANK as NaN', async () => {
    const path = tmp.file('dither1.fits.fz', gzipQuantizedFile([[5, -2147483647, 7], [10, 20, 30]], [0.25, 0.25], [0, 0], 'SUBTRACTIVE_DITHER_1'));
    const { image } = await readFitsImage(nodeFileSystem, path);
    const r = ditherTable();
    // tile t starts at iseed = (t + ZDITHER0 - 1) = t + 2, offset floor(r[iseed] * 500), advancing per pixel
    const expected: number[] = [];
    [[5, -2147483647, 7], [10, 20, 30]].forEach((row, t) => {
      let next = Math.floor(r[t + 2] * 500);
      for (const v of row) {
        expected.push(v === -2147483647 ? NaN : Math.fround((v - r[next] + 0.5) * 0.25));
        next++;
      }
    });
    expect(Array.from(image.data)).toEqual(expected);
  });
});

describe('ditherTable', () => {
  it('is the standard Park-Miller sequence: the seed after 10000 draws is 1043618065', () => {
    expect(ditherFinalSeed()).toBe(1043618065);
    const t = ditherTable();
    expect(t[0]).toBe(Math.fround(16807 / 2147483647));
    expect(t.every((v) => v > 0 && v < 1)).toBe(true);
  });
});

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

describe('gunzip', () => {
  it('inflates whatever zlib deflates: gzip, zlib and raw streams, every level and strategy', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 5000 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE),
        fc.boolean(),
        (raw, level, strategy, repetitive) => {
          const data = repetitive ? Uint8Array.from(raw, (b, i) => (i % 7 === 0 ? b : raw[i >> 3] ?? 0)) : raw;
          const opts = { level, strategy };
          expect(same(gunzip(gzipSync(data, opts)), data)).toBe(true);
          expect(same(gunzip(deflateSync(data, opts)), data)).toBe(true);
          expect(same(gunzip(deflateRawSync(data, opts)), data)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('inflates a long run-length stream (overlapping back-references)', () => {
    const data = new Uint8Array(200000).fill(7);
    data[100] = 1;
    expect(same(gunzip(gzipSync(data)), data)).toBe(true);
  });

  it('rejects corrupted and truncated streams', () => {
    const good = gzipSync(Buffer.from('tile compressed FITS '.repeat(100)));
    const bad = Uint8Array.from(good);
    bad[bad.length - 6] ^= 0xff; // size field
    expect(() => gunzip(bad)).toThrow(InflateError);
    expect(() => gunzip(good.subarray(0, good.length - 20))).toThrow(InflateError);
  });
});

describe('riceDecompress', () => {
  it('rejects a BYTEPIX other than 1, 2 or 4 and data that end early', () => {
    expect(() => riceDecompress(new Uint8Array(8), 4, 32, 3)).toThrow(/BYTEPIX/);
    expect(() => riceDecompress(new Uint8Array([0, 0, 0, 0, 0x28]), 1000, 32, 4)).toThrow(/ended early/);
  });
});
