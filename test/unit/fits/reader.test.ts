import { afterAll, describe, expect, it } from 'vitest';
import { readFitsHeader, readFitsImage, readFitsRows } from '../../../shared/fits/reader';
import { FitsError } from '../../../shared/fits/types';
import { bigEndian, concat, countingFileSystem, headerBytes, imageFile, nodeFileSystem, padded, rawCard, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function expectFitsError(p: Promise<unknown>, code: string, file: string): Promise<FitsError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FitsError);
  expect((err as FitsError).code).toBe(code);
  expect((err as FitsError).message).toContain(file);
  return err as FitsError;
}

// stored values per BITPIX, chosen to include the type's extremes
const STORED: Record<number, Array<number | bigint>> = {
  8: [0, 1, 127, 128, 255, 42],
  16: [-32768, -1, 0, 1, 32767, 1234],
  32: [-2147483648, -1, 0, 1, 2147483647, 65536],
  64: [-(2n ** 53n), -1n, 0n, 1n, 2n ** 53n, 2n ** 40n + 3n],
  [-32]: [-1.5, 0, 1e-20, 3.25, 1e30, -7],
  [-64]: [-1.5, 0, 1e-300, 3.25, 1e30, 1 / 3],
};

describe('readFitsImage', () => {
  for (const bitpix of [8, 16, 32, 64, -32, -64]) {
    for (const scaled of [false, true]) {
      it(`decodes BITPIX ${bitpix} ${scaled ? 'with BZERO/BSCALE' : 'without scaling'} to physical float32 values`, async () => {
        const stored = STORED[bitpix];
        const extra = scaled ? [rawCard('BZERO', '100.5'), rawCard('BSCALE', '2.0')] : [];
        const path = tmp.file(`bp${bitpix}-${scaled}.fits`, imageFile(bitpix, [3, 2], bigEndian(bitpix, stored), extra));
        const { image, info } = await readFitsImage(nodeFileSystem, path);
        expect(info.bitpix).toBe(bitpix);
        expect([image.width, image.height, image.planes]).toEqual([3, 2, 1]);
        const expected = stored.map((v) => Math.fround(scaled ? 100.5 + 2 * Number(v) : Number(v)));
        expect(Array.from(image.data)).toEqual(expected);
      });
    }
  }

  it('reads unsigned 16-bit data stored as BITPIX 16 with BZERO 32768', async () => {
    const unsigned = [0, 1, 32767, 32768, 65534, 65535];
    const path = tmp.file('u16.fits', imageFile(16, [6, 1], bigEndian(16, unsigned.map((u) => u - 32768)), [rawCard('BZERO', '32768'), rawCard('BSCALE', '1')]));
    const { image } = await readFitsImage(nodeFileSystem, path);
    expect(Array.from(image.data)).toEqual(unsigned);
  });

  it('turns BLANK integers into NaN for every integer BITPIX', async () => {
    for (const bitpix of [8, 16, 32, 64]) {
      const blank = bitpix === 8 ? 255 : -1;
      const path = tmp.file(`blank${bitpix}.fits`, imageFile(bitpix, [4, 1], bigEndian(bitpix, bitpix === 64 ? [5n, -1n, 7n, -1n] : [5, blank, 7, blank]), [rawCard('BLANK', String(blank)), rawCard('BZERO', '10')]));
      const { image } = await readFitsImage(nodeFileSystem, path);
      expect(Array.from(image.data)).toEqual([15, NaN, 17, NaN]);
    }
  });

  it('keeps float NaN as NaN and turns +-Inf into NaN', async () => {
    for (const bitpix of [-32, -64]) {
      const path = tmp.file(`inf${bitpix}.fits`, imageFile(bitpix, [4, 1], bigEndian(bitpix, [1, NaN, Infinity, -Infinity])));
      const { image } = await readFitsImage(nodeFileSystem, path);
      expect(Array.from(image.data)).toEqual([1, NaN, NaN, NaN]);
    }
  });

  it('reads a colour cube (NAXIS3 = 3) as three planes, plane-major', async () => {
    const values = Array.from({ length: 4 * 3 * 3 }, (_, i) => i * 10);
    const path = tmp.file('rgb.fits', imageFile(16, [4, 3, 3], bigEndian(16, values)));
    const { image, info } = await readFitsImage(nodeFileSystem, path);
    expect([image.width, image.height, image.planes, info.planes]).toEqual([4, 3, 3, 3]);
    expect(Array.from(image.data)).toEqual(values);
  });

  it('reads NAXIS3 = 1 as a 2-D image', async () => {
    const path = tmp.file('n3one.fits', imageFile(-32, [2, 2, 1], bigEndian(-32, [1, 2, 3, 4])));
    const { image } = await readFitsImage(nodeFileSystem, path);
    expect(image.planes).toBe(1);
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4]);
  });

  it('refuses NAXIS3 = 4 with FITS_UNSUPPORTED', async () => {
    const path = tmp.file('n3four.fits', imageFile(8, [2, 2, 4], new Uint8Array(16)));
    const err = await expectFitsError(readFitsImage(nodeFileSystem, path), 'FITS_UNSUPPORTED', 'n3four.fits');
    expect(err.message).toContain('NAXIS3 = 4');
  });

  it('finds the image in an extension when the primary HDU has NAXIS = 0', async () => {
    const primary = headerBytes([rawCard('SIMPLE', 'T'), rawCard('BITPIX', '8'), rawCard('NAXIS', '0'), rawCard('EXTEND', 'T')]);
    const ext = concat(
      headerBytes([rawCard('XTENSION', "'IMAGE   '"), rawCard('BITPIX', '-32'), rawCard('NAXIS', '2'), rawCard('NAXIS1', '2'), rawCard('NAXIS2', '1'), rawCard('PCOUNT', '0'), rawCard('GCOUNT', '1')]),
      padded(bigEndian(-32, [6.5, -2])),
    );
    const path = tmp.file('ext.fits', concat(primary, ext));
    const { image, info } = await readFitsImage(nodeFileSystem, path);
    expect(info.hdu).toBe(1);
    expect(info.dataOffset).toBe(2 * 2880);
    expect(Array.from(image.data)).toEqual([6.5, -2]);
  });

  it('reads a header of several 2880-byte blocks', async () => {
    const extra = Array.from({ length: 60 }, (_, i) => rawCard(`KEY${i}`, String(i)));
    const path = tmp.file('long.fits', imageFile(16, [2, 1], bigEndian(16, [3, 4]), extra));
    const { image, header, info } = await readFitsImage(nodeFileSystem, path);
    expect(info.dataOffset).toBe(2 * 2880);
    expect(header.get('KEY59')).toBe(59);
    expect(Array.from(image.data)).toEqual([3, 4]);
  });

  it('decodes into a caller buffer when it is large enough, and allocates when it is too small', async () => {
    const path = tmp.file('into.fits', imageFile(16, [3, 2], bigEndian(16, [1, 2, 3, 4, 5, 6])));
    const buffer = new Float32Array(10).fill(-1);
    const { image } = await readFitsImage(nodeFileSystem, path, { into: buffer });
    expect(image.data.buffer).toBe(buffer.buffer);
    expect(Array.from(buffer)).toEqual([1, 2, 3, 4, 5, 6, -1, -1, -1, -1]);
    const small = new Float32Array(4);
    const again = await readFitsImage(nodeFileSystem, path, { into: small });
    expect(again.image.data.buffer).not.toBe(small.buffer);
    expect(Array.from(again.image.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads a requested HDU and refuses one that is not an image', async () => {
    const path = tmp.file('hdu0.fits', imageFile(16, [2, 1], bigEndian(16, [3, 4])));
    expect(Array.from((await readFitsImage(nodeFileSystem, path, { hdu: 0 })).image.data)).toEqual([3, 4]);
    await expectFitsError(readFitsImage(nodeFileSystem, path, { hdu: 1 }), 'FITS_NO_IMAGE', 'hdu0.fits');
  });
});

