import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { EventLog, parseEvents } from '../../../../shared/pipeline/run/event-log';
import { RunState } from '../../../../shared/pipeline/run/run-state';
import { runUnitStages, type Runtime } from '../../../../shared/pipeline/run/runtime';
import { InProcessExecutor } from '../../../../shared/pipeline/tasks/in-process-executor';
import { registerTaskHandler } from '../../../../shared/pipeline/tasks/registry';
import type { TaskUnit } from '../../../../shared/pipeline/tasks/executor';

const dir = mkdtempSync(path.join(tmpdir(), 'tc-runtime-'));
const opened: Runtime[] = [];
// events are appended in the background: remove the folder only once every log is on disk
afterAll(async () => {
  await Promise.all(opened.map((rt) => rt.events.flush()));
  rmSync(dir, { recursive: true, force: true });
});

// a real task handler in the real registry: it records the order in which units ran
const ran: number[] = [];
registerTaskHandler('runtime-test-square', async (_env, payload) => {
  const n = (payload as { n: number }).n;
  ran.push(n);
  return n * n;
});

let serial = 0;
async function runtime(name: string): Promise<{ rt: Runtime; eventsPath: string; state: RunState }> {
  const base = path.join(dir, `${name}-${serial++}`);
  const state = RunState.create(fs, `${base}.state.json`, { run_id: 'r', config_hash: 'c', frames_manifest_id: 'm' });
  const eventsPath = `${base}.events.jsonl`;
  const events = await EventLog.open(fs, eventsPath, 'r');
  // runUnitStages reads only host.executor, state, events and signal; the rest of a Runtime is not needed here
  const rt = { host: { fs, executor: new InProcessExecutor(fs) }, state, events } as unknown as Runtime;
  opened.push(rt);
  return { rt, eventsPath, state };
}

const units = (ns: number[]): TaskUnit<{ n: number }>[] => ns.map((n) => ({ index: n, payload: { n }, sizeMb: 1 }));

describe('runUnitStages', () => {
  it('finishes a stage before the next starts, with one done bitset and one never-decreasing progress count', async () => {
    const { rt, eventsPath, state } = await runtime('stages');
    ran.length = 0;
    const results = new Map<number, number>();
    await runUnitStages(rt, 'prepare', 'runtime-test-square', 'frames', [units([7]), units([2, 9, 4])], {
      load: async () => {
        throw new Error('nothing done yet');
      },
      onResult: (i, r) => void results.set(i, r as number),
    });
    await rt.events.flush();
    expect(ran[0]).toBe(7);
    expect([...results.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [2, 4],
      [4, 16],
      [7, 49],
      [9, 81],
    ]);
    expect([2, 4, 7, 9].every((i) => state.isUnitDone('prepare', i))).toBe(true);
    const progress = parseEvents(readFileSync(eventsPath, 'utf8')).filter((e) => e.type === 'progress');
    expect(progress.every((e) => e.total === 4)).toBe(true);
    const done = progress.map((e) => e.done as number);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(4);
    for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]);
  });

  it('skips units whose bit is set and whose output can be re-read, and redoes those whose output is gone', async () => {
    const { rt, state } = await runtime('resume');
    state.initUnits('tiles', 4);
    for (const i of [0, 1, 2]) await state.setUnitDone('tiles', i);
    ran.length = 0;
    const resumed: number[] = [];
    await runUnitStages(rt, 'tiles', 'runtime-test-square', 'tiles', [units([0, 1, 2, 3])], {
      // unit 1's output "was deleted": its bit must not be trusted
      load: async (i) => {
        if (i === 1) throw new Error('ENOENT');
        return i * i;
      },
      onResult: (i, _r, wasResumed) => {
        if (wasResumed) resumed.push(i);
      },
    });
    expect(resumed).toEqual([0, 2]);
    expect(ran.sort()).toEqual([1, 3]);
    expect(state.doneUnits('tiles')).toBe(4);
  });
});
