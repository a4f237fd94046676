/**
 * RunManager: the RunService of a host (Electron main or `tile-compile serve`). One run = one run
 * directory `outDir/<run_id>` (run_id = UTC timestamp + 6 hex, METHOD.md section 5); the run
 * directory is the source of truth, this class only holds what a live process needs: the abort
 * controller of the run that executes here, its logger and the event subscribers.
 *
 * One run executes at a time per host: the worker count is planned from the RAM of the whole
 * machine (METHOD.md section 6), so two concurrent runs would each plan for memory the other uses.
 * A second start is refused with a message saying so.
 *
 * `start` resolves once the run directory exists (P0 scan done, events.jsonl open), so a bad input
 * folder or configuration is an error of the request, not a failed run; everything after that is
 * reported through events. `cancel` aborts; the pipeline stops its workers and leaves a resumable
 * state (run_finished status `cancelled`).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { RunService } from '../../shared/contract/api';
import { parseEvent, type RunEvent } from '../../shared/contract/events';
import { runPipeline, type PipelineHost, type RunOutcome, type RunRequest } from '../../shared/pipeline/run/run-pipeline';
import { makeRunId } from '../../shared/pipeline/run/run-paths';
import { createRunLogger, logRunEvent, LoggingWorkerLauncher, type Logger } from './logging';
import { nodeFileSystem } from './node-file-system';
import { createPipelineHost } from './pipeline-host';
import type { WorkerHandle, WorkerLauncher } from './worker-launcher';

export interface RunManagerOptions {
  /** Worker processes per run (default: from the memory model). */
  readonly workers?: number;
  /** Run every unit in the host process (tests, debugging). */
  readonly inProcess?: boolean;
  /** The worker entry point (Electron main passes the one next to its bundle). */
  readonly workerScript?: string;
  /** Replaces the worker launcher entirely (tests); log identities are then the launcher's business. */
  readonly launcher?: WorkerLauncher;
  /** Starts one worker process with the given environment (Electron: a utilityProcess); default child_process.fork. */
  readonly spawnWorker?: (script: string, env: NodeJS.ProcessEnv, v8Flags: readonly string[]) => WorkerHandle;
  /** The host-wide log (app log folder); every run's lines are written there too. */
  readonly appLog?: Logger | null;
  /** Size at which RUN_DIR/logs/app.log rotates (default 5 MB). */
  readonly logMaxSizeBytes?: number;
  /** How long `cancel` waits for the run to stop before answering (default 10 s). */
  readonly cancelWaitMs?: number;
  readonly now?: () => Date;
  readonly randomHex?: () => string;
}

/** A refusal of the request (not a failed run); `code` maps onto the contract's error codes. */
export class RunRequestError extends Error {
  constructor(
    readonly code: 'UNAVAILABLE' | 'NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'RunRequestError';
  }
}

interface ActiveRun {
  readonly runDir: string;
  readonly controller: AbortController;
  readonly finished: Promise<RunOutcome | null>;
}

type Listener = (runDir: string, event: RunEvent) => void;

/** An event as events.jsonl stores it (JSON round trip). */
export function asWritten(event: unknown): unknown {
  return JSON.parse(JSON.stringify(event)) as unknown;
}

export class RunManager implements RunService {
  private readonly active = new Map<string, ActiveRun>();
  private readonly listeners = new Set<Listener>();
  private readonly outcomes = new Map<string, RunOutcome | null>();

  constructor(private readonly opts: RunManagerOptions = {}) {}

  async start(plan: { inputDir: string; configText: string; outDir: string }): Promise<{ runId: string; runDir: string }> {
    this.refuseWhileBusy();
    const outDir = path.resolve(plan.outDir);
    const now = this.opts.now ?? (() => new Date());
    const hex = this.opts.randomHex ?? (() => randomBytes(3).toString('hex'));
    // A name clash needs the same second and the same 24 random bits; try a few before giving up.
    for (let attempt = 0; attempt < 5; attempt++) {
      const startedAt = now();
      const suffix = hex().slice(0, 6);
      const runId = makeRunId(startedAt, suffix);
      const runDir = path.join(outDir, runId);
      if (await nodeFileSystem.exists(runDir)) continue;
      return this.launch({ inputDir: path.resolve(plan.inputDir), runDir, configText: plan.configText }, { at: startedAt, hex: suffix });
    }
    throw new RunRequestError('UNAVAILABLE', `could not find a free run folder name in ${outDir}`);
  }

