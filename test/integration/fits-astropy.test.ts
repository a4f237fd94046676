import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../electron/host/node-file-system';
import { createImage } from '../../shared/image/image';
import { mulberry32 } from '../../shared/util/seed';
import { writeFitsImage } from '../../shared/fits/writer';

/**
 * Files written by our writer, read by an independent reader: Debian's astropy in a real child
 * process. CI installs python3-astropy; without it this test fails (it must not pass silently).
 */
const PYTHON = '/usr/bin/python3';

const READER = `
import json, sys, numpy as np
from astropy.io import fits
out = []
with fits.open(sys.argv[1]) as f:
    for hdu in f:
        h = hdu.header
        d = hdu.data
        cards = {c.keyword: [type(c.value).__name__, c.value if not isinstance(c.value, (bool, np.bool_)) else bool(c.value)]
                 for c in h.cards if c.keyword not in ('HISTORY', 'COMMENT', '')}
        out.append({
            'cards': cards,
            'history': [str(v) for v in h.get('HISTORY', [])],
            'dtype': None if d is None else str(d.dtype),
            'shape': None if d is None else list(d.shape),
            'data': None if d is None else [None if (isinstance(v, float) and v != v) else v for v in d.ravel().tolist()],
        })
print(json.dumps(out))
`;

interface AstropyHdu {
  cards: Record<string, [string, unknown]>;
  history: string[];
  dtype: string | null;
  shape: number[] | null;
  data: Array<number | null> | null;
}

function readWithAstropy(path: string): AstropyHdu[] {
  return JSON.parse(execFileSync(PYTHON, ['-c', READER, path], { encoding: 'utf8' })) as AstropyHdu[];
}

let dir = '';
beforeAll(() => {
  try {
    execFileSync(PYTHON, ['-c', 'import astropy'], { stdio: 'pipe' });
  } catch {
    throw new Error(`${PYTHON} cannot import astropy: install Debian's python3-astropy (apt-get install -y python3-astropy)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'tc-astropy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pattern(width: number, height: number, planes: number, seed: number, scale: number) {
  const img = createImage(width, height, planes);
  const rnd = mulberry32(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = Math.fround((rnd() - 0.2) * scale);
  return img;
}

describe('files written by writeFitsImage, read by astropy', () => {
  it('float32 mono: same pixel values, NaN included', async () => {
    const img = pattern(23, 17, 1, 1, 5000);
    img.data[7] = NaN;
    const path = join(dir, 'mono.fits');
    await writeFitsImage(nodeFileSystem, path, img);
    const [hdu] = readWithAstropy(path);
    expect(hdu.dtype).toBe('>f4');
    expect(hdu.shape).toEqual([17, 23]);
    expect(hdu.data).toEqual(Array.from(img.data, (v) => (Number.isNaN(v) ? null : v)));
  });

  it('unsigned 16-bit: astropy applies BZERO and sees uint16 values', async () => {
    const img = createImage(6, 2, 1);
    img.data.set([0, 1, 32767, 32768, 65535, 1000.4, 7, 8, 9, 10, 11, 12]);
    const path = join(dir, 'u16.fits');
    await writeFitsImage(nodeFileSystem, path, img, { bitpix: 16 });
    const [hdu] = readWithAstropy(path);
    expect(hdu.dtype).toBe('uint16');
    expect(hdu.data).toEqual([0, 1, 32767, 32768, 65535, 1000, 7, 8, 9, 10, 11, 12]);
  });

  it('RGB cube with a COVERAGE int32 extension, carried cards and HISTORY', async () => {
    const img = pattern(8, 5, 3, 2, 1e4);
    const coverage = Int32Array.from({ length: 40 }, (_, i) => i % 9);
    const path = join(dir, 'stack.fits');
    await writeFitsImage(nodeFileSystem, path, img, {
      cards: [
        { key: 'DATE-OBS', value: '2024-03-01T21:15:02', type: 'string' },
        { key: 'EXPTIME', value: 30, type: 'float' },
        { key: 'NCOMBINE', value: 42, type: 'int' },
        { key: 'OBJECT', value: "Barnard's loop", type: 'string' },
        { key: 'NOTES', value: 'n'.repeat(120), type: 'string' },
      ],
      history: ['tile-compile 0.1.0', 'config_hash 0123abcd', 'frames 42'],
      extensions: [{ name: 'COVERAGE', image: { width: 8, height: 5, data: coverage } }],
    });
    const [primary, ext] = readWithAstropy(path);
    expect(primary.shape).toEqual([3, 5, 8]);
    expect(primary.data).toEqual(Array.from(img.data));
    expect(primary.cards['DATE-OBS']).toEqual(['str', '2024-03-01T21:15:02']);
    expect(primary.cards.EXPTIME).toEqual(['float', 30]);
    expect(primary.cards.NCOMBINE).toEqual(['int', 42]);
    expect(primary.cards.OBJECT).toEqual(['str', "Barnard's loop"]);
    expect(primary.cards.NOTES).toEqual(['str', 'n'.repeat(120)]);
    expect(primary.cards.EXTEND).toEqual(['bool', true]);
    expect(primary.history).toEqual(['tile-compile 0.1.0', 'config_hash 0123abcd', 'frames 42']);
    expect(ext.cards.EXTNAME).toEqual(['str', 'COVERAGE']);
    expect(ext.dtype).toBe('>i4');
    expect(ext.data).toEqual(Array.from(coverage));
  });
});
