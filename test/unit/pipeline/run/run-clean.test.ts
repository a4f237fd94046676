import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { cleanRun, isTempFileName, removeTempFiles } from '../../../../shared/pipeline/run/run-clean';
import { RunState } from '../../../../shared/pipeline/run/run-state';

const dir = mkdtempSync(path.join(tmpdir(), 'tc-clean-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function touch(p: string): void {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, 'x');
}

describe('isTempFileName', () => {
  it('recognises the names FileSystem.tempName makes, and nothing else', () => {
    expect(isTempFileName(path.basename(fs.tempName('/a/stack.fits')))).toBe(true);
    expect(isTempFileName('state.json.tmp-123-abcd')).toBe(true);
    expect(isTempFileName('state.json')).toBe(false);
    expect(isTempFileName('tmp-notes.txt')).toBe(false);
    expect(isTempFileName('my.tmp')).toBe(false);
  });
});

describe('removeTempFiles', () => {
  it('deletes temporary files at any depth and keeps every other file', async () => {
    const root = path.join(dir, 'tree');
    for (const f of ['a.json', 'a.json.tmp-1-aa', 'metrics/b.json', 'metrics/b.json.tmp-2-bb', 'work/tiles/3.f32.tmp-3-cc', 'work/tiles/3.f32']) touch(path.join(root, f));
    const removed = await removeTempFiles(fs, root);
    expect(removed.map((p) => path.relative(root, p)).sort()).toEqual(['a.json.tmp-1-aa', 'metrics/b.json.tmp-2-bb', 'work/tiles/3.f32.tmp-3-cc']);
    expect(readdirSync(root).sort()).toEqual(['a.json', 'metrics', 'work']);
    expect(existsSync(path.join(root, 'work/tiles/3.f32'))).toBe(true);
  });

  it('does nothing for a folder that does not exist', async () => {
    expect(await removeTempFiles(fs, path.join(dir, 'nowhere'))).toEqual([]);
  });
});

describe('cleanRun', () => {
  it('removes work/ and temporary files, keeps the rest and clears every done bit', async () => {
    const run = path.join(dir, 'run');
    touch(path.join(run, 'config.yaml'));
    for (const f of ['events.jsonl', 'metrics/scan.json', 'result/stack.fits', 'work/cells.f32', 'metrics/frames.json.tmp-9-ff']) touch(path.join(run, f));
    const state = RunState.create(fs, path.join(run, 'state.json'), { run_id: 'r', config_hash: 'c', frames_manifest_id: 'm' });
    state.initUnits('measure', 5);
    await state.setUnitDone('measure', 3);
    state.initUnits('tile_reconstruction', 9);
    await state.setUnitDone('tile_reconstruction', 8);
    const report = await cleanRun(fs, run);
    expect(report.workDir).toBe(path.join(run, 'work'));
    expect(report.tempFiles.map((p) => path.basename(p))).toEqual(['frames.json.tmp-9-ff']);
    expect(report.resetPhases).toEqual(['measure', 'tile_reconstruction']);
    expect(existsSync(path.join(run, 'work'))).toBe(false);
    for (const f of ['events.jsonl', 'metrics/scan.json', 'result/stack.fits', 'config.yaml']) expect(existsSync(path.join(run, f)), f).toBe(true);
    const after = await RunState.load(fs, path.join(run, 'state.json'));
    expect(after.doneUnits('measure')).toBe(0);
    expect(after.doneUnits('tile_reconstruction')).toBe(0);
    expect(after.data.unit_counts).toEqual({ measure: 5, tile_reconstruction: 9 });
  });

  it('refuses a folder without state.json (NOT_A_RUN) and removes nothing', async () => {
    const other = path.join(dir, 'not-a-run');
    touch(path.join(other, 'work', 'keep.me'));
    touch(path.join(other, 'x.tmp-1-aa'));
    await expect(cleanRun(fs, other)).rejects.toMatchObject({ code: 'NOT_A_RUN' });
    expect(existsSync(path.join(other, 'work', 'keep.me'))).toBe(true);
    expect(existsSync(path.join(other, 'x.tmp-1-aa'))).toBe(true);
  });
});

describe('RunState done bits', () => {
  it('clears one bit or a whole phase and keeps the others', async () => {
    const s = RunState.create(fs, path.join(dir, 'bits.json'), { run_id: 'r', config_hash: 'c', frames_manifest_id: 'm' });
    s.initUnits('prepare', 10);
    for (const i of [0, 1, 5, 9]) await s.setUnitDone('prepare', i);
    await s.clearUnitDone('prepare', 5);
    await s.clearUnitDone('prepare', 6);
    expect([...Array(10).keys()].filter((i) => s.isUnitDone('prepare', i))).toEqual([0, 1, 9]);
    await s.resetUnits('prepare');
    expect(s.doneUnits('prepare')).toBe(0);
    await s.resetUnits('unknown');
    expect(s.data.units.unknown).toBeUndefined();
  });
});
