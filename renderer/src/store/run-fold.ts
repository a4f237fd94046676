import type { RunEvent, RunEventOf } from '../../../shared/contract/events';
import { PHASES } from '../../../shared/contract/events';

/**
 * The Run, Quality and Result views are a fold over run events (DESIGN.md 2): the same function
 * folds a live stream and a reopened run's events.jsonl, so both look the same. Pure, no I/O.
 */
export type FrameCellState = 'pending' | 'ok' | 'warning' | 'excluded';
export type PhaseStatus = 'pending' | 'running' | 'ok' | 'skipped' | 'failed';
export type RunStatus = 'idle' | 'running' | 'ok' | 'validation_failed' | 'failed' | 'cancelled';

export type FrameMetrics = NonNullable<RunEventOf<'frame_done'>['metrics']>;
export type FrameReg = NonNullable<RunEventOf<'frame_done'>['reg']>;

export interface FrameState {
  readonly index: number;
  readonly file: string;
  readonly status: Exclude<FrameCellState, 'pending'>;
  /** The last phase that reported this frame. */
  readonly phase: string;
  readonly reason: string | null;
  /** Merged over phases: later phases add to (never erase) earlier metrics. */
  readonly metrics: FrameMetrics;
  readonly reg: FrameReg | null;
}

export interface PhaseState {
  readonly name: string;
  readonly status: PhaseStatus;
  readonly total: number;
  readonly done: number;
  readonly unit: string;
  readonly seconds: number | null;
  readonly startedTs: string | null;
  readonly etaS: number | null;
  readonly summary: unknown;
}

export interface Problem {
  readonly level: 'warning' | 'error';
  readonly code: string;
  readonly message: string;
  readonly phase: string | null;
  readonly frame: number | null;
  readonly file: string | null;
  readonly tile: number | null;
  readonly fatal: boolean;
  readonly ts: string;
}

export interface Artifact {
  readonly kind: string;
  readonly path: string;
  readonly mime: string;
  /** QA maps: values at the ends of the colour ramp. */
  readonly min?: number | null;
  readonly max?: number | null;
}

export interface RunState {
  readonly runId: string | null;
  readonly status: RunStatus;
  readonly startedTs: string | null;
  readonly lastTs: string | null;
  readonly appVersion: string | null;
  readonly inputDir: string | null;
  readonly framesFound: number | null;
  readonly configHash: string | null;
  readonly profile: string | null;
  readonly plan: Omit<RunEventOf<'plan'>, 'v' | 'seq' | 'ts' | 'run_id' | 'type'> | null;
  readonly phases: Readonly<Record<string, PhaseState>>;
  readonly currentPhase: string | null;
  readonly frames: Readonly<Record<number, FrameState>>;
  readonly tilesDone: number;
  readonly tilesTotal: number;
  readonly tileFallbacks: number;
  readonly problems: readonly Problem[];
  readonly artifacts: readonly Artifact[];
  readonly resources: Omit<RunEventOf<'resources'>, 'v' | 'seq' | 'run_id' | 'type'> | null;
  readonly finished: Omit<RunEventOf<'run_finished'>, 'v' | 'seq' | 'run_id' | 'type'> | null;
  readonly lastSeq: number;
  readonly eventCount: number;
}

export const emptyRun: RunState = {
  runId: null,
  status: 'idle',
  startedTs: null,
  lastTs: null,
  appVersion: null,
  inputDir: null,
  framesFound: null,
  configHash: null,
  profile: null,
  plan: null,
  phases: {},
  currentPhase: null,
  frames: {},
  tilesDone: 0,
  tilesTotal: 0,
  tileFallbacks: 0,
  problems: [],
  artifacts: [],
  resources: null,
  finished: null,
  lastSeq: 0,
  eventCount: 0,
};

/** The core phases every run walks through (P0..P13); optional P14 phases appear when reported. */
export const CORE_PHASES = PHASES.slice(0, PHASES.indexOf('validation') + 1);

function phase(s: RunState, name: string): PhaseState {
  return (
    s.phases[name] ?? {
      name,
      status: 'pending',
      total: 0,
      done: 0,
      unit: 'steps',
      seconds: null,
      startedTs: null,
      etaS: null,
      summary: null,
    }
  );
}

function withPhase(s: RunState, name: string, patch: Partial<PhaseState>): RunState {
  return { ...s, phases: { ...s.phases, [name]: { ...phase(s, name), ...patch } } };
}

const strip = <T extends { v: 1; seq: number; run_id: string; type: string }>(e: T) => {
  const { v: _v, seq: _s, run_id: _r, type: _t, ...rest } = e;
  return rest;
};

