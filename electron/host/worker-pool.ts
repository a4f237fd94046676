/**
 * The worker pool: runs a phase's units in worker processes under memory permits.
 *
 * Process model: the pool owns up to `ceiling` worker processes (spawned lazily, reused across
 * units and phases). Each unit first takes a permit from the PermitSemaphore (which re-checks
 * available memory), then goes to an idle worker, or, when every worker is busy, waits queued in
 * one of them (at most QUEUED_PER_WORKER): a worker runs its units one at a time and starts the
 * queued one as soon as it has answered, instead of idling until the host has taken the answer in
 * (the host's overlap-add of a P9 tile kept the workers waiting ~0.7 s each on the bench's M set).
 * A queued unit's permit is taken when it is sent, so its memory is checked while the worker still
 * holds the running one's: where memory is short, nothing is queued. A worker that dies takes its
 * units with it: they are retried (bounded, with backoff); after an out-of-memory death the
 * ceiling is lowered by one for the rest of the run instead of failing it. Units write their own
 * outputs to the run directory, so retries and any completion order give the same result.
 */
import type { ExecuteOptions, ExecutorStats, TaskExecutor, TaskFailure, TaskUnit } from '../../shared/pipeline/tasks/executor';
import { TaskError } from '../../shared/pipeline/tasks/executor';
import { PermitSemaphore } from '../../shared/resources/permit-semaphore';
import { CancelledError } from '../../shared/util/cancel';
import type { WorkerHandle, WorkerLauncher } from './worker-launcher';
import type { WorkerExit, WorkerToHost } from './worker-messages';

export interface WorkerPoolOptions {
  readonly ceiling: number;
  readonly reserveMb: number;
  readonly gamma: number;
  readonly overheadMb: number;
  readonly availableMb: () => number | null | Promise<number | null>;
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  /** V8 flags of the workers this pool starts (workerV8Flags). */
  readonly workerV8Flags?: readonly string[];
  /** Environment added for the workers this pool starts (workerEnv). */
  readonly workerEnv?: Readonly<Record<string, string>>;
  /** Informs the host (events, logs) of a lowered ceiling or a retried unit. */
  readonly onNotice?: (notice: { code: 'WORKER_OOM' | 'WORKER_CRASHED' | 'TASK_RETRY'; message: string; unit?: number }) => void;
}

type Reply = WorkerToHost | { type: 'exit'; exit: WorkerExit; running: boolean };

interface PoolWorker {
  readonly handle: WorkerHandle;
  maxRssMb: number;
  /** maxRssMb kept after the process ended (for metrics/memory.json). */
  peakMb: number;
  /** Its units by task id, in the order sent: the first one runs, the others wait in the worker. */
  readonly pending: Map<number, (m: Reply) => void>;
  dead: boolean;
}

