import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { SMALL_FRAME_MB } from '../../shared/resources/memory-model';
import type { HostToWorker, WorkerExit, WorkerExitReason, WorkerToHost } from './worker-messages';

/**
 * One interface over the two ways to run a worker: Electron's utilityProcess (in the app) and
 * Node's child_process.fork (CLI, browser host, tests). Both run dist/workers/worker-main.js.
 */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: HostToWorker): void;
  onMessage(listener: (message: WorkerToHost) => void): void;
  /** Resolves once, when the process has ended, with a typed reason. */
  readonly exited: Promise<WorkerExit>;
  /** Asks the worker to stop; kills it if it has not ended after `graceMs`. */
  stop(graceMs?: number): Promise<WorkerExit>;
  kill(): void;
}

/** Asks a worker to shut down and kills it if it has not ended after `graceMs` (both launchers). */
export async function stopWithGrace(handle: Pick<WorkerHandle, 'send' | 'kill' | 'exited'>, graceMs: number): Promise<WorkerExit> {
  handle.send({ type: 'shutdown' });
  const timer = setTimeout(() => handle.kill(), graceMs);
  const exit = await handle.exited;
  clearTimeout(timer);
  return exit;
}

export interface WorkerLauncher {
  launch(options?: LaunchOptions): WorkerHandle;
}

export function defaultWorkerScript(): string {
  // dist/cli/tile-compile.js and dist/workers/worker-main.js are siblings under dist/
  // ESM bundles (CLI, host) know their URL; the CommonJS Electron main bundle has __dirname
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../workers/worker-main.js'), path.resolve(here, '../../dist/workers/worker-main.js')];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`worker entry point not found (looked in ${candidates.join(', ')}); run 'npm run build' first`);
}

/** How to start a worker: extra V8 flags and environment, chosen per run (workerV8Flags, workerEnv). */
export interface LaunchOptions {
  readonly v8Flags?: readonly string[];
  /** Variables added to the worker's environment; the host's own environment takes precedence. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * V8 flags of the workers of a run whose decoded frame is `workingSetMb`. A worker's JS heap stays
 * small (~15-30 MB live) while each task allocates its frame buffers outside it, and V8 sizes the
 * old generation from the live heap: on small frames it ran a full mark-compact every ~200 ms
 * (~180 in a 24-frame M run, ~10% of the CPU). Starting the old generation at 128 MB leaves ~15,
 * and the worker collects its heap between tasks once it holds more than 40 MB (worker-main.ts
 * trimHeap, --expose-gc). It costs up to ~8 frames of peak per worker (workerHeapReserveMb in
 * shared/resources/memory-model.ts, which the plan counts), so large frames (where those
 * collections are a small share of the work and the peak is what counts: L <= 2 GiB) keep V8's
 * defaults.
 */
export function workerV8Flags(workingSetMb: number): string[] {
  return workingSetMb <= SMALL_FRAME_MB ? ['--initial-old-space-size=128', '--expose-gc'] : [];
}

/**
 * Environment of the workers of a run whose decoded frame is `workingSetMb`: on small frames,
 * glibc's malloc (Linux; other C libraries ignore the variables) serves blocks below 32 MB from its
 * heap and gives free memory back to the OS only above 64 MB, instead of mapping each frame-sized
 * buffer anew and returning it on free. Every task allocates its proxy-, mask- and frame-sized
 * arrays afresh, and each new mapping was zero pages the kernel faulted in one by one: paired runs
 * of the bench's M set, 4 of 4 faster (measure phase 10.4 -> 8.8 s, minor faults 344k -> 225k, the
 * tree's summed peak the same, 871 vs 852 MB). Large frames keep the defaults: their buffers are
 * mapped as before and the peak, which is what counts there (L <= 2 GiB), does not move.
 * A variable the user set wins.
 */
export function workerEnv(workingSetMb: number): Record<string, string> {
  return workingSetMb <= SMALL_FRAME_MB ? { MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(64 * 1024 * 1024) } : {};
}

export class NodeWorkerLauncher implements WorkerLauncher {
  constructor(
    private readonly script: string = defaultWorkerScript(),
    private readonly execArgv: readonly string[] = [],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  launch(options: LaunchOptions = {}): WorkerHandle {
    const env = { ...options.env, ...this.env };
    const child = fork(this.script, [], { execArgv: [...this.execArgv, ...(options.v8Flags ?? [])], env, stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
    return new NodeWorkerHandle(child);
  }
}

class NodeWorkerHandle implements WorkerHandle {
  private stderr = '';
  private killedByUs = false;
  readonly exited: Promise<WorkerExit>;

  constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
      process.stderr.write(chunk);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        resolve({ reason: this.classify(code, signal), code, signal, stderrTail: this.stderr.split('\n').slice(-8).join('\n') });
      });
      child.once('error', () => {
        /* 'exit' follows or the spawn failed; exit handles both */
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HostToWorker): void {
    if (this.child.connected) this.child.send(message);
  }

  onMessage(listener: (message: WorkerToHost) => void): void {
    this.child.on('message', (m) => listener(m as WorkerToHost));
  }

  stop(graceMs = 1000): Promise<WorkerExit> {
    return stopWithGrace(this, graceMs);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.killedByUs = true;
      this.child.kill('SIGKILL');
    }
  }

  private classify(code: number | null, signal: NodeJS.Signals | null): WorkerExitReason {
    if (this.killedByUs) return 'killed';
    // V8 heap exhaustion prints this and aborts; a SIGKILL we did not send is the kernel's OOM killer
    if (/heap out of memory|Array buffer allocation failed|ERR_MEMORY_ALLOCATION_FAILED/i.test(this.stderr)) return 'oom';
    if (signal === 'SIGKILL') return 'oom';
    if (code === 0 && signal === null) return 'exited';
    return 'crashed';
  }
}
