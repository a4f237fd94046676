/**
 * Assertions shared by the engine tests: the event log of METHOD.md acceptance 20 and the
 * byte-identity of two run folders (acceptance 9).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseEventLog } from '../../../shared/contract';
import { storeGroupFrames } from '../../../shared/resources/memory-model';
import { prepareGroups } from '../../../shared/pipeline/run/run-pipeline';
import { metricFiles, readJsonFile, splitFits } from '../../fixtures/pipeline-sets';

/**
 * metrics/memory.json holds the peak RSS measured in each process of the run: by nature it differs
 * between two runs of the same data (METHOD.md section 5 "memory (plan vs measured)"), so it is the
 * one metrics file outside the byte-identity comparison. Everything else must be identical.
 */
export const RUN_SPECIFIC_METRICS = new Set(['memory.json']);

export interface EventLogFacts {
  readonly sessions: number;
  readonly runFinished: Array<Record<string, unknown>>;
  readonly types: string[];
}

/**
 * Validates every line of RUN_DIR/events.jsonl with the contract's parser and checks the log's
 * invariants: seq strictly increasing (and 1, 2, 3, ... when `complete`), one run_id, progress.done
 * non-decreasing per phase within each session (a session starts at run_started), progress.done <=
 * total. `killed` sessions may end with a torn line, which the parser reports and we allow once.
 */
export async function checkEventLog(runDir: string, opts: { complete: boolean }): Promise<EventLogFacts> {
  const text = await readFile(join(runDir, 'events.jsonl'), 'utf8');
  const log = parseEventLog(text);
  expect(log.invalidLines, 'every line validates against the event contract').toEqual([]);
  expect(log.unknownTypes).toBe(0);
  const seqs = log.events.map((e) => e.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i], `seq after ${seqs[i - 1]}`).toBeGreaterThan(seqs[i - 1]);
  if (opts.complete) expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  expect(new Set(log.events.map((e) => e.run_id)).size).toBe(1);
  let sessions = 0;
  let lastDone = new Map<string, number>();
  for (const e of log.events) {
    if (e.type === 'run_started') {
      sessions++;
      lastDone = new Map();
    }
    if (e.type === 'progress') {
      expect(e.done, `progress of ${e.phase} (seq ${e.seq})`).toBeGreaterThanOrEqual(lastDone.get(e.phase) ?? 0);
      expect(e.done).toBeLessThanOrEqual(e.total);
      lastDone.set(e.phase, e.done);
    }
  }
  const runFinished = log.events.filter((e) => e.type === 'run_finished') as unknown as Array<Record<string, unknown>>;
  return { sessions, runFinished, types: log.events.map((e) => e.type) };
}

/** The run's result and metrics are byte-identical to the reference run's (acceptance 9). */
export async function expectSameResults(reference: string, other: string): Promise<void> {
  const a = await readFile(join(reference, 'result', 'stack.fits'));
  const b = await readFile(join(other, 'result', 'stack.fits'));
  // pixel data first: a failure then says which part differs
  const ha = splitFits(a);
  const hb = splitFits(b);
  expect(hb.length).toBe(ha.length);
  ha.forEach((hdu, i) => {
    expect(Buffer.from(hb[i].data).equals(Buffer.from(hdu.data)), `HDU ${i} data of ${other}`).toBe(true);
    expect(hb[i].header, `HDU ${i} header`).toBe(hdu.header);
  });
  expect(b.equals(a)).toBe(true);
  const ma = await metricFiles(reference);
  const mb = await metricFiles(other);
  expect([...mb.keys()]).toEqual([...ma.keys()]);
  for (const [name, bytes] of ma) {
    if (RUN_SPECIFIC_METRICS.has(name)) continue;
    expect(mb.get(name)?.equals(bytes), `metrics/${name} of ${other}`).toBe(true);
  }
}

/** The run's own name must not leak into its result (HISTORY is provenance, not a run log). */
export async function expectNoRunIdInResult(runDir: string): Promise<void> {
  const { run_id: runId } = await readJsonFile<{ run_id: string }>(join(runDir, 'state.json'));
  const fits = await readFile(join(runDir, 'result', 'stack.fits'));
  expect(fits.includes(Buffer.from(runId))).toBe(false);
  expect(fits.includes(Buffer.from(runId.slice(-6)))).toBe(false);
  for (const [name, bytes] of await metricFiles(runDir)) {
    expect(bytes.includes(Buffer.from(runId)), `metrics/${name} names the run`).toBe(false);
  }
}

/** Counts the done bits of a phase in RUN_DIR/state.json. */
export async function doneUnits(runDir: string, phase: string): Promise<{ done: number; total: number }> {
  const s = await readJsonFile<{ units: Record<string, string>; unit_counts: Record<string, number> }>(join(runDir, 'state.json'));
  const hex = s.units[phase] ?? '';
  let done = 0;
  for (const ch of hex) {
    let n = parseInt(ch, 16);
    while (n > 0) {
      done += n & 1;
      n >>= 1;
    }
  }
  return { done, total: s.unit_counts[phase] ?? 0 };
}

/**
 * P6's units of a run (groups of consecutive frames known by their first: run-pipeline's
 * prepareGroups) and whether each one's done bit is set.
 */
export async function prepareUnits(runDir: string): Promise<Array<{ frames: number[]; done: boolean }>> {
  const s = await readJsonFile<{ units: Record<string, string> }>(join(runDir, 'state.json'));
  const m = await readJsonFile<{ width: number; height: number; planes: number }>(join(runDir, 'manifest.json'));
  const plan = await readJsonFile<{ usable: number[]; reference: number; canvasWidth: number; canvasHeight: number; planes: number }>(join(runDir, 'work', 'plan.json'));
  const hex = s.units.prepare ?? '';
  const isDone = (i: number) => ((parseInt(hex[i >> 2] ?? '0', 16) >> (i & 3)) & 1) === 1;
  const size = storeGroupFrames(m.width * m.height * m.planes * 4, plan.canvasWidth * plan.canvasHeight * plan.planes * 4);
  return prepareGroups(plan.usable, plan.reference, size).map((frames) => ({ frames, done: isDone(frames[0]) }));
}

/** The frames P6 finished before a kill: the frames of every unit whose done bit is set (the bits count units, not frames). */
export async function donePrepareFrames(runDir: string): Promise<number> {
  return (await prepareUnits(runDir)).filter((u) => u.done).reduce((a, u) => a + u.frames.length, 0);
}

export function workExists(runDir: string): boolean {
  return existsSync(join(runDir, 'work'));
}
