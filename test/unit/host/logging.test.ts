import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveNames,
  createFileLogger,
  createRunLogger,
  createWorkerLogger,
  defaultAppLogDir,
  describeTask,
  eventLogLine,
  formatContext,
  logRunEvent,
  phaseOfTask,
} from '../../../electron/host/logging';
import { parseEvent, type RunEvent } from '../../../shared/contract/events';
import { parseLogLines } from '../../../renderer/src/lib/log-lines';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-log-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
const numbersIn = (text: string) => [...text.matchAll(/line (\d+) /g)].map((m) => Number(m[1]));

function event(body: Record<string, unknown>): RunEvent {
  const p = parseEvent({ v: 1, seq: 1, ts: '2025-01-01T22:00:00.000Z', run_id: 'R1', ...body });
  if (p.kind !== 'event') throw new Error(`test event does not parse: ${JSON.stringify(p)}`);
  return p.event;
}

describe('createFileLogger rotation', () => {
  it('rotates by size into numbered archives and loses no line among the files it keeps', () => {
    const file = path.join(tmp, 'rot', 'app.log');
    const log = createFileLogger([{ file, maxSizeBytes: 2000, archives: 2 }], { runId: 'R1' });
    for (let i = 0; i < 120; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
    const [a1, a2] = archiveNames(file, 2);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['app.1.log', 'app.2.log', 'app.log']);
    // Oldest archive, newer archive, live file: together one unbroken run of line numbers ending at 119.
    const kept = [...numbersIn(read(a2)), ...numbersIn(read(a1)), ...numbersIn(read(file))];
    expect(kept[kept.length - 1]).toBe(119);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => kept[0] + i));
    // Each file stays near the limit (one line past it at most), and more than one archive holds data.
    for (const f of [file, a1, a2]) expect(Buffer.byteLength(read(f))).toBeLessThan(2000 + 200);
    expect(numbersIn(read(a2)).length).toBeGreaterThan(0);
  });

  it('drops the oldest lines once more archives would be needed than it keeps', () => {
    const file = path.join(tmp, 'rot0', 'app.log');
    const log = createFileLogger([{ file, maxSizeBytes: 1000, archives: 0 }]);
    for (let i = 0; i < 60; i++) log.info(`line ${i} ${'y'.repeat(40)}`);
    expect(readdirSync(path.dirname(file))).toEqual(['app.log']);
    const kept = numbersIn(read(file));
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept[kept.length - 1]).toBe(59);
  });

  it('writes each line with date, level and the bound context, readable by the Logs view', () => {
    const file = path.join(tmp, 'ctx', 'app.log');
    const log = createFileLogger([{ file }], { runId: 'R7' }).child({ phase: 'measure' });
    log.warn('thin cloud', { frame: 12 });
    log.debug('plain');
    const [first, second] = parseLogLines(read(file));
    expect(first.text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[warn\]\s+\[run R7\] \[measure\] \[frame 12\] thin cloud$/);
    expect(first.level).toBe('warn');
    expect(first.phase).toBe('measure');
    expect(second.text).toContain('[run R7] [measure] plain');
    expect(second.level).toBe('debug');
  });

  it('leaves out debug lines below the level asked for', () => {
    const file = path.join(tmp, 'level', 'app.log');
    const log = createFileLogger([{ file, level: 'info' }]);
    log.debug('hidden');
    log.info('shown');
    expect(read(file)).not.toContain('hidden');
    expect(read(file)).toContain('shown');
  });

  it('tees one line into several files', () => {
    const a = createFileLogger([{ file: path.join(tmp, 'tee', 'a.log') }]);
    const b = createFileLogger([{ file: path.join(tmp, 'tee', 'b.log') }]);
    a.child({ runId: 'R2' }).tee(b).info('both');
    expect(read(path.join(tmp, 'tee', 'a.log'))).toContain('[run R2] both');
    expect(read(path.join(tmp, 'tee', 'b.log'))).toContain('[run R2] both');
  });
});

