import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { ensureFile, readFloat32, writeAt, writeFloat32 } from '../../../../shared/pipeline/run/run-files';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-run-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readFloat32 / writeFloat32 (raw float32 files of the work folder)', () => {
  it('reads back every value bit for bit (NaN, -0, infinities, subnormals), from an array that is a view into a larger one', async () => {
    const backing = new Float32Array(3 + 100_003);
    const values = backing.subarray(3);
    for (let i = 0; i < values.length; i++) values[i] = Math.sin(i) * 1e5;
    values.set([Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -3.4e38], 100);
    const path = join(dir, 'sub', 'plane.f32');
    await writeFloat32(fs, path, values, { durable: false });
    const back = await readFloat32(fs, path);
    expect(back).toHaveLength(values.length);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  });

  it('reads an empty file as no values', async () => {
    const path = join(dir, 'empty.f32');
    await writeFile(path, new Uint8Array(0));
    expect(await readFloat32(fs, path)).toHaveLength(0);
  });

  it('refuses a file that is not a whole number of values, naming it', async () => {
    const path = join(dir, 'torn.f32');
    await writeFile(path, new Uint8Array(6));
    await expect(readFloat32(fs, path)).rejects.toThrow(/torn\.f32: 6 bytes is not a whole number of float32 values/);
  });
});

describe('ensureFile / writeAt (the slot files of the work folder)', () => {
  it('creates a file and its folder at the asked size, extends a shorter one and keeps what it holds', async () => {
    const path = join(dir, 'slots', 'a.f32');
    await ensureFile(fs, path, 64);
    expect((await stat(path)).size).toBe(64);
    await writeAt(fs, path, Uint8Array.of(7, 8, 9), 10);
    await ensureFile(fs, path, 32);
    await ensureFile(fs, path, 100);
    const bytes = await readFile(path);
    expect(bytes.length).toBe(100);
    expect(Array.from(bytes.subarray(9, 14))).toEqual([0, 7, 8, 9, 0]);
    await ensureFile(fs, join(dir, 'slots', 'empty'));
    expect((await stat(join(dir, 'slots', 'empty'))).size).toBe(0);
  });

  it('refuses to write into a file that is not there (the host creates the slot files)', async () => {
    await expect(writeAt(fs, join(dir, 'missing.f32'), Uint8Array.of(1), 0)).rejects.toThrow();
  });
});