export function foldEvent(state: RunState, e: RunEvent): RunState {
  // Live pushes and a re-read of events.jsonl overlap: each seq counts once.
  if (e.seq <= state.lastSeq && state.runId === e.run_id) return state;
  let s: RunState = { ...state, lastSeq: e.seq, lastTs: e.ts, eventCount: state.eventCount + 1 };
  switch (e.type) {
    case 'run_started':
      // A resume appends to the same log: what the first attempt finished stays shown (resumed
      // units report no frame_done again); only the outcome is open again.
      if (state.runId === e.run_id) return { ...s, status: 'running', finished: null, startedTs: state.startedTs ?? e.ts };
      return {
        ...emptyRun,
        // P0 happens before the event log exists: a started run has scanned its input.
        phases: { scan: { ...phase(emptyRun, 'scan'), status: 'ok', total: e.frames_found, done: e.frames_found, unit: 'frames' } },
        runId: e.run_id,
        status: 'running',
        startedTs: e.ts,
        lastTs: e.ts,
        appVersion: e.app_version,
        inputDir: e.input_dir,
        framesFound: e.frames_found,
        configHash: e.config_hash,
        profile: e.profile,
        lastSeq: e.seq,
        eventCount: state.eventCount + 1,
      };
    case 'plan': {
      const { ts: _ts, ...plan } = strip(e);
      return { ...s, plan, tilesTotal: e.tiles ?? s.tilesTotal };
    }
    case 'phase_started':
      s = withPhase(s, e.phase, { status: 'running', total: e.total, done: 0, unit: e.unit, startedTs: e.ts, etaS: null });
      if (e.phase === 'tile_reconstruction') s = { ...s, tilesDone: 0, tilesTotal: e.total, tileFallbacks: 0 };
      return { ...s, runId: s.runId ?? e.run_id, status: s.status === 'idle' ? 'running' : s.status, currentPhase: e.phase };
    case 'phase_finished': {
      const p = phase(s, e.phase);
      s = withPhase(s, e.phase, {
        status: e.status,
        seconds: e.seconds,
        summary: e.summary ?? null,
        done: e.status === 'ok' ? Math.max(p.done, p.total) : p.done,
        etaS: 0,
      });
      return s.currentPhase === e.phase ? { ...s, currentPhase: null } : s;
    }
    case 'progress': {
      const p = phase(s, e.phase);
      // done never runs backwards (METHOD.md 8.20); a late coalesced update must not undo a newer one.
      return withPhase(s, e.phase, {
        status: p.status === 'pending' ? 'running' : p.status,
        done: Math.max(p.done, e.done),
        total: e.total,
        unit: e.unit,
        etaS: e.eta_s ?? null,
      });
    }
    case 'frame_done': {
      const prev = s.frames[e.frame];
      // Once excluded, a frame stays excluded; later phases cannot revive it.
      const status = prev?.status === 'excluded' ? 'excluded' : e.status;
      const frame: FrameState = {
        index: e.frame,
        file: e.file,
        status,
        phase: e.phase,
        reason: e.reason ?? (status === prev?.status ? (prev?.reason ?? null) : null),
        metrics: { ...(prev?.metrics ?? {}), ...(e.metrics ?? {}) },
        reg: e.reg ?? prev?.reg ?? null,
      };
      return { ...s, frames: { ...s.frames, [e.frame]: frame } };
    }
    case 'tile_done':
      return { ...s, tilesDone: s.tilesDone + 1, tileFallbacks: s.tileFallbacks + (e.fallback_used ? 1 : 0) };
    case 'warning':
    case 'error': {
      const problem: Problem = {
        level: e.type,
        code: e.code,
        message: e.message,
        phase: e.phase ?? null,
        frame: e.frame ?? null,
        file: e.file ?? null,
        tile: e.tile ?? null,
        fatal: e.type === 'error' ? e.fatal : false,
        ts: e.ts,
      };
      return { ...s, problems: [...s.problems, problem] };
    }
    case 'artifact': {
      const others = s.artifacts.filter((a) => a.path !== e.path);
      const range = e.min !== undefined || e.max !== undefined ? { min: e.min ?? null, max: e.max ?? null } : {};
      return { ...s, artifacts: [...others, { kind: e.kind, path: e.path, mime: e.mime, ...range }] };
    }
    case 'resources': {
      const { ...r } = strip(e);
      return { ...s, resources: r };
    }
    case 'run_finished': {
      const { ...f } = strip(e);
      return { ...s, status: e.status, finished: f, currentPhase: null };
    }
  }
}

export function foldEvents(events: readonly RunEvent[], from: RunState = emptyRun): RunState {
  let s = from;
  for (const e of events) s = foldEvent(s, e);
  return s;
}

/** Phases in display order: the core list, then any optional phase the run reported. */
export function phaseList(s: RunState): PhaseState[] {
  const names: string[] = [...CORE_PHASES];
  for (const name of Object.keys(s.phases)) if (!names.includes(name)) names.push(name);
  return names.map((n) => phase(s, n));
}

/** Overall fraction done in [0, 1]: finished/skipped phases count whole, the running one by its units. */
export function overallProgress(s: RunState): number {
  if (s.status === 'ok' || s.status === 'validation_failed') return 1;
  const list = phaseList(s);
  let sum = 0;
  for (const p of list) {
    if (p.status === 'ok' || p.status === 'skipped') sum += 1;
    else if (p.status === 'running' && p.total > 0) sum += Math.min(1, p.done / p.total);
  }
  return list.length === 0 ? 0 : sum / list.length;
}

/** Seconds left: the running phase's own ETA when given, else extrapolated from elapsed time. */
export function etaSeconds(s: RunState): number | null {
  if (s.status !== 'running' || s.startedTs === null || s.lastTs === null) return null;
  const fraction = overallProgress(s);
  const elapsed = (Date.parse(s.lastTs) - Date.parse(s.startedTs)) / 1000;
  if (!(fraction > 0.02) || !(elapsed > 0)) return null;
  return Math.max(0, elapsed / fraction - elapsed);
}

/** The display state of a frame cell in the per-frame grid for the phase being shown. */
export function frameCell(s: RunState, index: number): FrameCellState {
  const f = s.frames[index];
  if (f === undefined) return 'pending';
  if (f.status === 'excluded' || f.status === 'warning') return f.status;
  const running = s.currentPhase !== null ? s.phases[s.currentPhase] : undefined;
  // A per-frame phase refills the grid: frames it has not reached yet show as pending again.
  if (running && running.unit === 'frames' && f.phase !== running.name) return 'pending';
  return 'ok';
}

export function frameIndices(s: RunState): number[] {
  const n = Math.max(s.framesFound ?? 0, ...Object.keys(s.frames).map((k) => Number(k) + 1));
  return Array.from({ length: n }, (_, i) => i);
}
