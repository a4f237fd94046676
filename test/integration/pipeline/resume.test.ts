/**
 * METHOD.md section 6 "Resume" and acceptance 9: a run killed anywhere (SIGKILL to the CLI and all
 * its workers at once, as a power cut or the OOM killer would) and resumed with
 * `tile-compile run --resume RUN_DIR` ends byte-identical to an uninterrupted run; Ctrl+C cancels
 * resumably (exit 130); a resume refuses changed inputs; a new run never reuses a run folder.
 *
 * The killed runs use one worker (slower phases, so the kill lands inside the phase) and resume with
 * two, which also shows the done bits do not depend on the worker count.
 */
import { cp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
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
  type RunEventLine,
} from '../../fixtures/pipeline-sets';
import { bootId } from '../../../electron/host/boot-id';
import { checkEventLog, donePrepareFrames, doneUnits, expectSameResults, prepareUnits } from './run-checks';

// small tiles make P9 long enough (56 tiles) to be interrupted in the middle
const CONFIG = 'runtime:\n  allow_emergency_mode: true\ntile:\n  size_factor: 6\n  min_size: 16\n';

let lights: string;
let root: string;
let config: string;
let reference: { dir: string; result: CliResult };

beforeAll(async () => {
  await ensureBuilt();
  lights = await synthSet({ ...TINY_SET, frames: 40 });
  root = await makeTempDir('resume');
  config = await writeConfig(root, CONFIG);
  const dir = join(root, 'reference');
  reference = { dir, result: await runCli(['run', lights, '--out', dir, '--config', config, '--workers', '2']) };
}, 120_000);

afterAll(removeTempDirs);

/** Starts a 1-worker run, SIGKILLs its process tree once `when` sees the moment, returns the events. */
async function killedRun(name: string, when: (e: RunEventLine) => boolean): Promise<{ dir: string; trigger: RunEventLine }> {
  const dir = join(root, name);
  const p = startCli(['run', lights, '--out', dir, '--config', config, '--workers', '1']);
  const trigger = await waitForEvent(dir, p, when);
  killTree(p);
  const end = await p.done;
  expect(end.signal).toBe('SIGKILL');
  return { dir, trigger };
}

/**
 * The moment P6 has finished a unit after the reference frame's (a group of frames). Idempotent
 * per event: waitForEvent may show the same event more than once.
 */
function afterFirstPrepareGroup(): (e: RunEventLine) => boolean {
  let firstFrame: unknown;
  return (e) => {
    if (e.type !== 'frame_done' || e.phase !== 'prepare') return false;
    firstFrame ??= e.frame;
    return e.frame !== firstFrame;
  };
}

/**
 * A run killed in the middle of P9: some tiles done, not all, the cell store still there. On a
 * loaded machine the kill can land after the last tile (P9 of this set takes well under a second),
 * which would test nothing: such a run is started again, up to 3 times.
 */
async function killedInP9(name: string): Promise<{ dir: string }> {
  for (let attempt = 1; ; attempt++) {
    const { dir } = await killedRun(`${name}-${attempt}`, (e) => e.type === 'tile_done');
    const total = phaseTotal(await readEvents(dir), 'tile_reconstruction');
    const { done } = await doneUnits(dir, 'tile_reconstruction');
    const storeThere = await stat(join(dir, 'work', 'cells.f32')).then(
      () => true,
      () => false,
    );
    if ((done > 0 && done < total && storeThere) || attempt === 3) return { dir };
  }
}

/** work/tiles.jsonl's last record per tile. */
async function tileJournal(dir: string): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  for (const line of (await readFile(join(dir, 'work', 'tiles.jsonl'), 'utf8')).split('\n')) {
    if (line === '') continue;
    try {
      const rec = JSON.parse(line) as Record<string, number>;
      out.set(rec.tile, rec);
    } catch {
      // a torn line
    }
  }
  return out;
}

async function resume(dir: string, workers = 2): Promise<CliResult> {
  return runCli(['run', '--resume', dir, '--workers', String(workers)]);
}

