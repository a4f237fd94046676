import type { FileSystem } from '../../io/file-system';
import type { CancelSignal } from '../../util/cancel';
import type { ScratchBuffers } from '../../util/scratch-buffers';

/**
 * Task handlers by kind. The worker process and the in-process executor both dispatch through this
 * table, so a unit computes the same bytes wherever it runs.
 */
export interface TaskEnv {
  readonly fs: FileSystem;
  readonly signal?: CancelSignal;
  /** Arrays reused from task to task by the process running them one at a time (util/scratch-buffers.ts). */
  readonly scratch?: ScratchBuffers;
}

export type TaskHandler = (env: TaskEnv, payload: unknown) => Promise<unknown>;

const handlers = new Map<string, TaskHandler>();

export function registerTaskHandler(kind: string, handler: TaskHandler): void {
  handlers.set(kind, handler);
}

export function taskHandler(kind: string): TaskHandler {
  const h = handlers.get(kind);
  if (!h) throw new Error(`no task handler for kind '${kind}'`);
  return h;
}