/** Units a busy worker may hold queued behind the one it runs. */
const QUEUED_PER_WORKER = 1;
/** Times a unit is sent again because its worker died before starting it, beyond its attempts. */
const MAX_LOST = 8;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class WorkerPool implements TaskExecutor {
  private readonly workers: PoolWorker[] = [];
  private readonly semaphore: PermitSemaphore;
  private maxWorkers: number;
  private nextId = 1;
  private deadMaxRssMb = 0;

  constructor(
    private readonly launcher: WorkerLauncher,
    private readonly opts: WorkerPoolOptions,
  ) {
    this.maxWorkers = Math.max(1, opts.ceiling);
    // permits count units sent (running or queued)
    this.semaphore = new PermitSemaphore({ ceiling: this.maxWorkers * (1 + QUEUED_PER_WORKER), reserveMb: opts.reserveMb, availableMb: opts.availableMb, sleep });
  }

  stats(): ExecutorStats {
    const live = this.workers.filter((w) => !w.dead);
    return {
      workersLimit: this.maxWorkers,
      workersActive: live.filter((w) => w.pending.size > 0).length,
      workersMaxRssMb: this.deadMaxRssMb + live.reduce((s, w) => s + w.maxRssMb, 0),
      workers: this.workers.map((w) => ({ pid: w.handle.pid ?? null, maxRssMb: w.dead ? w.peakMb : w.maxRssMb })),
    };
  }

  get throttledAcquires(): number {
    return this.semaphore.throttled;
  }

  async execute<P, R>(kind: string, units: readonly TaskUnit<P>[], opts: ExecuteOptions<R>): Promise<void> {
    const maxAttempts = this.opts.maxAttempts ?? 3;
    let failure: Error | null = null;
    const running = new Set<Promise<void>>();
    const onAbort = () => this.killAll();
    const signal = opts.signal as AbortSignal | undefined;
    signal?.addEventListener?.('abort', onAbort, { once: true });
    try {
      for (const unit of units) {
        if (failure !== null || opts.signal?.aborted) break;
        const need = this.opts.gamma * unit.sizeMb + this.opts.overheadMb;
        const permit = await this.semaphore.acquire(need, opts.signal);
        const p = (async () => {
          try {
            const result = await this.runWithRetries<R>(kind, unit, maxAttempts, opts);
            // the worker is free once its answer is in: the next unit starts while the host
            // records this one (state.json, events), instead of the worker waiting for that
            permit.release();
            await opts.onDone(unit.index, result);
          } catch (err) {
            failure ??= err as Error;
          } finally {
            permit.release();
          }
        })();
        running.add(p);
        void p.finally(() => running.delete(p));
      }
      await Promise.all(running);
    } finally {
      signal?.removeEventListener?.('abort', onAbort);
    }
    if (opts.signal?.aborted) throw new CancelledError();
    if (failure !== null) throw failure;
  }

  private async runWithRetries<R>(kind: string, unit: TaskUnit<unknown>, maxAttempts: number, opts: ExecuteOptions<R>): Promise<R> {
    let lost = 0;
    for (let attempt = 1; ; attempt++) {
      if (opts.signal?.aborted) throw new CancelledError();
      const outcome = await this.runOnce(kind, unit);
      if (outcome.ok) return outcome.result as R;
      const { failure } = outcome;
      if (failure.code === 'CANCELLED' || opts.signal?.aborted) throw new CancelledError();
      // queued in a worker that died running another unit: not this unit's attempt (bounded all the same)
      if (failure.code === 'WORKER_LOST' && ++lost <= MAX_LOST) {
        attempt--;
        continue;
      }
      if (!failure.transient || attempt >= maxAttempts) {
        const code = failure.code === 'WORKER_OOM' ? 'OUT_OF_MEMORY' : failure.code;
        throw new TaskError(code, `${kind} unit ${unit.index}: ${failure.message}${attempt > 1 ? ` (after ${attempt} attempts)` : ''}`);
      }
      this.opts.onNotice?.({ code: 'TASK_RETRY', unit: unit.index, message: `${kind} unit ${unit.index} failed (${failure.message}); retry ${attempt + 1} of ${maxAttempts}` });
      await sleep((this.opts.backoffBaseMs ?? 200) * 2 ** (attempt - 1));
    }
  }

  private async runOnce(kind: string, unit: TaskUnit<unknown>): Promise<{ ok: true; result: unknown } | { ok: false; failure: TaskFailure }> {
    const worker = this.pickWorker();
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => worker.pending.set(id, resolve));
    worker.handle.send({ type: 'task', id, kind, payload: unit.payload });
    const m = await reply;
    worker.pending.delete(id);
    switch (m.type) {
      case 'result':
        worker.maxRssMb = Math.max(worker.maxRssMb, m.maxRssMb);
        return { ok: true, result: m.result };
      case 'failed':
        worker.maxRssMb = Math.max(worker.maxRssMb, m.maxRssMb);
        return { ok: false, failure: m.failure };
      case 'exit': {
        const { exit } = m;
        if (exit.reason === 'killed') return { ok: false, failure: { code: 'CANCELLED', message: 'worker stopped', transient: false } };
        // a unit that was only queued in the dead worker did not cause its death: sent again, quietly
        if (!m.running) return { ok: false, failure: { code: 'WORKER_LOST', message: 'its worker ended before starting it', transient: true } };
        if (exit.reason === 'oom') {
          const c = this.lowerCeiling();
          this.opts.onNotice?.({ code: 'WORKER_OOM', unit: unit.index, message: `a worker ran out of memory on ${kind} unit ${unit.index}; using at most ${c} worker${c === 1 ? '' : 's'} from now on` });
          return { ok: false, failure: { code: 'WORKER_OOM', message: 'the worker ran out of memory', transient: true } };
        }
        this.opts.onNotice?.({ code: 'WORKER_CRASHED', unit: unit.index, message: `a worker crashed on ${kind} unit ${unit.index} (exit ${exit.code ?? exit.signal}): ${exit.stderrTail.trim().split('\n').pop() ?? ''}` });
        return { ok: false, failure: { code: 'WORKER_CRASHED', message: `the worker process crashed (exit ${exit.code ?? exit.signal})`, transient: true } };
      }
      case 'ready':
        throw new Error('unexpected ready message');
    }
  }

  /** One worker fewer from now on (out of memory); the new limit. */
  private lowerCeiling(): number {
    this.maxWorkers = Math.max(1, this.maxWorkers - 1);
    this.semaphore.setCeiling(this.maxWorkers * (1 + QUEUED_PER_WORKER));
    return this.maxWorkers;
  }

  /**
   * An idle worker; else a new one while fewer than the ceiling live; else the live worker with the
   * fewest units that can queue one more (the permits guarantee there is one).
   */
  private pickWorker(): PoolWorker {
    const live = this.workers.filter((w) => !w.dead);
    const idle = live.find((w) => w.pending.size === 0);
    if (idle) return idle;
    if (live.length < this.maxWorkers) return this.spawn();
    const least = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    if (least.pending.size > QUEUED_PER_WORKER) throw new Error(`worker pool: no worker can take another unit (${live.length} busy)`);
    return least;
  }

  private spawn(): PoolWorker {
    const handle = this.launcher.launch({ v8Flags: this.opts.workerV8Flags ?? [], env: this.opts.workerEnv ?? {} });
    const w: PoolWorker = { handle, maxRssMb: 0, peakMb: 0, pending: new Map(), dead: false };
    handle.onMessage((m) => {
      if (m.type === 'ready') return;
      w.pending.get(m.id)?.(m);
    });
    void handle.exited.then((exit) => {
      w.dead = true;
      this.deadMaxRssMb += w.maxRssMb;
      w.peakMb = w.maxRssMb;
      w.maxRssMb = 0;
      // the worker runs its units in the order sent: the first was running, the rest were queued
      let first = true;
      for (const resolve of [...w.pending.values()]) {
        resolve({ type: 'exit', exit, running: first });
        first = false;
      }
    });
    this.workers.push(w);
    return w;
  }

  private killAll(): void {
    for (const w of this.workers) if (!w.dead) w.handle.kill();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.filter((w) => !w.dead).map((w) => w.handle.stop(1000)));
  }
}