/** Resumes the run, checks that it ends as the reference run did, and returns its events and the resumed session's. */
async function resumeToSameResult(dir: string): Promise<{ all: RunEventLine[]; session: RunEventLine[] }> {
  const r = await resume(dir);
  expect(r.code, r.stderr).toBe(reference.result.code);
  await expectSameResults(reference.dir, dir);
  const all = await readEvents(dir);
  return { all, session: all.slice(lastRunStarted(all)) };
}

function phaseTotal(events: RunEventLine[], phase: string): number {
  return Number(events.find((e) => e.type === 'phase_started' && e.phase === phase)?.total);
}

function lastRunStarted(events: RunEventLine[]): number {
  let at = -1;
  events.forEach((e, i) => {
    if (e.type === 'run_started') at = i;
  });
  return at;
}

function phaseEvents(events: RunEventLine[], phase: string) {
  return { started: events.some((e) => e.type === 'phase_started' && e.phase === phase), finished: events.some((e) => e.type === 'phase_finished' && e.phase === phase) };
}

describe('the uninterrupted reference run', () => {
  it('has a result and a valid log', async () => {
    expect([0, 3], reference.result.stderr).toContain(reference.result.code);
    const facts = await checkEventLog(reference.dir, { complete: true });
    expect(facts.runFinished).toHaveLength(1);
    // a store released after P9 is never forced to the device: it was deleted unsynced
    const state = JSON.parse(await readFile(join(reference.dir, 'state.json'), 'utf8')) as { store?: { synced: boolean } };
    expect(state.store?.synced).toBe(false);
    await expect(stat(join(reference.dir, 'work', 'cells.f32'))).rejects.toMatchObject({ code: 'ENOENT' });
    const events = await readEvents(reference.dir);
    const tiles = events.find((e) => e.type === 'phase_started' && e.phase === 'tile_reconstruction');
    expect(tiles?.total).toBeGreaterThanOrEqual(40);
  }, 120_000);
});

