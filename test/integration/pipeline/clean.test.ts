/**
 * `tile-compile clean RUN_DIR` (issue 5): removes what a crashed run leaves behind (work/ and
 * `*.tmp-*` files), keeps what a user reads, refuses a folder that is not a run, and a resume after
 * a clean redoes the removed work and still ends byte-identical.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureBuilt,
  killTree,
  makeTempDir,
  readEvents,
  removeTempDirs,
  runCli,
  startCli,
  synthSet,
  TINY_SET,
  waitForEvent,
  writeConfig,
  type CliResult,
} from '../../fixtures/pipeline-sets';
import { checkEventLog, doneUnits, expectSameResults, workExists } from './run-checks';

const CONFIG = 'runtime:\n  allow_emergency_mode: true\ntile:\n  size_factor: 6\n  min_size: 16\n';

let lights: string;
let root: string;
let config: string;
let reference: { dir: string; result: CliResult };

beforeAll(async () => {
  await ensureBuilt();
  lights = await synthSet({ ...TINY_SET, frames: 30, seed: 23 });
  root = await makeTempDir('clean');
  config = await writeConfig(root, CONFIG);
  const dir = join(root, 'reference');
  reference = { dir, result: await runCli(['run', lights, '--out', dir, '--config', config, '--workers', '2']) };
  expect([0, 3], reference.result.stderr).toContain(reference.result.code);
}, 120_000);

afterAll(removeTempDirs);

/** `*.tmp-*` files of a run folder outside work/ (the run folder and its subfolders). */
async function tempFilesOutsideWork(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.includes('.tmp-'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.startsWith(join(dir, 'work') + '/'));
}

describe('tile-compile clean', () => {
  it('removes work/ and temporary files of a crashed run, keeps results, and the run still resumes byte-identical', async () => {
    const dir = join(root, 'crashed');
    const p = startCli(['run', lights, '--out', dir, '--config', config, '--workers', '1']);
    await waitForEvent(dir, p, (e) => e.type === 'tile_done' && Number(e.tile) >= 1);
    killTree(p);
    await p.done;
    expect(workExists(dir)).toBe(true);
    expect((await doneUnits(dir, 'prepare')).done).toBeGreaterThan(0);
    // the kill itself can land inside an atomic write (state.json is replaced after every unit) and
    // leave a real temp file next to the planted ones: clean must report those too
    const crashLeft = await tempFilesOutsideWork(dir);
    const litter = [join(dir, 'state.json.tmp-31337-00c0ffee'), join(dir, 'metrics', 'tiles.json.tmp-31337-feedf00d'), join(dir, 'work', 'plan.json.tmp-31337-1badcafe')];
    for (const f of litter) await writeFile(f, 'torn');
    const kept = ['config.yaml', 'config.sha256', 'manifest.json', 'events.jsonl', 'metrics/scan.json', 'metrics/global.json', 'metrics/registration.json'];
    const keptBytes = await Promise.all(kept.map((k) => readFile(join(dir, k))));

    const c = await runCli(['clean', dir, '--json']);
    expect(c.code, c.stderr).toBe(0);
    const report = JSON.parse(c.stdout) as { workDir: string; tempFiles: string[]; resetPhases: string[] };
    expect(report.workDir).toBe(join(dir, 'work'));
    expect(report.tempFiles.sort()).toEqual([...crashLeft, ...litter.filter((f) => !f.includes('/work/'))].sort());
    expect(report.resetPhases).toEqual(expect.arrayContaining(['measure', 'registration', 'prepare', 'tile_reconstruction']));
    expect(workExists(dir)).toBe(false);
    for (const f of litter) expect(existsSync(f), f).toBe(false);
    for (let i = 0; i < kept.length; i++) expect((await readFile(join(dir, kept[i]))).equals(keptBytes[i]), kept[i]).toBe(true);
    for (const phase of ['measure', 'registration', 'prepare', 'tile_reconstruction']) expect((await doneUnits(dir, phase)).done, phase).toBe(0);
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);

    const r = await runCli(['run', '--resume', dir, '--workers', '2']);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
    // every unit was redone: the done bits did not vouch for outputs that clean had removed
    const events = await readEvents(dir);
    let resumedAt = -1;
    events.forEach((e, i) => {
      if (e.type === 'run_started') resumedAt = i;
    });
    const measured = events.slice(resumedAt).filter((e) => e.type === 'frame_done' && e.phase === 'measure').length;
    expect(measured).toBe(30);
    expect((await checkEventLog(dir, { complete: false })).runFinished).toHaveLength(1);
  }, 120_000);

  it('redoes units whose outputs vanished even without a clean (a lost work folder)', async () => {
    const dir = join(root, 'lost-work');
    const p = startCli(['run', lights, '--out', dir, '--config', config, '--workers', '1']);
    await waitForEvent(dir, p, (e) => e.type === 'tile_done');
    killTree(p);
    await p.done;
    await rm(join(dir, 'work'), { recursive: true, force: true });
    const r = await runCli(['run', '--resume', dir, '--workers', '2']);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
  }, 120_000);

  it('cleans a finished run of nothing but its leftovers and keeps the result', async () => {
    const before = await readFile(join(reference.dir, 'result', 'stack.fits'));
    const c = await runCli(['clean', reference.dir]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain('no scratch folder');
    expect((await readFile(join(reference.dir, 'result', 'stack.fits'))).equals(before)).toBe(true);
  }, 120_000);

  it('refuses a folder that is not a run (exit 2) and removes nothing there', async () => {
    const bait = join(lights, 'notes.txt.tmp-1-abcdef');
    await writeFile(bait, 'not ours');
    const before = (await readdir(lights)).sort();
    const c = await runCli(['clean', lights]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('NOT_A_RUN');
    expect((await readdir(lights)).sort()).toEqual(before);
    await rm(bait);
  }, 120_000);

  it('needs exactly one folder', async () => {
    const c = await runCli(['clean']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('usage: tile-compile clean');
  }, 120_000);
});
