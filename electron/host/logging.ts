/**
 * Logging for every Node-side process: the host (Electron main or `serve`), the CLI and each worker.
 * electron-log's Node entry writes size-rotated files; rotation keeps `archives` older files
 * (`app.1.log` newest … `app.N.log` oldest) instead of electron-log's single `.old` file.
 *
 * Where lines go (METHOD.md section 5):
 *   RUN_DIR/logs/app.log        the host's lines about that run (from its events and notices)
 *   RUN_DIR/logs/worker-<n>.log each worker's lines (task started/finished/failed)
 *   <app log folder>/host.log   everything the host logs, all runs (cli.log for the CLI)
 * Every line carries its run id and, where they apply, phase and frame (or tile):
 *   [2025-01-01 22:00:05.123] [info] [run 20250101T220000Z-a1b2c3] [measure] [frame 12] …
 * The Logs view reads the run's files through logs:list / logs:read.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync, renameSync, rmSync } from 'node:fs';
import electronLog from 'electron-log/node';
import { parseEvent, type RunEvent } from '../../shared/contract/events';
import type { EventLog } from '../../shared/pipeline/run/event-log';
import { NodeWorkerLauncher, defaultWorkerScript, type LaunchOptions, type WorkerHandle, type WorkerLauncher } from './worker-launcher';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogContext {
  readonly runId?: string;
  readonly phase?: string;
  readonly frame?: number;
  readonly tile?: number;
}

export interface Logger {
  log(level: LogLevel, message: string, ctx?: LogContext): void;
  error(message: string, ctx?: LogContext): void;
  warn(message: string, ctx?: LogContext): void;
  info(message: string, ctx?: LogContext): void;
  debug(message: string, ctx?: LogContext): void;
  /** The same sinks with `ctx` bound (fields given per call win). */
  child(ctx: LogContext): Logger;
  /** The same context writing to these sinks as well. */
  tee(other: Logger): Logger;
}

export interface LogFileOptions {
  /** Absolute path of the live file, e.g. RUN_DIR/logs/app.log. */
  readonly file: string;
  /** Rotate once the file is larger than this (default 5 MB). */
  readonly maxSizeBytes?: number;
  /** Rotated files kept besides the live one (default 3). */
  readonly archives?: number;
  /** Lowest level written (default debug). */
  readonly level?: LogLevel;
}

export const ENV_WORKER_ID = 'TILE_COMPILE_WORKER_ID';
export const ENV_RUN_ID = 'TILE_COMPILE_RUN_ID';
export const ENV_LOG_DIR = 'TILE_COMPILE_LOG_DIR';

const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const LINE_FORMAT = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';

type Sink = (level: LogLevel, text: string) => void;
type ElectronLogger = ReturnType<typeof electronLog.create>;

/** One electron-log instance per file path, so two loggers of one file share its size count. */
const instances = new Map<string, ElectronLogger>();
let nextId = 0;

/** The archived names of `file`: app.log -> app.1.log … app.<n>.log. */
export function archiveNames(file: string, archives: number): string[] {
  const p = path.parse(file);
  return Array.from({ length: archives }, (_, i) => path.join(p.dir, `${p.name}.${i + 1}${p.ext}`));
}

/** Shifts app.log -> app.1.log -> app.2.log …, dropping the oldest beyond `archives`. */
export function rotateLogFile(file: string, archives: number): void {
  const names = archiveNames(file, archives);
  if (names.length === 0) {
    rmSync(file, { force: true });
    return;
  }
  rmSync(names[names.length - 1], { force: true });
  for (let i = names.length - 1; i > 0; i--) {
    if (existsSync(names[i - 1])) renameSync(names[i - 1], names[i]);
  }
  renameSync(file, names[0]);
}

