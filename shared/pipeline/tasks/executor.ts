import type { CancelSignal } from '../../util/cancel';

/**
 * How a phase runs its units (frames in P2/P4/P6, tiles in P9). The orchestrator does not know
 * whether units run in-process, in worker processes or on RabbitMQ workers: every unit reads its
 * inputs from the run directory and writes its outputs there, and only small JSON crosses over.
 */
export interface TaskUnit<P> {
  /** Unit index within the phase (frame ordinal or tile id). */
  readonly index: number;
  readonly payload: P;
  /** Working-set size of the unit in MB (for the memory permit). */
  readonly sizeMb: number;
  /** What the unit counts for in the phase's progress (frames of a P6 group); default 1. */
  readonly count?: number;
}

export interface ExecuteOptions<R> {
  readonly signal?: CancelSignal;
  /** Called once per finished unit, in completion order (results are order-independent by design). */
  readonly onDone: (index: number, result: R) => void | Promise<void>;
}

export interface ExecutorStats {
  readonly workersLimit: number;
  readonly workersActive: number;
  /** Sum over worker processes of their max RSS, MB (an upper bound of their joint peak). */
  readonly workersMaxRssMb: number;
  /** Every worker process started so far (live or ended) with the max RSS it reported, MB. */
  readonly workers?: ReadonlyArray<{ readonly pid: number | null; readonly maxRssMb: number }>;
}

export interface TaskExecutor {
  execute<P, R>(kind: string, units: readonly TaskUnit<P>[], opts: ExecuteOptions<R>): Promise<void>;
  stats(): ExecutorStats;
  close(): Promise<void>;
}

/** A failure a task reports; `transient` failures (I/O, ENOSPC, timeouts) are retried. */
export interface TaskFailure {
  readonly code: string;
  readonly message: string;
  readonly transient: boolean;
  readonly cause?: string;
}

export class TaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}