describe('run --resume after SIGKILL of the whole process tree', () => {
  it('continues a run killed in P6 prepare, removes its temporary files and ends byte-identical', async () => {
    // killed after the reference frame and at least one group of frames (units of consecutive
    // frames, written to the store together)
    const { dir } = await killedRun('kill-p6', afterFirstPrepareGroup());
    const events = await readEvents(dir);
    const total = Number(events.find((e) => e.type === 'phase_started' && e.phase === 'prepare')?.total);
    const before = { done: await donePrepareFrames(dir) };
    expect(before.done).toBeGreaterThan(1);
    expect(before.done).toBeLessThan(total);
    expect(phaseEvents(events, 'prepare').finished).toBe(false);
    // what a kill between write and rename leaves behind
    const litter = [join(dir, 'work', 'tile-grid.json.tmp-4242-0badf00d'), join(dir, 'metrics', 'global.json.tmp-4242-deadbeef')];
    for (const f of litter) await writeFile(f, 'half a file');

    // the store is written without fsync: killed in P6, it is marked unsynced under this boot,
    // which a resume on the same boot trusts (below: no frame redone)
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { store?: { boot: string | null; synced: boolean } };
    expect(state.store).toEqual({ boot: await bootId(), synced: false });

    const r = await resume(dir);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
    for (const f of litter) await expect(readFile(f)).rejects.toMatchObject({ code: 'ENOENT' });
    const facts = await checkEventLog(dir, { complete: false });
    expect(facts.sessions).toBe(2);
    expect(facts.runFinished).toHaveLength(1);
    // the resumed session did not redo the frames finished before the kill
    const all = await readEvents(dir);
    const resumedAt = lastRunStarted(all);
    const redone = all.slice(resumedAt).filter((e) => e.type === 'frame_done' && e.phase === 'prepare').length;
    expect(redone).toBe(total - before.done);
  }, 120_000);

  it('redoes a finished group of frames when a restart lost the journal line of one of them, and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-p6-lost-line', afterFirstPrepareGroup());
    const group = (await prepareUnits(dir)).find((u) => u.done && u.frames.length > 1);
    expect(group, 'a finished group of several frames').toBeDefined();
    const lost = group!.frames[group!.frames.length - 1];
    // the group's bit is on disk (state.json is fsync'd), one of its journal lines is not
    const journal = join(dir, 'work', 'prepare.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((l) => l !== '');
    const kept = lines.filter((l) => (JSON.parse(l) as { frame: number }).frame !== lost);
    expect(kept.length).toBeLessThan(lines.length);
    await writeFile(journal, kept.map((l) => `${l}\n`).join(''));

    const { session } = await resumeToSameResult(dir);
    const redone = new Set(session.filter((e) => e.type === 'frame_done' && e.phase === 'prepare').map((e) => e.frame));
    for (const f of group!.frames) expect(redone.has(f), `frame ${f} of the group`).toBe(true);
  }, 120_000);

  it('continues a run killed in P2 measure, redoing only the frames not known to be complete, and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-p2', (e) => e.type === 'frame_done' && e.phase === 'measure');
    const before = await doneUnits(dir, 'measure');
    const total = phaseTotal(await readEvents(dir), 'measure');
    expect(before.done).toBeGreaterThan(0);
    expect(before.done).toBeLessThan(total);
    // P2's outputs are written without fsync, each record naming the boot it was written under:
    // one of them now claims a boot before a restart, so its frame's proxy slot may be zeroed
    const journal = join(dir, 'work', 'measure.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((l) => l !== '');
    const records = lines.map((l) => JSON.parse(l) as { frame: number; boot?: string | null });
    for (const rec of records) expect(rec.boot).toBe(await bootId());
    const frames = records.map((r) => r.frame);
    expect(frames.length).toBeGreaterThanOrEqual(before.done);
    records[0].boot = 'a-boot-before-the-restart';
    await writeFile(journal, [JSON.stringify(records[0]), ...lines.slice(1)].map((l) => `${l}\n`).join(''));

    const { session } = await resumeToSameResult(dir);
    const redone = session.filter((e) => e.type === 'frame_done' && e.phase === 'measure').map((e) => e.frame);
    expect(redone).toContain(frames[0]);
    expect(redone).toHaveLength(total - before.done + 1);
  }, 120_000);

  it('resumes after P4 without P2\'s proxies and star lists (deleted once P4 is done), and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-after-p4', (e) => e.type === 'frame_done' && e.phase === 'prepare');
    // P4's checked results are kept for a resume; its inputs are deleted in the background after P4
    // (done here in case the kill came first)
    await stat(join(dir, 'work', 'registration-checked.json'));
    await rm(join(dir, 'work', 'proxies.f32'), { force: true });

    const { session } = await resumeToSameResult(dir);
    expect(session.filter((e) => e.type === 'frame_done' && e.phase === 'measure')).toHaveLength(0);
  }, 120_000);

  it('redoes P6 when the computer restarted before the cell store was synced, and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-p6-restart', (e) => e.type === 'frame_done' && e.phase === 'prepare');
    const before = await doneUnits(dir, 'prepare');
    expect(before.done).toBeGreaterThan(0);
    // what a restart changes: the boot the unsynced store was written under is not this one
    const statePath = join(dir, 'state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { store: { boot: string | null; synced: boolean } };
    expect(state.store.synced).toBe(false);
    state.store.boot = 'a-boot-before-the-restart';
    await writeFile(statePath, JSON.stringify(state));

    const { all, session } = await resumeToSameResult(dir);
    expect(session.filter((e) => e.type === 'frame_done' && e.phase === 'prepare')).toHaveLength(phaseTotal(all, 'prepare'));
    expect(session.filter((e) => e.type === 'warning' && e.code === 'STORE_REBUILT')).toHaveLength(1);
  }, 120_000);

  it('continues a run killed in P9 tile_reconstruction and ends byte-identical', async () => {
    const { dir } = await killedInP9('kill-p9');
    const events = await readEvents(dir);
    const total = Number(events.find((e) => e.type === 'phase_started' && e.phase === 'tile_reconstruction')?.total);
    const before = await doneUnits(dir, 'tile_reconstruction');
    expect(before.done).toBeGreaterThan(0);
    expect(before.done).toBeLessThan(total);
    expect((await doneUnits(dir, 'prepare')).done).toBeGreaterThan(0);

    const r = await resume(dir);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
    const all = await readEvents(dir);
    const resumedAt = lastRunStarted(all);
    expect(all.slice(resumedAt).filter((e) => e.type === 'frame_done' && e.phase === 'prepare')).toHaveLength(0);
    expect(all.slice(resumedAt).filter((e) => e.type === 'tile_done')).toHaveLength(total - before.done);
    expect((await checkEventLog(dir, { complete: false })).runFinished).toHaveLength(1);
  }, 120_000);

  it('redoes a done tile whose data no longer matches its record, and ends byte-identical', async () => {
    const { dir } = await killedInP9('kill-p9-torn-tile');
    expect((await doneUnits(dir, 'tile_reconstruction')).done).toBeGreaterThan(0);
    const doneTile = Number((await readEvents(dir)).find((e) => e.type === 'tile_done')?.tile);
    const rec = (await tileJournal(dir)).get(doneTile);
    expect(rec).toBeDefined();
    // what a power cut can leave: the slot in place, other bytes in it
    const file = join(dir, 'work', 'tiles.f32');
    const bytes = await readFile(file);
    const at = Number(rec?.offset) + (Number(rec?.blocks) * Number(rec?.width) * Number(rec?.height) * 2);
    bytes[at] ^= 0xff;
    await writeFile(file, bytes);

    const { session } = await resumeToSameResult(dir);
    expect(session.filter((e) => e.type === 'tile_done' && e.tile === doneTile)).toHaveLength(1);
  }, 120_000);

  it('redoes the done tile whose journal line a restart tore, and ends byte-identical', async () => {
    const { dir } = await killedInP9('kill-p9-torn-line');
    const journal = join(dir, 'work', 'tiles.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    const torn = Number((JSON.parse(lines[lines.length - 1]) as { tile: number }).tile);
    // the last line cut in the middle, no newline: what a restart can leave of an append
    const last = lines[lines.length - 1];
    await writeFile(journal, [...lines.slice(0, -1), last.slice(0, last.length >> 1)].join('\n'));

    const { session } = await resumeToSameResult(dir);
    expect(session.filter((e) => e.type === 'tile_done' && e.tile === torn)).toHaveLength(1);
  }, 120_000);

  it('rebuilds the cell store when it is lost before P9 is complete, and ends byte-identical', async () => {
    const { dir } = await killedInP9('kill-p9-lost-store');
    const tilesDone = (await doneUnits(dir, 'tile_reconstruction')).done;
    expect(tilesDone).toBeGreaterThan(0);
    expect(tilesDone).toBeLessThan(phaseTotal(await readEvents(dir), 'tile_reconstruction'));
    await rm(join(dir, 'work', 'cells.f32'));

    const { all, session } = await resumeToSameResult(dir);
    expect(session.filter((e) => e.type === 'frame_done' && e.phase === 'prepare')).toHaveLength(phaseTotal(all, 'prepare'));
    expect(session.filter((e) => e.type === 'tile_done')).toHaveLength(phaseTotal(all, 'tile_reconstruction'));
  }, 120_000);

  it('continues a run killed in P12 finish, while stack.fits is being written, and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-p12', (e) => e.type === 'phase_started' && e.phase === 'finish');
    const events = await readEvents(dir);
    expect(phaseEvents(events, 'assemble').finished).toBe(true);
    expect(phaseEvents(events, 'finish').finished).toBe(false);
    expect(events.some((e) => e.type === 'run_finished')).toBe(false);
    // the cell store is deleted as soon as P9 ends; the kill may land before that delete is done
    await rm(join(dir, 'work', 'cells.f32'), { force: true });

    const r = await resume(dir);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
    expect((await checkEventLog(dir, { complete: false })).runFinished).toHaveLength(1);
    // without the store the tiles were complete: the resume redid neither P6 nor P9
    const all = await readEvents(dir);
    const redone = all.slice(lastRunStarted(all)).filter((e) => (e.type === 'frame_done' && e.phase === 'prepare') || e.type === 'tile_done');
    expect(redone).toHaveLength(0);
  }, 120_000);

  it('continues a run killed as P10 assemble starts and ends byte-identical', async () => {
    const { dir } = await killedRun('kill-p10', (e) => e.type === 'phase_started' && e.phase === 'assemble');
    expect((await readEvents(dir)).some((e) => e.type === 'run_finished')).toBe(false);
    const r = await resume(dir, 1);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
  }, 120_000);
});