function fileSink(opts: LogFileOptions): Sink {
  const file = path.resolve(opts.file);
  let inst = instances.get(file);
  if (inst === undefined) {
    inst = electronLog.create({ logId: `tile-compile-${process.pid}-${nextId++}` });
    const t = inst.transports;
    t.console.level = false;
    // Never let a log line travel over a worker's IPC channel or the network.
    if (t.ipc) t.ipc.level = false;
    if (t.remote) t.remote.level = false;
    t.file.setAppName('tile-compile');
    t.file.resolvePathFn = () => file;
    t.file.format = LINE_FORMAT;
    t.file.sync = true;
    instances.set(file, inst);
  }
  const archives = Math.max(0, Math.floor(opts.archives ?? 3));
  inst.transports.file.maxSize = opts.maxSizeBytes ?? DEFAULT_MAX_BYTES;
  inst.transports.file.level = opts.level ?? 'debug';
  inst.transports.file.archiveLogFn = (f) => {
    try {
      rotateLogFile(f.toString(), archives);
    } catch {
      // A file we cannot rename (Windows virus scanner, read-only folder) is cropped instead of lost.
      (f as unknown as { crop(bytesAfter: number): void }).crop(256 * 1024);
    }
  };
  const target = inst;
  return (level, text) => target[level](text);
}

/** `[run <id>] [<phase>] [frame <n>] ` — the parts that apply, in this order. */
export function formatContext(ctx: LogContext): string {
  const parts: string[] = [];
  if (ctx.runId) parts.push(`[run ${ctx.runId}]`);
  if (ctx.phase) parts.push(`[${ctx.phase}]`);
  if (ctx.frame !== undefined) parts.push(`[frame ${ctx.frame}]`);
  if (ctx.tile !== undefined) parts.push(`[tile ${ctx.tile}]`);
  return parts.length > 0 ? `${parts.join(' ')} ` : '';
}

const sinksOf = new WeakMap<Logger, readonly Sink[]>();

/** Context fields given per call win over bound ones; an absent (undefined) field never erases one. */
function mergeContext(a: LogContext, b: LogContext | undefined): LogContext {
  const out: Record<string, unknown> = { ...a };
  if (b) for (const [k, v] of Object.entries(b)) if (v !== undefined) out[k] = v;
  return out as LogContext;
}

function makeLogger(sinks: readonly Sink[], bound: LogContext): Logger {
  const log = (level: LogLevel, message: string, ctx?: LogContext) => {
    const text = formatContext(mergeContext(bound, ctx)) + message;
    for (const s of sinks) {
      try {
        s(level, text);
      } catch {
        // Logging never stops a run: a full disk shows up in the run's own errors.
      }
    }
  };
  const self: Logger = {
    log,
    error: (m, c) => log('error', m, c),
    warn: (m, c) => log('warn', m, c),
    info: (m, c) => log('info', m, c),
    debug: (m, c) => log('debug', m, c),
    child: (ctx) => makeLogger(sinks, mergeContext(bound, ctx)),
    tee: (other) => makeLogger([...sinks, ...(sinksOf.get(other) ?? [])], bound),
  };
  sinksOf.set(self, sinks);
  return self;
}

/** A logger writing to one or more rotating files. */
export function createFileLogger(files: readonly LogFileOptions[], ctx: LogContext = {}): Logger {
  return makeLogger(files.map(fileSink), ctx);
}

/** A logger that writes nowhere (tests, or a host started without a log folder). */
export const nullLogger: Logger = makeLogger([], {});

/**
 * The app's own log folder: $TILE_COMPILE_LOG_DIR, else ~/TileCompile/logs (Electron passes its
 * own). `TILE_COMPILE_LOG_DIR=off` turns the app-wide log off (the run folder keeps its logs).
 */
export function defaultAppLogDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env[ENV_LOG_DIR];
  if (dir === 'off') return null;
  return dir || path.join(os.homedir(), 'TileCompile', 'logs');
}

/** The app-wide log of a process (`host.log`, `cli.log`) in `dir`; the null logger without a folder. */
export function createAppLogger(dir: string | null, name: string): Logger {
  return dir === null ? nullLogger : createFileLogger([{ file: path.join(dir, name), archives: 5 }]);
}

export function runLogDir(runDir: string): string {
  return path.join(runDir, 'logs');
}

/** The host's log of one run: RUN_DIR/logs/app.log, plus the app-wide log if given. */
export function createRunLogger(runDir: string, runId: string, appLog: Logger | null, maxSizeBytes?: number): Logger {
  const own = createFileLogger([{ file: path.join(runLogDir(runDir), 'app.log'), maxSizeBytes, archives: 3 }], { runId });
  return appLog ? own.tee(appLog) : own;
}

