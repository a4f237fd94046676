import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createImage } from '../../../shared/image/image';
import { mulberry32 } from '../../../shared/util/seed';
import { readFitsHeader, readFitsImage } from '../../../shared/fits/reader';
import { carryOverCards } from '../../../shared/fits/summary';
import { createFitsRowWriter, writeFitsImage } from '../../../shared/fits/writer';
import { FitsHeader } from '../../../shared/fits/header';
import { nodeFileSystem, tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function noisyImage(width: number, height: number, planes: number, seed: number) {
  const img = createImage(width, height, planes);
  const rnd = mulberry32(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (rnd() - 0.3) * 1e5 * rnd() ** 3;
  return img;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('writeFitsImage', () => {
  it('round-trips float32 bit-exactly, mono and colour', async () => {
    for (const planes of [1, 3]) {
      const img = noisyImage(33, 21, planes, 7 + planes);
      img.data[5] = -0;
      img.data[6] = 1e-40; // subnormal
      const path = tmp.file(`f32-${planes}.fits`);
      await writeFitsImage(nodeFileSystem, path, img);
      const back = await readFitsImage(nodeFileSystem, path);
      expect([back.image.width, back.image.height, back.image.planes]).toEqual([33, 21, planes]);
      expect(bits(back.image.data)).toEqual(bits(img.data));
      expect(readFileSync(path).length % 2880).toBe(0);
    }
  });

  it('writes unsigned 16-bit with BZERO 32768, rounding and clamping; integers round-trip exactly', async () => {
    const img = createImage(8, 1, 1);
    img.data.set([0, 1, 65535, 32768, 12.4, 12.6, -5, 70000]);
    const path = tmp.file('u16.fits');
    await writeFitsImage(nodeFileSystem, path, img, { bitpix: 16 });
    const { image, header } = await readFitsImage(nodeFileSystem, path);
    expect(header.get('BITPIX')).toBe(16);
    expect(header.get('BZERO')).toBe(32768);
    expect(Array.from(image.data)).toEqual([0, 1, 65535, 32768, 12, 13, 0, 65535]);
  });

  it('writes float64 on request', async () => {
    const img = noisyImage(5, 4, 1, 3);
    const path = tmp.file('f64.fits');
    await writeFitsImage(nodeFileSystem, path, img, { bitpix: -64 });
    const { image, info } = await readFitsImage(nodeFileSystem, path);
    expect(info.bitpix).toBe(-64);
    expect(bits(image.data)).toEqual(bits(img.data));
  });

  it('puts mandatory keywords first, then carried cards with their types, then HISTORY', async () => {
    const reference = new FitsHeader([
      { key: 'SIMPLE', value: true, type: 'bool' },
      { key: 'BITPIX', value: 16, type: 'int' },
      { key: 'DATE-OBS', value: '2024-03-01T21:15:02', type: 'string' },
      { key: 'GAIN', value: 100, type: 'int', comment: 'e-/ADU x 100' },
      { key: 'FOCALLEN', value: 800, type: 'float' },
      { key: 'FILTER', value: '123', type: 'string' },
      { key: 'BAYERPAT', value: 'RGGB', type: 'string' },
    ]);
    const cards = [...carryOverCards(reference), { key: 'BZERO', value: 5, type: 'int' as const }];
    const path = tmp.file('cards.fits');
    await writeFitsImage(nodeFileSystem, path, createImage(4, 3, 3, 1), {
      cards,
      history: ['tile-compile 0.1.0', 'config_hash abc123', 'frames 42'],
      extensions: [{ name: 'COVERAGE', image: { width: 4, height: 3, data: new Int32Array(12).fill(42) } }],
    });
    const { header } = await readFitsHeader(nodeFileSystem, path);
    expect(header.cards.slice(0, 7).map((c) => c.key)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'NAXIS2', 'NAXIS3', 'EXTEND']);
    expect(header.card('DATE-OBS')).toMatchObject({ value: '2024-03-01T21:15:02', type: 'string' });
    expect(header.card('GAIN')).toMatchObject({ value: 100, type: 'int', comment: 'e-/ADU x 100' });
    expect(header.card('FOCALLEN')).toMatchObject({ value: 800, type: 'float' });
    expect(header.card('FILTER')).toMatchObject({ value: '123', type: 'string' });
    expect(header.has('BAYERPAT')).toBe(false);
    expect(header.has('BZERO')).toBe(false); // structural cards belong to the writer
    expect(header.commentary('HISTORY')).toEqual(['tile-compile 0.1.0', 'config_hash abc123', 'frames 42']);
    const keys = header.cards.map((c) => c.key);
    expect(keys.indexOf('HISTORY')).toBeGreaterThan(keys.indexOf('FILTER'));
    const coverage = await readFitsImage(nodeFileSystem, path, { hdu: 1 });
    expect(coverage.header.get('EXTNAME')).toBe('COVERAGE');
    expect(coverage.info.bitpix).toBe(32);
    expect(Array.from(coverage.image.data)).toEqual(new Array(12).fill(42));
  });
});

describe('createFitsRowWriter', () => {
  it('streams row bands plane by plane into the same file a single write produces', async () => {
    const img = noisyImage(16, 10, 3, 11);
    const whole = tmp.file('whole.fits');
    await writeFitsImage(nodeFileSystem, whole, img);
    const streamed = tmp.file('streamed.fits');
    const writer = await createFitsRowWriter(nodeFileSystem, streamed, { width: 16, height: 10, planes: 3, bitpix: -32 });
    for (let y = 0; y < 30; y += 4) await writer.writeRows(img.data.subarray(y * 16, Math.min(30, y + 4) * 16));
    await writer.close();
    expect(Buffer.compare(readFileSync(streamed), readFileSync(whole))).toBe(0);
  });

  it('shows nothing under the final name until close, and abort leaves no file behind', async () => {
    const sub = tempDir('tc-fits-atomic-');
    try {
      const path = sub.file('out.fits');
      const writer = await createFitsRowWriter(nodeFileSystem, path, { width: 4, height: 2, planes: 1, bitpix: -32 });
      await writer.writeRows(new Float32Array(8));
      expect(existsSync(path)).toBe(false);
      await writer.abort();
      expect(readdirSync(sub.dir)).toEqual([]);
    } finally {
      sub.cleanup();
    }
  });

  it('refuses partial rows, too many rows, and closing before every row arrived', async () => {
    const sub = tempDir('tc-fits-rows-');
    try {
      const path = sub.file('out.fits');
      const writer = await createFitsRowWriter(nodeFileSystem, path, { width: 4, height: 2, planes: 1, bitpix: -32 });
      await expect(writer.writeRows(new Float32Array(3))).rejects.toThrow(/whole rows/);
      await expect(writer.writeRows(new Float32Array(12))).rejects.toThrow(/more rows/);
      await writer.writeRows(new Float32Array(4));
      await expect(writer.close()).rejects.toThrow(/1 rows written, expected 2/);
      expect(readdirSync(sub.dir)).toEqual([]);
    } finally {
      sub.cleanup();
    }
  });

  it('adds EXTEND in place when extensions arrive at close', async () => {
    const path = tmp.file('late-ext.fits');
    const writer = await createFitsRowWriter(nodeFileSystem, path, { width: 2, height: 2, planes: 1, bitpix: -32 });
    await writer.writeRows(new Float32Array([1, 2, 3, 4]));
    await writer.close([{ name: 'COVERAGE', image: { width: 2, height: 2, data: new Int32Array([1, 2, 3, 4]) } }]);
    const { header, image } = await readFitsImage(nodeFileSystem, path);
    expect(header.get('EXTEND')).toBe(true);
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from((await readFitsImage(nodeFileSystem, path, { hdu: 1 })).image.data)).toEqual([1, 2, 3, 4]);
  });
});
