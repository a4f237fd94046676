/**
 * shared/ has no DOM or Node globals. A real AbortSignal satisfies this structurally; hosts pass theirs.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

export class CancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor(message = 'the run was cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
