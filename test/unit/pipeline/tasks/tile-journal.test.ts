import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../electron/host/node-file-system';
import { sha256OfBytes } from '../../../../shared/io/file-system';
import { jsonLine } from '../../../../shared/pipeline/run/run-files';
import { readTileJournalFile, readTileSlot, tileSlotBlocks, tileSlotOffsets, type TileRecord } from '../../../../shared/pipeline/tasks/tile-task';

const fs = nodeFileSystem;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-tile-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(tile: number, offset: number, data: Float32Array, width = 2, height = 2): TileRecord {
  return {
    tile,
    blocks: data.length / (width * height),
    planes: 1,
    width,
    height,
    clusterIds: [],
    stackedBlock: null,
    offset,
    sha256: sha256OfBytes(fs, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)),
    diagnostics: { nValidFrames: 3, fallbackUsed: false } as unknown as TileRecord['diagnostics'],
  };
}

describe('the P9 tile journal (work/tiles.jsonl)', () => {
  it('has no records before its first line', async () => {
    expect((await readTileJournalFile(fs, join(dir, 'tiles.jsonl'))).size).toBe(0);
  });

  it('keeps the last record of a tile that was redone, and skips a line a restart tore', async () => {
    const path = join(dir, 'tiles.jsonl');
    const d = new Float32Array(12);
    const first = record(1, 0, d);
    const redone = record(1, 48, d);
    const torn = jsonLine(record(2, 96, d));
    await writeFile(path, jsonLine(first) + jsonLine(record(0, 0, d)) + jsonLine(redone) + torn.slice(0, torn.length >> 1));
    const journal = await readTileJournalFile(fs, path);
    expect([...journal.keys()].sort()).toEqual([0, 1]);
    expect(journal.get(1)?.offset).toBe(48);
  });

  it('ends a torn last line when sealed, so the next record appended is read again', async () => {
    const path = join(dir, 'tiles.jsonl');
    const d = new Float32Array(4);
    const torn = jsonLine(record(2, 16, d));
    await writeFile(path, jsonLine(record(0, 0, d)) + torn.slice(0, 20));
    // unsealed, a record appended after the torn piece joins it and is lost
    await fs.appendText(path, jsonLine(record(3, 32, d)));
    expect([...(await readTileJournalFile(fs, path)).keys()]).toEqual([0]);

    await writeFile(path, jsonLine(record(0, 0, d)) + torn.slice(0, 20));
    await readTileJournalFile(fs, path, true);
    expect((await readFile(path, 'utf8')).endsWith('\n')).toBe(true);
    await fs.appendText(path, jsonLine(record(3, 32, d)));
    expect([...(await readTileJournalFile(fs, path)).keys()].sort()).toEqual([0, 3]);
    // a sealed journal is left as it is
    const before = await readFile(path, 'utf8');
    await readTileJournalFile(fs, path, true);
    expect(await readFile(path, 'utf8')).toBe(before);
  });
});

describe('the P9 tile slots (work/tiles.f32)', () => {
  it('gives every tile a slot of slotBlocks blocks, one after the other in tile order', () => {
    const tiles = [
      { width: 4, height: 3 },
      { width: 2, height: 5 },
      { width: 4, height: 4 },
    ];
    const { offsets, totalBytes } = tileSlotOffsets(tiles, 3, 5);
    expect(offsets).toEqual([0, 5 * 3 * 12 * 4, 5 * 3 * (12 + 10) * 4]);
    expect(totalBytes).toBe(5 * 3 * (12 + 10 + 16) * 4);
  });

  it('holds R, the mean and the coverage, plus the combination with clusters and the K stacks when they are kept', () => {
    expect(tileSlotBlocks(0, false)).toBe(3);
    expect(tileSlotBlocks(0, true)).toBe(3);
    expect(tileSlotBlocks(4, false)).toBe(4);
    expect(tileSlotBlocks(4, true)).toBe(8);
  });

  it('reads a tile back from its slot, and names the tile whose bytes differ from its checksum', async () => {
    const path = join(dir, 'tiles.f32');
    const a = Float32Array.from({ length: 8 }, (_, i) => i + 0.5);
    const b = Float32Array.from({ length: 8 }, (_, i) => -i);
    await writeFile(path, Buffer.concat([Buffer.from(a.buffer), Buffer.from(b.buffer)]));
    const recA = record(0, 0, a);
    const recB = record(1, 32, b);
    expect(Array.from(await readTileSlot(fs, path, recA))).toEqual(Array.from(a));
    expect(Array.from(await readTileSlot(fs, path, recB))).toEqual(Array.from(b));

    const bytes = await readFile(path);
    bytes[40] ^= 0xff;
    await writeFile(path, bytes);
    await expect(readTileSlot(fs, path, recB)).rejects.toMatchObject({ code: 'DETERMINISM_VIOLATION', message: expect.stringContaining('tile 1') });
    // the host's own reads of a tile a worker of this run has just written skip the hash
    expect((await readTileSlot(fs, path, recB, 'trusted')).length).toBe(8);
    expect(Array.from(await readTileSlot(fs, path, recA))).toEqual(Array.from(a));
  });
});
