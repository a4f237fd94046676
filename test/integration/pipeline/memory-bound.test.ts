/**
 * Guards METHOD.md section 6 and acceptance 18 (issue 5): a run of 300 small frames with one
 * worker and a fixed memory budget (runtime.memory_limit_mb) stays inside that budget. Every
 * process's peak RSS is read back by the process itself (process.resourceUsage().maxRSS, in the
 * CLI and in each worker) and reported in metrics/memory.json, "plan vs measured".
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig, type CliResult } from '../../fixtures/pipeline-sets';

// a budget (0.75 × 560 MB = 420) that holds the host and one worker as the plan sizes them (~370 MB), not much more
const MEMORY_LIMIT_MB = 560;

interface MemoryJson {
  plan: { ram_mb: number; budget_mb: number; workers: number; per_worker_mb: number; base_mb: number; expected_peak_mb: number };
  measured: { host_max_rss_mb: number; workers: Array<{ pid: number | null; max_rss_mb: number }>; workers_max_rss_mb: number; tree_peak_bound_mb: number };
}

let dir: string;
let result: CliResult;
let memory: MemoryJson;

beforeAll(async () => {
  await ensureBuilt();
  const lights = await synthSet({ ...TINY_SET, frames: 300 });
  const root = await makeTempDir('memory');
  const config = await writeConfig(root, `runtime:\n  memory_limit_mb: ${MEMORY_LIMIT_MB}\n`);
  dir = join(root, 'run');
  result = await runCli(['run', lights, '--out', dir, '--config', config, '--workers', '1']);
  memory = JSON.parse(await readFile(join(dir, 'metrics', 'memory.json'), 'utf8')) as MemoryJson;
}, 170_000);

afterAll(removeTempDirs);

describe('a 300-frame run with one worker and memory_limit_mb 560', () => {
  it('finishes in full mode', async () => {
    expect([0, 3], result.stderr).toContain(result.code);
    const summary = JSON.parse(await readFile(join(dir, 'metrics', 'summary.json'), 'utf8')) as { mode: string };
    expect(summary.mode).toBe('full');
  });

  it('plans one worker inside the budget η·memory_limit_mb', () => {
    expect(memory.plan.ram_mb).toBe(MEMORY_LIMIT_MB);
    expect(memory.plan.budget_mb).toBeCloseTo(0.75 * MEMORY_LIMIT_MB, 5);
    expect(memory.plan.workers).toBe(1);
    expect(memory.plan.expected_peak_mb).toBeLessThanOrEqual(memory.plan.budget_mb);
  });

  it('used one worker process for all 300 frames and read back the peak RSS of every process', () => {
    expect(memory.measured.workers).toHaveLength(1);
    expect(memory.measured.workers[0].pid).toBeGreaterThan(0);
    // a Node process with the engine loaded is never below ~30 MB: these are real readings
    expect(memory.measured.workers[0].max_rss_mb).toBeGreaterThan(30);
    expect(memory.measured.host_max_rss_mb).toBeGreaterThan(30);
    expect(memory.measured.tree_peak_bound_mb).toBeCloseTo(memory.measured.host_max_rss_mb + memory.measured.workers[0].max_rss_mb, 0);
  });

  it('kept every process within its share of the budget, and the whole tree within the budget', () => {
    const { plan, measured } = memory;
    // the host may use what the plan does not give the workers; a worker what it does not give the host
    expect(measured.host_max_rss_mb).toBeLessThanOrEqual(plan.budget_mb - plan.workers * plan.per_worker_mb);
    for (const w of measured.workers) expect(w.max_rss_mb, `worker ${w.pid}`).toBeLessThanOrEqual(plan.budget_mb - plan.base_mb);
    // the sum of the peaks bounds the tree's joint peak from above
    expect(measured.tree_peak_bound_mb).toBeLessThanOrEqual(plan.budget_mb);
    // acceptance 18: the process tree's peak stays within the plan + 10 %
    expect(measured.tree_peak_bound_mb).toBeLessThanOrEqual(1.1 * plan.expected_peak_mb);
  });

  it('told the user the expected peak before the first phase, as the plan computed it', () => {
    const m = /Resources: 1 worker\(s\), memory ~(\d+) MB at peak \(~\d+ MB per task\) of (\d+) MB budget/.exec(result.stdout);
    expect(m, result.stdout.slice(0, 400)).not.toBeNull();
    expect(Math.abs(Number(m?.[1]) - memory.plan.expected_peak_mb)).toBeLessThanOrEqual(1);
    expect(Number(m?.[2])).toBe(Math.round(memory.plan.budget_mb));
    expect(result.stdout.indexOf('Resources:')).toBeLessThan(result.stdout.indexOf('▶ '));
  });

  it('reported the same bound in its periodic resources events', async () => {
    const resources = (await readEvents(dir)).filter((e) => e.type === 'resources');
    expect(resources.length).toBeGreaterThan(0);
    for (const e of resources) {
      expect(e.workers_active).toBeLessThanOrEqual(1);
      expect(Number(e.rss_mb)).toBeLessThanOrEqual(memory.plan.budget_mb);
    }
  });
});

describe('a run in which not even one worker fits the memory limit', () => {
  it('does not start: it says what one worker needs and what is available, and builds no work store', async () => {
    const lights = await synthSet({ ...TINY_SET, frames: 8 });
    const root = await makeTempDir('memory-refused');
    // η·200 MB = 150 MB: less than the host and one worker as planned (~370 MB)
    const config = await writeConfig(root, 'runtime:\n  memory_limit_mb: 200\n  allow_emergency_mode: true\n');
    const runDir = join(root, 'run');
    const r = await runCli(['run', lights, '--out', runDir, '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OUT_OF_MEMORY_PLAN.*needs \d+ MB for one worker, 150 MB available.*raise runtime\.memory_limit_mb/);
    const events = await readEvents(runDir);
    expect(events.some((e) => e.type === 'phase_started')).toBe(false);
    expect(events.find((e) => e.type === 'run_finished')?.status).toBe('failed');
    await expect(readFile(join(runDir, 'work', 'cells.f32'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