  async resume(runDir: string): Promise<{ runId: string; runDir: string }> {
    const dir = path.resolve(runDir);
    if (this.active.has(dir)) throw new RunRequestError('UNAVAILABLE', `${dir} is already running`);
    this.refuseWhileBusy();
    return this.launch({ inputDir: '', runDir: dir, configText: '', resume: true }, null);
  }

  async cancel(runDir: string): Promise<boolean> {
    const run = this.active.get(path.resolve(runDir));
    if (!run) return false;
    run.controller.abort();
    const waitMs = this.opts.cancelWaitMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([run.finished, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    return true;
  }

  isActive(runDir: string): boolean {
    return this.active.has(path.resolve(runDir));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Resolves with the run's outcome once it has ended in this host (null: it never started). */
  async whenFinished(runDir: string): Promise<RunOutcome | null> {
    const dir = path.resolve(runDir);
    const run = this.active.get(dir);
    if (run) return run.finished;
    return this.outcomes.get(dir) ?? null;
  }

  /** Cancels every active run and waits for each to stop (host shutdown). */
  async shutdown(): Promise<void> {
    const runs = [...this.active.values()];
    for (const r of runs) r.controller.abort();
    await Promise.all(runs.map((r) => r.finished));
  }

  private refuseWhileBusy(): void {
    const busy = [...this.active.keys()];
    if (busy.length > 0) {
      throw new RunRequestError('UNAVAILABLE', `a run is already in progress (${path.basename(busy[0])}); cancel it or wait until it has finished`);
    }
  }

  private launch(req: RunRequest, pin: { at: Date; hex: string } | null): Promise<{ runId: string; runDir: string }> {
    const runDir = req.runDir;
    const controller = new AbortController();
    const appLog = this.opts.appLog ?? null;
    let runId: string | null = null;
    let logger: Logger | null = null;
    let eventLogOpen = false;
    const base = createPipelineHost({
      workers: this.opts.workers,
      inProcess: this.opts.inProcess,
      launcher: this.opts.inProcess ? undefined : (this.opts.launcher ?? new LoggingWorkerLauncher(() => runId, this.opts.workerScript, [], this.opts.spawnWorker)),
      log: (level, message) => (logger ?? appLog)?.log(level, message),
      onNotice: (message) => (logger ?? appLog)?.warn(message),
    });

    return new Promise((resolve, reject) => {
      const host: PipelineHost = {
        ...base,
        // The pipeline names a new run from the host clock and random hex before it opens the
        // event log; pinning those first readings makes the run id the run folder's name.
        now: () => (pin !== null && !eventLogOpen ? pin.at : base.now()),
        randomHex: () => (pin !== null && !eventLogOpen ? pin.hex : base.randomHex()),
        onEventLog: (log) => {
          eventLogOpen = true;
          runId = log.runId;
          const runLog = createRunLogger(runDir, log.runId, appLog, this.opts.logMaxSizeBytes);
          logger = runLog;
          if (pin !== null && path.basename(runDir) !== log.runId) runLog.warn(`the run folder ${path.basename(runDir)} is not named after its run id`);
          log.on((raw) => {
            // Exactly what events.jsonl holds: JSON turns NaN/Infinity into null, and the live
            // stream must not drop an event the file keeps (a registration NaN did that).
            const parsed = parseEvent(asWritten(raw));
            if (parsed.kind !== 'event') {
              runLog.debug(`event #${raw.seq} (${raw.type}) is not in the UI contract; only events.jsonl has it`);
              return;
            }
            logRunEvent(runLog, parsed.event);
            for (const l of this.listeners) {
              try {
                l(runDir, parsed.event);
              } catch {
                // A subscriber that throws (a closed window) never stops the run or the others.
              }
            }
          });
          resolve({ runId: log.runId, runDir });
        },
      };
      const finished = runPipeline(req, host, controller.signal).then(
        (outcome) => {
          this.outcomes.set(runDir, outcome);
          return outcome;
        },
        (err: unknown) => {
          const e = err as Error & { code?: string };
          if (!eventLogOpen) {
            reject(err);
          } else {
            // Thrown after the run existed (e.g. the executor could not start): the run folder
            // stays resumable; say why in its log since no run_finished event was written.
            (logger ?? appLog)?.error(`the run stopped unexpectedly: ${e.code ? `[${e.code}] ` : ''}${e.stack ?? e.message}`);
          }
          this.outcomes.set(runDir, null);
          return null;
        },
      );
      const entry: ActiveRun = { runDir, controller, finished: finished.finally(() => this.active.delete(runDir)) };
      this.active.set(runDir, entry);
    });
  }
}