describe('readFitsImage errors', () => {
  it('reports a truncated data unit with FITS_TRUNCATED and the byte positions', async () => {
    const full = imageFile(16, [100, 100], bigEndian(16, new Array(10000).fill(1)));
    const path = tmp.file('truncated.fits', full.subarray(0, 2880 + 5000));
    const err = await expectFitsError(readFitsImage(nodeFileSystem, path), 'FITS_TRUNCATED', 'truncated.fits');
    expect(err.message).toContain('data ends at byte 7880, expected 22880');
    await expectFitsError(readFitsHeader(nodeFileSystem, path), 'FITS_TRUNCATED', 'truncated.fits');
  });

  it('reports a header without END as FITS_NO_END, whether data or the end of file follows', async () => {
    const lines = [rawCard('SIMPLE', 'T'), rawCard('BITPIX', '16'), rawCard('NAXIS', '2'), rawCard('NAXIS1', '4'), rawCard('NAXIS2', '4')];
    const intoData = tmp.file('noend-data.fits', concat(headerBytes(lines, false), padded(new Uint8Array(32).fill(0))));
    await expectFitsError(readFitsImage(nodeFileSystem, intoData), 'FITS_NO_END', 'noend-data.fits');
    const atEof = tmp.file('noend-eof.fits', headerBytes(lines, false));
    await expectFitsError(readFitsHeader(nodeFileSystem, atEof), 'FITS_NO_END', 'noend-eof.fits');
  });

  it('reports text and PNG files as FITS_NOT_FITS', async () => {
    const text = tmp.file('notes.txt', Buffer.from('This is not a FITS file.\n'.repeat(200)));
    await expectFitsError(readFitsHeader(nodeFileSystem, text), 'FITS_NOT_FITS', 'notes.txt');
    const png = tmp.file('image.png', concat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), new Uint8Array(4000)));
    await expectFitsError(readFitsImage(nodeFileSystem, png), 'FITS_NOT_FITS', 'image.png');
    const empty = tmp.file('empty.fits', new Uint8Array(0));
    await expectFitsError(readFitsHeader(nodeFileSystem, empty), 'FITS_NOT_FITS', 'empty.fits');
  });

  it('reports a FITS file without any image as FITS_NO_IMAGE', async () => {
    const path = tmp.file('noimage.fits', headerBytes([rawCard('SIMPLE', 'T'), rawCard('BITPIX', '8'), rawCard('NAXIS', '0')]));
    await expectFitsError(readFitsHeader(nodeFileSystem, path), 'FITS_NO_IMAGE', 'noimage.fits');
  });

  it('reports a missing file as FITS_UNREADABLE naming it', async () => {
    await expectFitsError(readFitsHeader(nodeFileSystem, tmp.file('missing.fits')), 'FITS_UNREADABLE', 'missing.fits');
  });
});

