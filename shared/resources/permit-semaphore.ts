import { type CancelSignal, throwIfCancelled } from '../util/cancel';

/**
 * Memory-aware permits (METHOD.md section 6, "Dynamic semaphore"). A task starts if nothing runs
 * (progress guarantee: the semaphore can never deadlock) or if running < ceiling and
 * available − reserve ≥ γ·size + overhead. Available memory is re-read on every acquire and every
 * `pollMs` while waiting. An out-of-memory crash lowers the ceiling by one for the rest of the run.
 * Task boundaries never depend on concurrency, so the results cannot change.
 */
export interface PermitOptions {
  readonly ceiling: number;
  readonly reserveMb: number;
  /** Available memory now, MB (min of OS available and cgroup headroom); null = unknown (no throttling). */
  readonly availableMb: () => number | null | Promise<number | null>;
  readonly pollMs?: number;
  /** The host's timer (shared/ has no setTimeout of its own). */
  readonly sleep: (ms: number) => Promise<void>;
}

export interface Permit {
  release(): void;
}

export class PermitSemaphore {
  private running = 0;
  private ceilingValue: number;
  private readonly waiters: Array<() => void> = [];
  /** Number of acquires that had to wait for memory (reported as throttling). */
  throttled = 0;

  constructor(private readonly opts: PermitOptions) {
    this.ceilingValue = Math.max(1, opts.ceiling);
  }

  get ceiling(): number {
    return this.ceilingValue;
  }

  get active(): number {
    return this.running;
  }

  lowerCeiling(): number {
    return this.setCeiling(this.ceilingValue - 1);
  }

  /** Sets the ceiling (at least 1) for the permits taken from now on; running ones keep theirs. */
  setCeiling(ceiling: number): number {
    this.ceilingValue = Math.max(1, ceiling);
    return this.ceilingValue;
  }

  async acquire(needMb: number, signal?: CancelSignal): Promise<Permit> {
    const sleep = this.opts.sleep;
    let waited = false;
    for (;;) {
      throwIfCancelled(signal);
      if (this.running === 0) break;
      if (this.running < this.ceilingValue) {
        const avail = await this.opts.availableMb();
        if (avail === null || avail - this.opts.reserveMb >= needMb) {
          if (this.running < this.ceilingValue) break;
          continue;
        }
        waited = true;
        // memory is short: wait for a release or the next poll, whichever is first
        await Promise.race([this.nextRelease(), sleep(this.opts.pollMs ?? 250)]);
        continue;
      }
      await this.nextRelease();
    }
    if (waited) this.throttled++;
    this.running++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        const w = this.waiters.splice(0);
        for (const fn of w) fn();
      },
    };
  }

  private nextRelease(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
