/**
 * METHOD.md section 1.3 and acceptance 9: the same inputs and configuration give byte-identical
 * pixel data and metric files whatever the number of worker processes. Real runs of the built CLI.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig, type CliResult } from '../../fixtures/pipeline-sets';
import { checkEventLog, expectNoRunIdInResult, expectSameResults, workExists } from './run-checks';

const EMERGENCY = 'runtime:\n  allow_emergency_mode: true\n';

let lights: string;
let root: string;
let config: string;
const runs = new Map<number, { dir: string; result: CliResult }>();
let inputBefore: Array<{ name: string; size: number; mtimeMs: number }>;

async function listing(dir: string) {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(dir, name))).size, mtimeMs: (await stat(join(dir, name))).mtimeMs })));
}

beforeAll(async () => {
  await ensureBuilt();
  lights = await synthSet({ ...TINY_SET, frames: 24 });
  root = await makeTempDir('determinism');
  config = await writeConfig(root, EMERGENCY);
  inputBefore = await listing(lights);
  // one after another: concurrent runs would only slow each other down on 2 cores
  for (const workers of [1, 2, 4]) {
    const dir = join(root, `w${workers}`);
    runs.set(workers, { dir, result: await runCli(['run', lights, '--out', dir, '--config', config, '--workers', String(workers)]) });
  }
}, 180_000);

afterAll(removeTempDirs);

describe('a run with 1, 2 and 4 worker processes', () => {
  it('finishes with a result every time (exit 0, or 3 when only validation flags it)', () => {
    for (const [workers, { result }] of runs) {
      expect([0, 3], `--workers ${workers}: ${result.stderr}`).toContain(result.code);
    }
    expect(new Set([...runs.values()].map((r) => r.result.code)).size).toBe(1);
  });

  it('writes byte-identical stack.fits (pixels, coverage and header) and metrics', async () => {
    await expectSameResults(runs.get(1)!.dir, runs.get(2)!.dir);
    await expectSameResults(runs.get(1)!.dir, runs.get(4)!.dir);
  });

  it('really ran with that many workers (the plan and the memory report say so)', async () => {
    for (const [workers, { dir }] of runs) {
      const memory = JSON.parse(await readFile(join(dir, 'metrics', 'memory.json'), 'utf8')) as { plan: { workers: number }; measured: { workers: unknown[] } };
      expect(memory.plan.workers).toBe(workers);
      expect(memory.measured.workers.length).toBeGreaterThanOrEqual(1);
      expect(memory.measured.workers.length).toBeLessThanOrEqual(workers);
    }
    expect((JSON.parse(await readFile(join(runs.get(4)!.dir, 'metrics', 'memory.json'), 'utf8')) as { measured: { workers: unknown[] } }).measured.workers.length).toBeGreaterThan(1);
  });

  it('keeps run ids and clock times out of the result and the metrics', async () => {
    for (const { dir } of runs.values()) await expectNoRunIdInResult(dir);
    const bytes = await readFile(join(runs.get(1)!.dir, 'result', 'stack.fits'));
    const cards = bytes.subarray(0, bytes.indexOf('END     ') + 80).toString('latin1').match(/.{80}/g) ?? [];
    const history = cards.filter((c) => c.startsWith('HISTORY '));
    expect(history.length).toBeGreaterThanOrEqual(5);
    // dates in the header are the frames' own (DATE-OBS/DATE-END from the synthetic night), never
    // the moment of the run (no DATE card, no timestamp in HISTORY)
    const dated = cards.filter((c) => /\d{4}-\d\d-\d\dT\d\d/.test(c) || /\d{8}T\d{6}/.test(c));
    expect(dated.map((c) => c.slice(0, 8).trim()).sort()).toEqual(['DATE-END', 'DATE-OBS']);
    for (const c of dated) expect(c).toContain('2024-03-15');
  });

  it('writes a valid event log with exactly one run_finished per run', async () => {
    for (const { dir, result } of runs.values()) {
      const facts = await checkEventLog(dir, { complete: true });
      expect(facts.sessions).toBe(1);
      expect(facts.runFinished).toHaveLength(1);
      expect(facts.runFinished[0]).toMatchObject({ exit_code: result.code, emergency: true });
      expect(facts.types.at(-1)).toBe('run_finished');
    }
  });

  it('removes its scratch folder on success and never writes into the input folder', async () => {
    for (const { dir } of runs.values()) expect(workExists(dir)).toBe(false);
    expect(await listing(lights)).toEqual(inputBefore);
  });
});
