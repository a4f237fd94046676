import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../../electron/host/node-file-system';
import { RunState } from '../../../../shared/pipeline/run/run-state';
import { EventLog, parseEvents } from '../../../../shared/pipeline/run/event-log';

const dir = mkdtempSync(path.join(tmpdir(), 'tc-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RunState', () => {
  it('persists unit done bits and phase status across a reload', async () => {
    const p = path.join(dir, 'state.json');
    const s = RunState.create(fs, p, { run_id: 'r', config_hash: 'c', frames_manifest_id: 'm' });
    s.initUnits('prepare', 11);
    await Promise.all([s.setUnitDone('prepare', 0), s.setUnitDone('prepare', 7), s.setUnitDone('prepare', 10)]);
    await s.setPhase('scan', { status: 'ok', outputs: [] });
    const t = await RunState.load(fs, p);
    expect([...Array(11).keys()].filter((i) => t.isUnitDone('prepare', i))).toEqual([0, 7, 10]);
    expect(t.doneUnits('prepare')).toBe(3);
    expect(t.isPhaseDone('scan')).toBe(true);
    expect(t.isPhaseDone('prepare')).toBe(false);
  });
  it('refuses a state file of an unknown version', async () => {
    const p = path.join(dir, 'bad.json');
    await fs.writeFileAtomic(p, JSON.stringify({ version: 9 }));
    await expect(RunState.load(fs, p)).rejects.toThrow(/unsupported state version 9/);
  });
});

describe('RunState done bits', () => {
  it('shares one write among bits set close together, and every bit is on disk when its call resolves', async () => {
    const p = path.join(dir, 'state-bits.json');
    let writes = 0;
    const counting = { ...fs, writeFileAtomic: (...a: Parameters<typeof fs.writeFileAtomic>) => (writes++, fs.writeFileAtomic(...a)) };
    const s = RunState.create(counting, p, { run_id: 'r', config_hash: 'c', frames_manifest_id: 'm' });
    s.initUnits('tile_reconstruction', 200);
    const saved: Promise<void>[] = [];
    // one bit every millisecond or so, as the tiles of a fast P9 come in
    for (let i = 0; i < 200; i++) {
      saved.push(s.setUnitDone('tile_reconstruction', i));
      await new Promise((r) => setTimeout(r, 1));
    }
    await saved[120];
    const mid = await RunState.load(fs, p);
    for (let i = 0; i <= 120; i++) expect(mid.isUnitDone('tile_reconstruction', i)).toBe(true);
    await Promise.all(saved);
    expect((await RunState.load(fs, p)).doneUnits('tile_reconstruction')).toBe(200);
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(20);
  });
});

describe('EventLog', () => {
  it('writes the common fields and strictly increasing seq, continuing after a reopen', async () => {
    const p = path.join(dir, 'events.jsonl');
    let t = 0;
    const clock = () => new Date(Date.UTC(2026, 0, 1, 0, 0, t++));
    const a = await EventLog.open(fs, p, 'run1', clock);
    a.emit({ type: 'run_started', frames_found: 3 });
    a.emit({ type: 'progress', phase: 'measure', done: 1, total: 3 });
    await a.flush();
    // a killed writer can leave a torn last line
    await fs.appendText(p, '{"v":1,"seq":');
    const b = await EventLog.open(fs, p, 'run1', clock);
    b.emit({ type: 'run_finished', status: 'ok' });
    await b.flush();
    const events = parseEvents(readFileSync(p, 'utf8'));
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0]).toMatchObject({ v: 1, run_id: 'run1', type: 'run_started', ts: '2026-01-01T00:00:00.000Z' });
  });

  it('writes events emitted while an append is on its way in order, none lost, by flush', async () => {
    const p = path.join(dir, 'events-batched.jsonl');
    const log = await EventLog.open(fs, p, 'run2');
    let appends = 0;
    const counting = { ...fs, appendText: (file: string, text: string) => (appends++, fs.appendText(file, text)) };
    const counted = await EventLog.open(counting, path.join(dir, 'events-counted.jsonl'), 'run3');
    for (let i = 0; i < 500; i++) {
      log.emit({ type: 'tile_done', tile: i });
      counted.emit({ type: 'tile_done', tile: i });
      // some events arrive after an append has started
      if (i % 97 === 0) await Promise.resolve();
    }
    await Promise.all([log.flush(), counted.flush()]);
    const events = parseEvents(readFileSync(p, 'utf8'));
    expect(events.map((e) => e.tile)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(parseEvents(readFileSync(path.join(dir, 'events-counted.jsonl'), 'utf8'))).toHaveLength(500);
    // batched: far fewer appends than events
    expect(appends).toBeGreaterThan(0);
    expect(appends).toBeLessThan(50);
  });
});
