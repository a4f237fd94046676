import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEventLog, type RunEvent } from '../../../shared/contract/events';
import { createAppStore } from '../../../renderer/src/store';
import { emptyRun, etaSeconds, foldEvent, foldEvents, frameCell, overallProgress, phaseList } from '../../../renderer/src/store/run-fold';

const RUN_DIR = '/runs/20250101T220000Z-a1b2c3';
const recorded = parseEventLog(
  readFileSync(fileURLToPath(new URL('../../fixtures/runs/20250101T220000Z-a1b2c3/events.jsonl', import.meta.url)), 'utf8'),
);
const events = recorded.events;

describe('the recorded 12-frame run', () => {
  it('is a valid event log (every line follows the schema)', () => {
    expect(recorded.invalidLines).toEqual([]);
    expect(events.length).toBeGreaterThan(100);
  });
});

describe('foldEvents', () => {
  const s = foldEvents(events);

  it('ends in the finished state with the run facts', () => {
    expect(s.status).toBe('ok');
    expect(s.finished?.emergency).toBe(true);
    expect(s.framesFound).toBe(12);
    expect(s.inputDir).toBe('/data/m31');
    expect(s.currentPhase).toBeNull();
  });

  it('keeps the second plan (after registration) with the tile count', () => {
    expect(s.plan).toMatchObject({ mode: 'emergency', n_usable: 11, workers: 2, tiles: 16 });
  });

  it('marks every core phase ok or skipped, with their durations', () => {
    const list = phaseList(s);
    expect(list.map((p) => p.name).slice(0, 3)).toEqual(['scan', 'calibration', 'measure']);
    expect(list.find((p) => p.name === 'calibration')?.status).toBe('skipped');
    expect(list.find((p) => p.name === 'clustering')?.status).toBe('skipped');
    expect(list.filter((p) => p.status === 'ok')).toHaveLength(12);
    expect(list.find((p) => p.name === 'measure')?.seconds).toBeGreaterThan(0);
  });

  it('keeps the excluded frame excluded through later phases and merges metrics over phases', () => {
    expect(s.frames[4].status).toBe('excluded');
    expect(s.frames[4].reason).toBe('REGISTRATION_FAILED');
    expect(s.frames[0].metrics).toMatchObject({ fwhm: 3.1, B: 812, G: expect.any(Number) });
    expect(s.frames[0].reg?.method).toBe('triangle');
    expect(Object.keys(s.frames)).toHaveLength(12);
  });

  it('counts tiles and the fallback tile', () => {
    expect(s.tilesDone).toBe(16);
    expect(s.tilesTotal).toBe(16);
    expect(s.tileFallbacks).toBe(1);
  });

  it('collects warnings, artifacts (without duplicates) and the latest resources', () => {
    expect(s.problems.map((p) => p.code)).toEqual(['EMERGENCY_MODE', 'REGISTRATION_FAILED']);
    expect(s.artifacts.map((a) => a.path)).toContain('result/stack.fits');
    expect(s.artifacts.filter((a) => a.path.startsWith('qa/frames/'))).toHaveLength(11);
    expect(s.resources).toMatchObject({ workers_active: 1, workers_limit: 2 });
  });

  it('reports 100 % when finished', () => {
    expect(overallProgress(s)).toBe(1);
    expect(etaSeconds(s)).toBeNull();
  });
});

describe('foldEvent on a run in progress', () => {
  const upTo = (seq: number) => foldEvents(events.filter((e) => e.seq <= seq));
  const midMeasure = events.find((e) => e.type === 'progress' && e.phase === 'measure' && e.done === 6)!;

  it('shows the running phase with its unit counts and a partial overall progress', () => {
    const s = upTo(midMeasure.seq);
    expect(s.status).toBe('running');
    expect(s.currentPhase).toBe('measure');
    expect(s.phases.measure).toMatchObject({ status: 'running', done: 6, total: 12, unit: 'frames' });
    const p = overallProgress(s);
    expect(p).toBeGreaterThan(0.1);
    expect(p).toBeLessThan(0.3);
    expect(etaSeconds(s)).toBeGreaterThan(0);
  });

  it('colours frames done in the running per-frame phase and leaves the rest pending', () => {
    const s = upTo(midMeasure.seq);
    expect(frameCell(s, 0)).toBe('ok');
    expect(frameCell(s, 5)).toBe('ok');
    expect(frameCell(s, 6)).toBe('pending');
  });

  it('refills the grid when the next per-frame phase starts, except excluded frames', () => {
    const prepStart = events.find((e) => e.type === 'phase_started' && e.phase === 'prepare')!;
    const s = upTo(prepStart.seq);
    expect(frameCell(s, 0)).toBe('pending');
    expect(frameCell(s, 4)).toBe('excluded');
  });

  it('ignores a duplicated event (live push after the file read) and a late smaller progress', () => {
    const s = upTo(midMeasure.seq);
    expect(foldEvent(s, midMeasure)).toBe(s);
    const late: RunEvent = { ...midMeasure, seq: s.lastSeq + 1, done: 2 } as RunEvent;
    expect(foldEvent(s, late).phases.measure.done).toBe(6);
  });

  it('starts over on a new run_started', () => {
    const s = foldEvents(events);
    const next = foldEvent(s, { ...events[0], run_id: 'other', seq: 1 } as RunEvent);
    expect(next.runId).toBe('other');
    expect(next.frames).toEqual({});
    expect(next.status).toBe('running');
  });

  it('shows the scan as done once a run has started (P0 runs before the event log exists)', () => {
    expect(foldEvents(events.slice(0, 1)).phases.scan.status).toBe('ok');
  });

  it('keeps the frames a cancelled run finished when the same run is resumed', () => {
    const s = upTo(midMeasure.seq);
    const framesBefore = Object.keys(s.frames).length;
    expect(framesBefore).toBeGreaterThan(0);
    const cancelled = foldEvent(s, { v: 1, seq: s.lastSeq + 1, ts: s.lastTs!, run_id: s.runId!, type: 'run_finished', status: 'cancelled', emergency: false, seconds: 3, exit_code: 130 } as RunEvent);
    const resumed = foldEvent(cancelled, { ...events[0], seq: cancelled.lastSeq + 1 } as RunEvent);
    expect(resumed.status).toBe('running');
    expect(resumed.finished).toBeNull();
    expect(Object.keys(resumed.frames).length).toBe(framesBefore);
  });

  it('marks a cancelled run and keeps its phases', () => {
    const s = upTo(midMeasure.seq);
    const cancelled = foldEvent(s, {
      v: 1,
      seq: s.lastSeq + 1,
      ts: s.lastTs!,
      run_id: s.runId!,
      type: 'run_finished',
      status: 'cancelled',
      emergency: true,
      seconds: 4,
      exit_code: 130,
    });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.phases.measure.status).toBe('running');
  });
});

describe('the app store', () => {
  it('folds live events of the open run and ignores other runs', () => {
    const store = createAppStore(null);
    store.getState().runOpened(RUN_DIR, events.slice(0, 10), null);
    const before = store.getState().run.lastSeq;
    store.getState().runEventReceived('/runs/other', events[10]);
    expect(store.getState().run.lastSeq).toBe(before);
    for (const e of events.slice(10)) store.getState().runEventReceived(RUN_DIR, e);
    expect(store.getState().run).toEqual(foldEvents(events));
  });

  it('a fresh store starts with no run', () => {
    expect(createAppStore(null).getState().run).toEqual(emptyRun);
  });
});
