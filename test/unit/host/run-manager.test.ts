import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunManager, asWritten } from '../../../electron/host/run-manager';
import { createFileLogger } from '../../../electron/host/logging';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { parseEvent, parseEventLog, type RunEvent } from '../../../shared/contract/events';
import { createSkySpec, writeSynthSet } from '../../../shared/synth';

/**
 * The RunService over the real pipeline, in-process (worker processes are covered by the worker
 * pool's integration tests and by the e2e test): a tiny synthetic set of 6 frames of 96×72 in
 * emergency mode runs in a few seconds.
 */
const CONFIG = 'runtime:\n  allow_emergency_mode: true  # 6 frames are fewer than frames_min\n';
let tmp: string;
let lights: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-runmgr-'));
  lights = path.join(tmp, 'lights');
  await writeSynthSet(nodeFileSystem, lights, createSkySpec({ frames: 6, width: 96, height: 72, seed: 7 }));
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function collect(m: RunManager): { events: Array<{ runDir: string; event: RunEvent }>; stop: () => void } {
  const events: Array<{ runDir: string; event: RunEvent }> = [];
  const stop = m.subscribe((runDir, event) => events.push({ runDir, event }));
  return { events, stop };
}

describe('RunManager', () => {
  it('runs a real pipeline into outDir/<run_id>, forwarding every event and logging it', async () => {
    const appLogFile = path.join(tmp, 'applog', 'host.log');
    const m = new RunManager({ inProcess: true, appLog: createFileLogger([{ file: appLogFile }]), now: () => new Date('2025-03-04T05:06:07.890Z'), randomHex: () => 'abc123' });
    const { events } = collect(m);
    const out = path.join(tmp, 'runs-a');
    const started = await m.start({ inputDir: lights, configText: CONFIG, outDir: out });
    expect(started).toEqual({ runId: '20250304T050607Z-abc123', runDir: path.join(out, '20250304T050607Z-abc123') });
    expect(m.isActive(started.runDir)).toBe(true);
    const outcome = await m.whenFinished(started.runDir);
    expect(m.isActive(started.runDir)).toBe(false);
    expect(['ok', 'validation_failed']).toContain(outcome?.status);

    // The live stream is the file: same events, same order, each for this run directory.
    const file = parseEventLog(readFileSync(path.join(started.runDir, 'events.jsonl'), 'utf8'));
    expect(file.invalidLines).toEqual([]);
    expect(events.map((e) => e.event.seq)).toEqual(file.events.map((e) => e.seq));
    expect(new Set(events.map((e) => e.runDir))).toEqual(new Set([started.runDir]));
    expect(events[0].event.type).toBe('run_started');
    expect(events[events.length - 1].event).toMatchObject({ type: 'run_finished', run_id: started.runId });
    // Per-frame progress reaches every frame.
    const measured = events.filter((e) => e.event.type === 'frame_done' && e.event.phase === 'measure');
    expect(measured.length).toBe(6);

    const appLog = readFileSync(path.join(started.runDir, 'logs', 'app.log'), 'utf8');
    expect(appLog).toContain(`[run ${started.runId}] [measure] [frame 0] light_`);
    expect(appLog).toMatch(/run finished: (ok|validation_failed)/);
    expect(readFileSync(appLogFile, 'utf8')).toContain(`[run ${started.runId}]`);
  }, 90_000);

  it('refuses a missing input folder as a request error and leaves no run folder behind', async () => {
    const m = new RunManager({ inProcess: true });
    const out = path.join(tmp, 'runs-b');
    await expect(m.start({ inputDir: path.join(tmp, 'nope'), configText: CONFIG, outDir: out })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    expect(existsSync(out) ? await nodeFileSystem.readdir(out) : []).toEqual([]);
    expect(m.isActive(path.join(out, 'anything'))).toBe(false);
  });

  it('refuses an invalid configuration with CONFIG_INVALID', async () => {
    const m = new RunManager({ inProcess: true });
    await expect(m.start({ inputDir: lights, configText: 'tile:\n  overlap_fraction: 0.8\n', outDir: path.join(tmp, 'runs-c') })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('cancels a run that is measuring, leaves it resumable, and resumes it to the end', async () => {
    const m = new RunManager({ inProcess: true });
    const { events } = collect(m);
    const firstFrame = new Promise<void>((resolve) => {
      const stop = m.subscribe((_d, e) => {
        if (e.type === 'frame_done' && e.phase === 'measure') {
          stop();
          resolve();
        }
      });
    });
    const { runDir } = await m.start({ inputDir: lights, configText: CONFIG, outDir: path.join(tmp, 'runs-d') });
    await firstFrame;
    expect(await m.cancel(runDir)).toBe(true);
    expect(m.isActive(runDir)).toBe(false);
    expect(events[events.length - 1].event).toMatchObject({ type: 'run_finished', status: 'cancelled', exit_code: 130 });
    const measuredBefore = events.filter((e) => e.event.type === 'frame_done' && e.event.phase === 'measure').length;
    expect(measuredBefore).toBeLessThan(6);

    expect(await m.cancel(runDir)).toBe(false);
    const resumed = await m.resume(runDir);
    expect(resumed.runDir).toBe(runDir);
    const outcome = await m.whenFinished(runDir);
    expect(['ok', 'validation_failed']).toContain(outcome?.status);
    // The resume measured only the frames the cancelled run had not finished.
    const measuredTotal = events.filter((e) => e.event.type === 'frame_done' && e.event.phase === 'measure').length;
    expect(measuredTotal).toBe(6);
    expect(existsSync(path.join(runDir, 'result', 'stack.fits'))).toBe(true);
  }, 90_000);

  it('runs one run at a time and says so to a second start', async () => {
    const m = new RunManager({ inProcess: true });
    const { runDir } = await m.start({ inputDir: lights, configText: CONFIG, outDir: path.join(tmp, 'runs-e') });
    await expect(m.start({ inputDir: lights, configText: CONFIG, outDir: path.join(tmp, 'runs-e') })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(m.resume(runDir)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await m.shutdown();
    expect(m.isActive(runDir)).toBe(false);
    const outcome = await m.whenFinished(runDir);
    expect(outcome?.status).toBe('cancelled');
  }, 60_000);

  it('streams an event with a NaN the way events.jsonl keeps it (as null) instead of dropping it', () => {
    const raw = { v: 1, seq: 9, ts: '2025-01-01T00:00:00.000Z', run_id: 'R', type: 'frame_done', phase: 'registration', frame: 2, file: 'a.fits', status: 'excluded', reg: { method: 'failed', ncc: Number.NaN, dx: null, dy: null, rot_deg: 0, scale: 1 } };
    expect(parseEvent(raw).kind).toBe('invalid');
    const written = parseEvent(asWritten(raw));
    expect(written.kind === 'event' && written.event.type === 'frame_done' && written.event.reg?.ncc).toBeNull();
  });

  it('refuses to resume a folder that is not a run', async () => {
    const m = new RunManager({ inProcess: true });
    const dir = path.join(tmp, 'not-a-run');
    mkdirSync(dir, { recursive: true });
    await expect(m.resume(dir)).rejects.toMatchObject({ code: 'NOT_A_RUN' });
  });
});
