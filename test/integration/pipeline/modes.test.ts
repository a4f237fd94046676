/**
 * METHOD.md section 1 "Modes" with the default thresholds (frames_min 50, frames_reduced_threshold
 * 200), as issue 4 asks: 40 frames run in emergency mode only when allowed and are refused before
 * any work otherwise; 120 frames run reduced; 220 frames run full (clustering, synthetic frames,
 * final stack). Tiny frames (96×80) keep 220 frames fast.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig, type RunEventLine } from '../../fixtures/pipeline-sets';
import { checkEventLog } from './run-checks';
import { readFitsImage } from '../../../shared/fits/reader';
import { median } from '../../../shared/image/stats';
import { nodeFileSystem } from '../../../electron/host/node-file-system';

let root: string;

beforeAll(async () => {
  await ensureBuilt();
  root = await makeTempDir('modes');
});

afterAll(removeTempDirs);

function phaseStatus(events: RunEventLine[], phase: string): unknown {
  return events.find((e) => e.type === 'phase_finished' && e.phase === phase)?.status;
}

async function summary(dir: string): Promise<{ mode: string; emergency: boolean; n_usable: number }> {
  return JSON.parse(await readFile(join(dir, 'metrics', 'summary.json'), 'utf8')) as { mode: string; emergency: boolean; n_usable: number };
}

describe('40 frames (below frames_min = 50)', () => {
  it('run in emergency mode when runtime.allow_emergency_mode is true, flagged in run_finished', async () => {
    const lights = await synthSet({ ...TINY_SET, frames: 40 });
    const dir = join(root, 'emergency');
    const config = await writeConfig(root, 'runtime:\n  allow_emergency_mode: true\n');
    const r = await runCli(['run', lights, '--out', dir, '--config', config]);
    expect([0, 3], r.stderr).toContain(r.code);
    const facts = await checkEventLog(dir, { complete: true });
    expect(facts.runFinished).toHaveLength(1);
    expect(facts.runFinished[0]).toMatchObject({ emergency: true, exit_code: r.code });
    const events = await readEvents(dir);
    expect(events.filter((e) => e.type === 'plan' && e.mode !== null).map((e) => e.mode)).toEqual(['emergency']);
    expect(events.some((e) => e.type === 'warning' && e.code === 'EMERGENCY_MODE')).toBe(true);
    expect(phaseStatus(events, 'clustering')).toBe('skipped');
    expect(phaseStatus(events, 'final_stack')).toBe('skipped');
    expect(await summary(dir)).toMatchObject({ mode: 'emergency', emergency: true, n_usable: 40 });
    expect(existsSync(join(dir, 'result', 'stack.fits'))).toBe(true);
  }, 150_000);

  it('are refused by default before any work, with INSUFFICIENT_FRAMES naming N and both ways out', async () => {
    const lights = await synthSet({ ...TINY_SET, frames: 40 });
    const dir = join(root, 'refused');
    const r = await runCli(['run', lights, '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[INSUFFICIENT_FRAMES]');
    expect(r.stderr).toMatch(/N = 40\b/);
    expect(r.stderr).toContain('assumptions.frames_min');
    expect(r.stderr).toMatch(/add more frames/i);
    expect(r.stderr).toContain('runtime.allow_emergency_mode: true');
    // refused at the scan: no run folder, no state, no decoded frame
    expect(existsSync(dir)).toBe(false);
  }, 150_000);
});

describe('120 frames (frames_min <= N < 200)', () => {
  it('run in reduced mode: no clustering, the tile reconstruction is the result', async () => {
    const lights = await synthSet({ ...TINY_SET, frames: 120 });
    const dir = join(root, 'reduced');
    const r = await runCli(['run', lights, '--out', dir]);
    expect([0, 3], r.stderr).toContain(r.code);
    const facts = await checkEventLog(dir, { complete: true });
    expect(facts.runFinished[0]).toMatchObject({ emergency: false, exit_code: r.code });
    const events = await readEvents(dir);
    expect(events.filter((e) => e.type === 'plan' && e.mode !== null).map((e) => e.mode)).toEqual(['reduced']);
    expect(phaseStatus(events, 'clustering')).toBe('skipped');
    expect(phaseStatus(events, 'final_stack')).toBe('skipped');
    expect(existsSync(join(dir, 'metrics', 'clustering.json'))).toBe(false);
    const s = await summary(dir);
    expect(s.mode).toBe('reduced');
    expect(s.n_usable).toBeGreaterThanOrEqual(50);
    expect(s.n_usable).toBeLessThan(200);
  }, 150_000);
});

describe('220 frames (N >= 200)', () => {
  it('run in full mode: clustering, synthetic frames per cluster and the final stack', async () => {
    const lights = await synthSet({ ...TINY_SET, frames: 220 });
    const dir = join(root, 'full');
    // defaults, plus the synthetic frames written out (an output only: the stack is the same)
    const config = await writeConfig(root, 'output:\n  write_synthetic: true\n');
    const r = await runCli(['run', lights, '--out', dir, '--config', config]);
    expect([0, 3], r.stderr).toContain(r.code);
    const facts = await checkEventLog(dir, { complete: true });
    expect(facts.runFinished[0]).toMatchObject({ emergency: false, exit_code: r.code });
    const events = await readEvents(dir);
    expect(events.filter((e) => e.type === 'plan' && e.mode !== null).map((e) => e.mode)).toEqual(['full']);
    expect(phaseStatus(events, 'clustering')).toBe('ok');
    expect(phaseStatus(events, 'final_stack')).toBe('ok');
    const clustering = JSON.parse(await readFile(join(dir, 'metrics', 'clustering.json'), 'utf8')) as { K: number; labels: number[]; eligible: number[] };
    const s = await summary(dir);
    expect(s.mode).toBe('full');
    expect(s.n_usable).toBeGreaterThanOrEqual(200);
    // K = min(N, clip(floor(N/10), 5, 30)) with the default cluster_count_range
    expect(clustering.K).toBe(Math.min(s.n_usable, Math.max(5, Math.min(30, Math.floor(s.n_usable / 10)))));
    expect(clustering.labels).toHaveLength(s.n_usable);
    expect(clustering.eligible.length).toBeGreaterThan(0);
    const finalStack = events.find((e) => e.type === 'phase_finished' && e.phase === 'final_stack') as { summary?: { clusters?: number } } | undefined;
    expect(finalStack?.summary?.clusters).toBe(clustering.eligible.length);

    // output.write_synthetic: one finished synthetic frame per eligible cluster, on the result's scale
    const synthetic = (await readdir(join(dir, 'result', 'synthetic'))).sort();
    expect(synthetic).toEqual(clustering.eligible.map((id) => `synthetic_${id}.fits`).sort());
    const stack = (await readFitsImage(nodeFileSystem, join(dir, 'result', 'stack.fits'))).image;
    const sky = median(stack.data);
    for (const name of synthetic) {
      const img = (await readFitsImage(nodeFileSystem, join(dir, 'result', 'synthetic', name))).image;
      expect([img.width, img.height, img.planes]).toEqual([stack.width, stack.height, stack.planes]);
      expect(Math.abs(median(img.data) / sky - 1), name).toBeLessThan(0.02);
    }
  }, 150_000);
});