describe('run and worker logs', () => {
  it('puts the host log of a run into RUN_DIR/logs/app.log with its run id', () => {
    const runDir = path.join(tmp, 'run-a');
    createRunLogger(runDir, '20250101T220000Z-a1b2c3', null).info('hello');
    expect(read(path.join(runDir, 'logs', 'app.log'))).toContain('[run 20250101T220000Z-a1b2c3] hello');
  });

  it('names each task of a worker with its phase and frame or tile', () => {
    expect(describeTask('measure', { runDir: '/r', frame: 3 })).toEqual({ runDir: '/r', ctx: { phase: 'measure', frame: 3 }, what: 'measure frame 3' });
    const group = { runDir: '/r', frames: [4, 5, 6, 7].map((frame) => ({ frame, background: [1] })) };
    expect(describeTask('prepare', group)).toEqual({ runDir: '/r', ctx: { phase: 'prepare', frame: 4 }, what: 'prepare frames 4, 5, 6, 7' });
    expect(describeTask('prepare', { runDir: '/r', frames: [{ frame: 9, background: [1] }] }).what).toBe('prepare frame 9');
    expect(describeTask('tile', { runDir: '/r', tile: 17 })).toEqual({ runDir: '/r', ctx: { phase: 'tile_reconstruction', tile: 17 }, what: 'tile 17' });
    expect(describeTask('qa', {})).toEqual({ runDir: null, ctx: { phase: 'qa' }, what: 'qa unit' });
  });

  it('names a worker log after the number its launcher gave it, else after its pid', () => {
    const runDir = path.join(tmp, 'run-b');
    createWorkerLogger(runDir, { TILE_COMPILE_WORKER_ID: '3', TILE_COMPILE_RUN_ID: 'RID' }).info('task', { phase: 'prepare', frame: 4 });
    expect(read(path.join(runDir, 'logs', 'worker-3.log'))).toContain('[run RID] [prepare] [frame 4] task');
    createWorkerLogger(runDir, {}).info('no id');
    expect(read(path.join(runDir, 'logs', `worker-${process.pid}.log`))).toContain(`[run run-b] no id`);
  });

  it('maps task kinds onto pipeline phase names', () => {
    expect(phaseOfTask('register')).toBe('registration');
    expect(phaseOfTask('tile')).toBe('tile_reconstruction');
    expect(phaseOfTask('something-new')).toBe('something-new');
  });

  it('takes the app log folder from the environment, and can be switched off', () => {
    expect(defaultAppLogDir({ TILE_COMPILE_LOG_DIR: '/var/log/tc' })).toBe('/var/log/tc');
    expect(defaultAppLogDir({ TILE_COMPILE_LOG_DIR: 'off' })).toBeNull();
    expect(defaultAppLogDir({})).toBe(path.join(os.homedir(), 'TileCompile', 'logs'));
  });
});

describe('eventLogLine', () => {
  it('gives a frame event its phase and frame number', () => {
    const line = eventLogLine(event({ type: 'frame_done', phase: 'measure', frame: 5, file: 'l_6.fits', status: 'ok', metrics: { B: [10, 20, 30], fwhm: 3.2, stars: 40 } }));
    expect(line?.ctx).toEqual({ phase: 'measure', frame: 5 });
    expect(line?.message).toBe('l_6.fits: ok background 20 fwhm 3.2 stars 40');
    expect(formatContext({ runId: 'R', ...line!.ctx })).toBe('[run R] [measure] [frame 5] ');
  });

  it('logs an excluded frame and a failed phase above info', () => {
    expect(eventLogLine(event({ type: 'frame_done', phase: 'registration', frame: 2, file: 'a.fits', status: 'excluded', reason: 'REGISTRATION_FAILED' }))?.level).toBe('warn');
    expect(eventLogLine(event({ type: 'phase_finished', phase: 'prepare', status: 'failed', seconds: 1 }))?.level).toBe('error');
    expect(eventLogLine(event({ type: 'run_finished', status: 'cancelled', emergency: false, seconds: 3, exit_code: 130 }))?.level).toBe('warn');
  });

  it('leaves progress ticks out of the log', () => {
    expect(eventLogLine(event({ type: 'progress', phase: 'measure', done: 1, total: 3, unit: 'frames' }))).toBeNull();
  });

  it('logs a finished tile only when it fell back to the equal-weight mean', () => {
    expect(eventLogLine(event({ type: 'tile_done', phase: 'tile_reconstruction', tile: 7, n_frames: 40, fallback_used: false }))).toBeNull();
    const line = eventLogLine(event({ type: 'tile_done', phase: 'tile_reconstruction', tile: 8, n_frames: 40, fallback_used: true }));
    expect(line).toMatchObject({ level: 'info', message: '40 frames, equal-weight fallback', ctx: { phase: 'tile_reconstruction', tile: 8 } });
  });

  it('writes the first plan of a run, whose mode is not decided yet, without inventing one', () => {
    const file = path.join(tmp, 'plan', 'app.log');
    logRunEvent(createFileLogger([{ file }]), event({ type: 'plan', mode: null, n_usable: 9, workers: 2, memory: { ram_mb: null, budget_mb: null, per_task_mb: 5 }, disk: { need_mb: 1, free_mb: null } }));
    expect(read(file)).toContain('mode decided after registration, 9 usable frames, 2 workers');
    expect(read(file)).toContain('free space unknown');
  });
});
