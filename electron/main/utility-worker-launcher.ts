import { app, utilityProcess, type UtilityProcess } from 'electron';
import path from 'node:path';
import { stopWithGrace, type LaunchOptions, type WorkerHandle, type WorkerLauncher } from '../host/worker-launcher';
import type { HostToWorker, WorkerExit, WorkerExitReason, WorkerToHost } from '../host/worker-messages';

/**
 * The Electron implementation of WorkerLauncher: the same dist/workers/worker-main.js in a
 * utilityProcess (a Node environment without Electron's renderer machinery, as VS Code runs its
 * extension host). The worker talks over process.parentPort; the exit reason comes from Electron's
 * 'child-process-gone' event, which says 'oom' when the OS or V8 ran out of memory.
 * Tested only by type-checking and bundling here (no Electron binary on the development machines);
 * the Node launcher (electron/host/worker-launcher.ts) runs the identical worker code in the tests.
 */
let counter = 0;

export class UtilityWorkerLauncher implements WorkerLauncher {
  constructor(private readonly script = path.join(__dirname, '..', 'workers', 'worker-main.js')) {}

  launch(options: LaunchOptions = {}): WorkerHandle {
    return spawnUtilityWorker(this.script, { ...options.env, ...process.env }, options.v8Flags);
  }
}

/** One worker in a utilityProcess with the given environment (used by the logging launcher). */
export function spawnUtilityWorker(script: string, env: NodeJS.ProcessEnv, v8Flags: readonly string[] = []): WorkerHandle {
  const serviceName = `tile-compile-worker-${++counter}`;
  const child = utilityProcess.fork(script, [], { serviceName, stdio: 'pipe', env, execArgv: [...v8Flags] });
  return new UtilityWorkerHandle(child, serviceName);
}

class UtilityWorkerHandle implements WorkerHandle {
  private stderr = '';
  private killedByUs = false;
  private goneReason: string | null = null;
  readonly exited: Promise<WorkerExit>;

  constructor(
    private readonly child: UtilityProcess,
    serviceName: string,
  ) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000);
    });
    const onGone = (_e: unknown, details: { type: string; reason: string; serviceName?: string; name?: string }) => {
      if (details.type === 'Utility' && (details.serviceName === serviceName || details.name === serviceName)) this.goneReason = details.reason;
    };
    app.on('child-process-gone', onGone);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        // 'child-process-gone' may arrive just after 'exit': give it one turn of the event loop
        setImmediate(() => {
          app.off('child-process-gone', onGone);
          resolve({ reason: this.classify(code), code, signal: null, stderrTail: this.stderr.split('\n').slice(-8).join('\n') });
        });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: HostToWorker): void {
    this.child.postMessage(message);
  }

  onMessage(listener: (message: WorkerToHost) => void): void {
    this.child.on('message', (m: unknown) => listener(m as WorkerToHost));
  }

  stop(graceMs = 1000): Promise<WorkerExit> {
    return stopWithGrace(this, graceMs);
  }

  kill(): void {
    this.killedByUs = true;
    this.child.kill();
  }

  private classify(code: number): WorkerExitReason {
    if (this.killedByUs) return 'killed';
    if (this.goneReason === 'oom' || this.goneReason === 'memory-eviction') return 'oom';
    if (/heap out of memory|Array buffer allocation failed/i.test(this.stderr)) return 'oom';
    if (code === 0) return 'exited';
    return 'crashed';
  }
}