/** Task kinds (shared/pipeline/tasks) and the pipeline phase each runs in. */
const TASK_PHASE: Record<string, string> = { measure: 'measure', register: 'registration', prepare: 'prepare', tile: 'tile_reconstruction' };

export function phaseOfTask(kind: string): string {
  return TASK_PHASE[kind] ?? kind;
}

/**
 * How a worker names a task in its log: the run folder, the line context (phase, and the frame or
 * tile) and a label. A P6 unit carries a group of frames: logged under its first, named in full
 * ("prepare frames 4, 5, 6, 7"); "measure frame 3"; "tile 17" (not "tile tile 17").
 */
export function describeTask(kind: string, payload: unknown): { runDir: string | null; ctx: { phase: string; frame?: number; tile?: number }; what: string } {
  const p = (payload ?? {}) as { runDir?: unknown; frame?: unknown; frames?: unknown; tile?: unknown };
  const group = Array.isArray(p.frames) ? p.frames.map((x) => (x as { frame?: unknown } | null)?.frame).filter((f): f is number => typeof f === 'number') : [];
  const frame = typeof p.frame === 'number' ? p.frame : group.length > 0 ? group[0] : null;
  const tile = typeof p.tile === 'number' ? p.tile : null;
  const what =
    group.length > 1 ? `${kind} frames ${group.join(', ')}` : frame !== null ? `${kind} frame ${frame}` : tile !== null ? (kind === 'tile' ? `tile ${tile}` : `${kind} tile ${tile}`) : `${kind} unit`;
  const ctx = { phase: phaseOfTask(kind), ...(frame !== null ? { frame } : {}), ...(tile !== null ? { tile } : {}) };
  return { runDir: typeof p.runDir === 'string' ? p.runDir : null, ctx, what };
}

/** A worker's log of one run: RUN_DIR/logs/worker-<n>.log (n from the launcher, else the pid). */
export function createWorkerLogger(runDir: string, env: NodeJS.ProcessEnv = process.env, maxSizeBytes = 2 * 1024 * 1024): Logger {
  const id = env[ENV_WORKER_ID] || String(process.pid);
  const runId = env[ENV_RUN_ID] || path.basename(runDir);
  return createFileLogger([{ file: path.join(runLogDir(runDir), `worker-${id}.log`), maxSizeBytes, archives: 3 }], { runId });
}

/**
 * A worker launcher that tells each worker its log identity: a number counting from 1 per run
 * (a worker that replaces a crashed one gets the next number) and the run id once known.
 */
export class LoggingWorkerLauncher implements WorkerLauncher {
  private launched = 0;

  constructor(
    private readonly runId: () => string | null,
    private readonly script: string = defaultWorkerScript(),
    private readonly execArgv: readonly string[] = [],
    /** How a worker process is started: child_process.fork (default) or Electron's utilityProcess. */
    private readonly spawn: (script: string, env: NodeJS.ProcessEnv, v8Flags: readonly string[]) => WorkerHandle = (script, env, v8Flags) =>
      new NodeWorkerLauncher(script, execArgv, env).launch({ v8Flags }),
  ) {}

  launch(options: LaunchOptions = {}): WorkerHandle {
    this.launched++;
    const env: NodeJS.ProcessEnv = { ...options.env, ...process.env, [ENV_WORKER_ID]: String(this.launched) };
    const runId = this.runId();
    if (runId !== null) env[ENV_RUN_ID] = runId;
    else delete env[ENV_RUN_ID];
    return this.spawn(this.script, env, options.v8Flags ?? []);
  }
}

