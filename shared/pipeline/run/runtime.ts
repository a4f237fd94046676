import type { FileSystem } from '../../io/file-system';
import type { CancelSignal } from '../../util/cancel';
import { CancelledError } from '../../util/cancel';
import type { TaskExecutor, TaskUnit } from '../tasks/executor';
import type { EventLog } from './event-log';
import type { RunContext } from './run-context';
import type { RunState } from './run-state';

/** PNG encoding lives in the host (sharp); shared/ only describes the pixels. */
export interface PngRequest {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** 8-bit (Uint8Array) or 16-bit (Uint16Array) samples, row-major, interleaved. */
  readonly data: Uint8Array | Uint16Array;
}

export interface RunHost {
  readonly fs: FileSystem;
  readonly executor: TaskExecutor;
  readonly now: () => Date;
  readonly randomHex: () => string;
  readonly encodePng: (req: PngRequest) => Promise<Uint8Array>;
  /** RSS of this process and available memory, MB (for `resources` events); maxRssMb = this process's peak so far. */
  readonly memory: () => Promise<{ rssMb: number; availableMb: number | null; maxRssMb?: number }>;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /**
   * Resolves once the event loop has handled what is waiting (Node: setImmediate), so long master
   * work done in steps lets the workers' messages in between; absent = no yielding.
   */
  readonly yieldToEvents?: () => Promise<void>;
  /**
   * An id of the computer's current boot (changes with every restart); absent or null = unknown.
   * Work written without waiting for the device survives a killed process, not a restart: a
   * resume trusts such work only under the same boot (store-durability.ts).
   */
  readonly bootId?: () => Promise<string | null>;
}

export interface Runtime {
  readonly host: RunHost;
  readonly ctx: RunContext;
  readonly events: EventLog;
  readonly state: RunState;
  readonly signal?: CancelSignal;
}

export type UnitName = 'frames' | 'tiles' | 'clusters' | 'bands' | 'steps';

export interface UnitHooks<R> {
  /** Re-reads the result of a unit finished before a resume; throws when its output is gone. */
  readonly load: (index: number) => Promise<R>;
  /** Called for every result, in index order of completion; may emit per-unit events. */
  readonly onResult: (index: number, result: R, resumed: boolean) => void | Promise<void>;
}

/**
 * The sequence driver (STYLE.md practice 11): a phase hands over its units and what to do with each
 * result; the driver owns resume (skips units whose done bit is set, re-reading their results),
 * progress events (coalesced to >= 100 ms) with ETA, cancellation and the done bits.
 */
export async function runUnits<P, R>(rt: Runtime, phase: string, kind: string, unit: UnitName, units: readonly TaskUnit<P>[], hooks: UnitHooks<R>): Promise<void> {
  await runUnitStages(rt, phase, kind, unit, [units], hooks);
}

/**
 * Like runUnits, for a phase whose units run in stages: every unit of a stage finishes before the
 * next stage starts (P6: the reference frame first, its background cells are every other frame's
 * target). One done bitset and one progress count (0..total, never decreasing) span all stages.
 * A set done bit whose output cannot be re-read (deleted by `tile-compile clean`, a lost work
 * folder) is cleared and the unit redone: a bit never vouches for an output that is not there.
 */
export async function runUnitStages<P, R>(
  rt: Runtime,
  phase: string,
  kind: string,
  unit: UnitName,
  stages: ReadonlyArray<readonly TaskUnit<P>[]>,
  hooks: UnitHooks<R>,
): Promise<void> {
  const all = stages.flat();
  const countOf = new Map(all.map((u) => [u.index, u.count ?? 1]));
  const total = all.reduce((a, u) => a + (u.count ?? 1), 0);
  rt.state.initUnits(phase, Math.max(1, ...all.map((u) => u.index + 1)));
  const pendingStages: TaskUnit<P>[][] = [];
  let done = 0;
  for (const stage of stages) {
    const pending: TaskUnit<P>[] = [];
    for (const u of stage) {
      let loaded: { result: R } | null = null;
      if (rt.state.isUnitDone(phase, u.index)) {
        try {
          loaded = { result: await hooks.load(u.index) };
        } catch {
          await rt.state.clearUnitDone(phase, u.index);
        }
      }
      if (loaded) {
        await hooks.onResult(u.index, loaded.result, true);
        done += u.count ?? 1;
      } else {
        pending.push(u);
      }
    }
    pendingStages.push(pending);
  }
  const started = Date.now();
  const doneAtStart = done;
  let lastProgress = 0;
  const progress = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastProgress < 100) return;
    lastProgress = now;
    const rate = (done - doneAtStart) / Math.max(1e-3, (now - started) / 1000);
    const eta = rate > 0 ? (total - done) / rate : undefined;
    rt.events.emit({ type: 'progress', phase, done, total, unit, ...(eta !== undefined && done < total ? { eta_s: Math.round(eta) } : {}) });
  };
  progress(true);
  for (const pending of pendingStages) {
    if (pending.length === 0) continue;
    await rt.host.executor.execute<P, R>(kind, pending, {
      signal: rt.signal,
      onDone: async (index, result) => {
        await rt.state.setUnitDone(phase, index);
        done += countOf.get(index) ?? 1;
        await hooks.onResult(index, result, false);
        progress(done === total);
      },
    });
    if (rt.signal?.aborted) throw new CancelledError();
  }
  if (done !== total) progress(true);
}

/** Runs a phase body between phase_started and phase_finished (cancelled before it starts if the run was). */
export async function runPhase<T>(
  rt: Runtime,
  phase: string,
  meta: { total: number; unit: UnitName },
  body: () => Promise<{ summary: Record<string, unknown>; status?: 'ok' | 'skipped'; result: T }>,
): Promise<T> {
  // master phases do not poll the signal themselves: a Ctrl+C is honoured at the next phase
  if (rt.signal?.aborted) throw new CancelledError();
  const t0 = Date.now();
  rt.events.emit({ type: 'phase_started', phase, total: meta.total, unit: meta.unit });
  await rt.state.setPhase(phase, { status: 'running', outputs: [] });
  try {
    const { summary, status = 'ok', result } = await body();
    const seconds = (Date.now() - t0) / 1000;
    await rt.state.setPhase(phase, { status, outputs: [], seconds });
    rt.events.emit({ type: 'phase_finished', phase, status, seconds, summary });
    return result;
  } catch (err) {
    const seconds = (Date.now() - t0) / 1000;
    await rt.state.setPhase(phase, { status: 'failed', outputs: [], seconds });
    rt.events.emit({ type: 'phase_finished', phase, status: 'failed', seconds, summary: { error: (err as Error).message } });
    throw err;
  }
}
