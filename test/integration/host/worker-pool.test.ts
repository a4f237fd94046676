import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeWorkerLauncher } from '../../../electron/host/worker-launcher';
import { WorkerPool, type WorkerPoolOptions } from '../../../electron/host/worker-pool';
import type { TaskUnit } from '../../../shared/pipeline/tasks/executor';

// Real child processes running a real bundled worker entry: crashes, OOM and cancellation are real.
const dir = mkdtempSync(path.join(tmpdir(), 'tc-pool-'));
const script = path.join(dir, 'test-worker.mjs');

beforeAll(async () => {
  await build({
    entryPoints: [path.resolve(__dirname, '../../fixtures/test-worker.ts')],
    outfile: script,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // CommonJS dependencies inside an ESM bundle need a real require (as in build/scripts/build.js)
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const poolOptions: WorkerPoolOptions = { ceiling: 2, reserveMb: 0, gamma: 1, overheadMb: 0, availableMb: () => null, backoffBaseMs: 10 };
const units = <P>(payloads: P[]): TaskUnit<P>[] => payloads.map((payload, index) => ({ index, payload, sizeMb: 1 }));

describe('WorkerPool', () => {
  it('runs every unit once in real worker processes and reuses them', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script), poolOptions);
    const results = new Map<number, { echoed: number; pid: number }>();
    await pool.execute('test:echo', units([10, 11, 12, 13, 14, 15]), { onDone: (i, r: { echoed: number; pid: number }) => void results.set(i, r) });
    expect([...results.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.get(3)?.echoed).toBe(13);
    expect(new Set([...results.values()].map((r) => r.pid)).size).toBeLessThanOrEqual(2);
    expect(pool.stats().workersMaxRssMb).toBeGreaterThan(10);
    await pool.close();
  });

  it('starts its workers with the run\'s environment (workerEnv), the host\'s own variables winning', async () => {
    const hostEnv = { ...process.env, TC_TEST_SET_BY_USER: 'user' };
    const pool = new WorkerPool(new NodeWorkerLauncher(script, [], hostEnv), { ...poolOptions, ceiling: 1, workerEnv: { TC_TEST_FROM_RUN: 'run', TC_TEST_SET_BY_USER: 'run' } });
    let got: Record<string, string | null> = {};
    await pool.execute('test:env', units([['TC_TEST_FROM_RUN', 'TC_TEST_SET_BY_USER', 'PATH']]), { onDone: (_i, r: Record<string, string | null>) => void (got = r) });
    expect(got).toEqual({ TC_TEST_FROM_RUN: 'run', TC_TEST_SET_BY_USER: 'user', PATH: process.env.PATH ?? null });
    await pool.close();
  });

  it('retries the unit of a crashed worker and finishes the phase', async () => {
    const notices: string[] = [];
    const pool = new WorkerPool(new NodeWorkerLauncher(script), { ...poolOptions, onNotice: (n) => notices.push(n.code) });
    const done: number[] = [];
    await pool.execute('test:crash-once', units([{ marker: path.join(dir, 'crash-marker') }]), { onDone: (i) => void done.push(i) });
    expect(done).toEqual([0]);
    expect(notices).toContain('WORKER_CRASHED');
    await pool.close();
  });

  it('lowers the worker count after an out-of-memory death instead of failing the run', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script, ['--max-old-space-size=48']), { ...poolOptions, ceiling: 2 });
    const done: number[] = [];
    await pool.execute('test:oom-once', units([{ marker: path.join(dir, 'oom-marker') }]), { onDone: (i) => void done.push(i) });
    expect(done).toEqual([0]);
    expect(pool.stats().workersLimit).toBe(1);
    await pool.close();
  });

  it('gives up after max attempts with the task\'s code', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script), { ...poolOptions, maxAttempts: 2 });
    await expect(pool.execute('test:always-fails', units([0]), { onDone: () => {} })).rejects.toMatchObject({ code: 'EIO' });
    await pool.close();
  });

  it('honours cancellation within 2 s by killing busy workers', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script), poolOptions);
    const controller = new AbortController();
    const started = Date.now();
    const run = pool.execute('test:sleep', units([{ ms: 30_000 }, { ms: 30_000 }, { ms: 30_000 }]), { signal: controller.signal, onDone: () => {} });
    setTimeout(() => controller.abort(), 300);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(10_000); // bound for a loaded CI machine; the kill itself is immediate
    await pool.close();
  });

  it('queues the next unit in a busy worker, which starts it without waiting for the host to take in the answer', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script), { ...poolOptions, ceiling: 1 });
    const markers = [0, 1, 2].map((i) => path.join(dir, `start-${i}`));
    const seen: number[] = [];
    await pool.execute('test:mark-start', units(markers.map((marker) => ({ marker, ms: 20 }))), {
      // the host is busy (synchronously) until the next unit has started in the worker: without a
      // queued unit nothing could start it, and the wait would run out
      onDone: (i) => {
        seen.push(i);
        const next = markers[i + 1];
        if (!next) return;
        const until = Date.now() + 20_000;
        while (!existsSync(next) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        expect(existsSync(next)).toBe(true);
      },
    });
    expect(seen).toEqual([0, 1, 2]);
    await pool.close();
  });

  it('sends a queued unit again when its worker dies running another, without counting it as a failed attempt', async () => {
    const notices: string[] = [];
    const pool = new WorkerPool(new NodeWorkerLauncher(script), { ...poolOptions, ceiling: 1, onNotice: (n) => notices.push(n.code) });
    // one worker: unit 1 (whose marker exists: it does not crash) waits queued behind unit 0, which crashes the worker
    const survivor = path.join(dir, 'queued-survivor');
    writeFileSync(survivor, 'exists');
    const done: number[] = [];
    await pool.execute('test:crash-once', units([{ marker: path.join(dir, 'queued-crash') }, { marker: survivor }]), { onDone: (i) => void done.push(i) });
    expect(done.sort()).toEqual([0, 1]);
    // one crash and one retry, both unit 0's: unit 1 was sent again quietly
    expect(notices.filter((c) => c === 'WORKER_CRASHED')).toHaveLength(1);
    expect(notices.filter((c) => c === 'TASK_RETRY')).toHaveLength(1);
    await pool.close();
  });

  it('reports the max RSS of its workers', async () => {
    const pool = new WorkerPool(new NodeWorkerLauncher(script), { ...poolOptions, ceiling: 1 });
    await pool.execute('test:hold-mb', units([{ mb: 120 }]), { onDone: () => {} });
    expect(pool.stats().workersMaxRssMb).toBeGreaterThan(120);
    await pool.close();
  });
});