describe('cancellation and refusals', () => {
  it('stops on Ctrl+C (SIGINT to the process group) with exit 130, and the cancelled run resumes byte-identical', async () => {
    const dir = join(root, 'sigint');
    const p = startCli(['run', lights, '--out', dir, '--config', config, '--workers', '1']);
    await waitForEvent(dir, p, (e) => e.type === 'tile_done');
    process.kill(-(p.child.pid as number), 'SIGINT');
    const end = await p.done;
    expect(end.code, end.stderr).toBe(130);
    expect(end.stderr).toContain('--resume');
    const facts = await checkEventLog(dir, { complete: true });
    expect(facts.runFinished).toHaveLength(1);
    expect(facts.runFinished[0]).toMatchObject({ status: 'cancelled', exit_code: 130 });
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as { status: string };
    expect(state.status).toBe('cancelled');

    const r = await resume(dir);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
    const after = await checkEventLog(dir, { complete: true });
    expect(after.runFinished.map((e) => e.status)).toEqual(['cancelled', reference.result.code === 0 ? 'ok' : 'validation_failed']);
  }, 120_000);

  it('honours Ctrl+C in a master phase (P10 assemble) at the next phase boundary, resumably', async () => {
    const dir = join(root, 'sigint-master');
    const p = startCli(['run', lights, '--out', dir, '--config', config, '--workers', '2']);
    await waitForEvent(dir, p, (e) => e.type === 'phase_started' && e.phase === 'assemble');
    process.kill(p.child.pid as number, 'SIGINT');
    const end = await p.done;
    expect(end.code, end.stderr).toBe(130);
    const events = await readEvents(dir);
    expect(events.some((e) => e.type === 'phase_started' && e.phase === 'validation')).toBe(false);
    const r = await resume(dir);
    expect(r.code, r.stderr).toBe(reference.result.code);
    await expectSameResults(reference.dir, dir);
  }, 120_000);

  it('refuses to resume when an input frame changed since the run started (RESUME_MISMATCH)', async () => {
    const copy = join(await makeTempDir('changed'), 'lights');
    await cp(lights, copy, { recursive: true, preserveTimestamps: true });
    const dir = join(root, 'changed-input');
    const p = startCli(['run', copy, '--out', dir, '--config', config, '--workers', '1']);
    await waitForEvent(dir, p, (e) => e.type === 'frame_done' && e.phase === 'measure');
    killTree(p);
    await p.done;
    const stateBefore = await readFile(join(dir, 'state.json'));
    const later = new Date(Date.now() + 60_000);
    await utimes(join(copy, 'light_00007.fits'), later, later);

    const r = await resume(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RESUME_MISMATCH');
    expect(r.stderr).toContain('light_00007.fits');
    expect((await readFile(join(dir, 'state.json'))).equals(stateBefore)).toBe(true);
  }, 120_000);

  it('refuses a new run into a folder that already holds a run (exit 2) and leaves that run alone', async () => {
    const state = await readFile(join(reference.dir, 'state.json'));
    const events = await readFile(join(reference.dir, 'events.jsonl'));
    const r = await runCli(['run', lights, '--out', reference.dir, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('RUN_EXISTS');
    expect((await readFile(join(reference.dir, 'state.json'))).equals(state)).toBe(true);
    expect((await readFile(join(reference.dir, 'events.jsonl'))).equals(events)).toBe(true);
  }, 120_000);

  it('refuses to resume a folder that is not a run (exit 2)', async () => {
    const r = await resume(lights);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NOT_A_RUN');
  }, 120_000);
});