/** One log line per run event worth reading later; progress ticks are left to events.jsonl. */
export function eventLogLine(e: RunEvent): { level: LogLevel; message: string; ctx: LogContext } | null {
  const num = (v: unknown, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '?');
  // Metrics with 4 significant digits; a metric that was not measured is left out, not shown as '?'.
  const metric = (name: string, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? ` ${name} ${Number(v.toPrecision(4))}` : '');
  const units = (n: number, unit: string) => `${n} ${n === 1 && unit.endsWith('s') ? unit.slice(0, -1) : unit}`;
  switch (e.type) {
    case 'run_started':
      return { level: 'info', message: `run started: ${e.frames_found} frames in ${e.input_dir} (engine ${e.app_version}, profile ${e.profile})`, ctx: { phase: 'scan' } };
    case 'plan':
      return {
        level: 'info',
        message: `plan: mode ${e.mode ?? 'decided after registration'}, ${e.n_usable} usable frames, ${e.workers} workers, ${num(e.memory.per_task_mb, 0)} MB per task${e.memory.expected_peak_mb !== undefined ? `, ~${num(e.memory.expected_peak_mb, 0)} MB expected peak` : ''}, disk needs ${num(e.disk.need_mb, 0)} MB (${e.disk.free_mb === null ? 'free space unknown' : `${num(e.disk.free_mb, 0)} MB free`})${e.tiles ? `, ${e.tiles} tiles` : ''}`,
        ctx: {},
      };
    case 'phase_started':
      return { level: 'info', message: `started: ${units(e.total, e.unit)}`, ctx: { phase: e.phase } };
    case 'phase_finished':
      return {
        level: e.status === 'failed' ? 'error' : 'info',
        message: `${e.status} in ${num(e.seconds)} s${e.summary !== undefined ? ` ${JSON.stringify(e.summary)}` : ''}`,
        ctx: { phase: e.phase },
      };
    case 'progress':
      return null;
    case 'frame_done': {
      const m = e.metrics;
      const details = m ? `${metric('background', m.B)}${metric('noise', m.sigma)}${metric('fwhm', m.fwhm)}${metric('stars', m.stars)}` : '';
      const reg = e.reg ? ` ${e.reg.method}${metric('dx', e.reg.dx)}${metric('dy', e.reg.dy)}${metric('ncc', e.reg.ncc)}` : '';
      return {
        level: e.status === 'ok' ? 'info' : 'warn',
        message: `${e.file}: ${e.status}${e.reason ? ` (${e.reason})` : ''}${details}${reg}`,
        ctx: { phase: e.phase, frame: e.frame },
      };
    }
    case 'tile_done':
      // one line per tile was thousands of synchronous log writes on 24 MP frames (the host's
      // time during P9); every tile is in events.jsonl, the log keeps the ones that fell back
      return e.fallback_used ? { level: 'info', message: `${e.n_frames} frames, equal-weight fallback`, ctx: { phase: e.phase, tile: e.tile } } : null;
    case 'warning':
    case 'error':
      return {
        level: e.type === 'error' ? 'error' : 'warn',
        message: `${e.code}: ${e.file ? `${e.file}: ` : ''}${e.message}${e.type === 'error' && typeof e.cause === 'string' ? `\n${e.cause}` : ''}`,
        ctx: { phase: e.phase, frame: e.frame, tile: e.tile },
      };
    case 'artifact':
      return { level: 'info', message: `wrote ${e.path}`, ctx: {} };
    case 'resources':
      return {
        level: 'debug',
        message: `workers ${e.workers_active}/${e.workers_limit}, memory ${num(e.rss_mb, 0)} MB used, ${e.available_mb === null ? 'available unknown' : `${num(e.available_mb, 0)} MB available`}`,
        ctx: {},
      };
    case 'run_finished':
      return {
        level: e.status === 'failed' ? 'error' : e.status === 'ok' ? 'info' : 'warn',
        message: `run finished: ${e.status}${e.emergency ? ' (emergency mode)' : ''} in ${num(e.seconds)} s, exit code ${e.exit_code}`,
        ctx: {},
      };
  }
}

/**
 * Logs a pipeline run's events into RUN_DIR/logs/app.log (and `appLog`): call it from the
 * PipelineHost's onEventLog. Events outside the UI contract are left to events.jsonl.
 */
export function attachRunLogging(log: EventLog, runDir: string, appLog: Logger | null, maxSizeBytes?: number): Logger {
  const logger = createRunLogger(runDir, log.runId, appLog, maxSizeBytes);
  log.on((raw) => {
    // As written to events.jsonl (NaN -> null), so the log shows every event the file has.
    const parsed = parseEvent(JSON.parse(JSON.stringify(raw)) as unknown);
    if (parsed.kind === 'event') logRunEvent(logger, parsed.event);
  });
  return logger;
}

/** Writes the log line of an event (if it has one) to `logger`. */
export function logRunEvent(logger: Logger, e: RunEvent): void {
  const line = eventLogLine(e);
  if (line) logger.log(line.level, line.message, line.ctx);
}
