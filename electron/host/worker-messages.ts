import type { TaskFailure } from '../../shared/pipeline/tasks/executor';

/**
 * Messages between the host and a worker process: discriminated unions with exhaustive switches on
 * both sides. Payloads are small JSON (paths, indices, numbers); pixels never travel here.
 */
export type HostToWorker =
  | { readonly type: 'task'; readonly id: number; readonly kind: string; readonly payload: unknown }
  | { readonly type: 'shutdown' };

export type WorkerToHost =
  | { readonly type: 'ready'; readonly pid: number }
  | { readonly type: 'result'; readonly id: number; readonly result: unknown; readonly maxRssMb: number }
  | { readonly type: 'failed'; readonly id: number; readonly failure: TaskFailure; readonly maxRssMb: number };

/** Why a worker process ended (VS Code style closed union). */
export type WorkerExitReason = 'exited' | 'oom' | 'crashed' | 'killed';

export interface WorkerExit {
  readonly reason: WorkerExitReason;
  readonly code: number | null;
  readonly signal: string | null;
  /** The last lines the worker wrote to stderr (for the error message). */
  readonly stderrTail: string;
}