describe('readFitsHeader', () => {
  it('reads only header blocks, never the data', async () => {
    const path = tmp.file('big.fits', imageFile(16, [500, 400], new Uint8Array(500 * 400 * 2)));
    const counting = countingFileSystem();
    const { info, fileSize } = await readFitsHeader(counting.fs, path);
    expect(fileSize).toBe(2880 + Math.ceil((500 * 400 * 2) / 2880) * 2880);
    expect([info.width, info.height, info.dataOffset, info.dataBytes]).toEqual([500, 400, 2880, 400000]);
    expect(counting.bytesRead()).toBeLessThanOrEqual(8 * 2880);
  });
});

describe('readFitsRows', () => {
  const width = 37;
  const height = 29;
  const values = Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 65536 - 32768);
  const path = tmp.file('rows.fits', imageFile(16, [width, height, 3], bigEndian(16, values), [rawCard('BZERO', '32768')]));

  it('returns the same rows of every plane as a full read', async () => {
    const { image } = await readFitsImage(nodeFileSystem, path);
    const rows = await readFitsRows(nodeFileSystem, path, 5, 12);
    const n = 12 - 5;
    for (let c = 0; c < 3; c++) {
      const want = image.data.subarray((c * height + 5) * width, (c * height + 12) * width);
      expect(Array.from(rows.subarray(c * n * width, (c + 1) * n * width))).toEqual(Array.from(want));
    }
  });

  it('reads only the bytes of the requested rows when the image info is known', async () => {
    const { info } = await readFitsHeader(nodeFileSystem, path);
    const counting = countingFileSystem();
    await readFitsRows(counting.fs, path, 10, 13, info);
    expect(counting.bytesRead()).toBe(3 * 3 * width * 2);
    for (const r of counting.reads) {
      const row = (r.position - info.dataOffset) / (width * 2);
      expect(row % height).toBeGreaterThanOrEqual(10);
      expect(row % height).toBeLessThan(13);
    }
  });

  it('refuses a row range outside the image', async () => {
    await expect(readFitsRows(nodeFileSystem, path, 20, height + 1)).rejects.toThrow(RangeError);
  });
});
