import type { RunEvent } from '../../../shared/contract/events';

/**
 * Progress is batched (STYLE.md 6): workers may finish hundreds of frames a minute. Events are
 * held for `intervalMs`; within a batch a newer `progress` or `resources` event of the same run
 * (and phase) replaces the older one. Everything else is delivered, in order. The run directory's
 * events.jsonl keeps every event; this only thins the live stream.
 */
export class EventCoalescer {
  private queue: Array<{ runDir: string; event: RunEvent; key: string | null }> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deliver: (batch: Array<{ runDir: string; event: RunEvent }>) => void,
    private readonly intervalMs = 100,
  ) {}

  push(runDir: string, event: RunEvent): void {
    const key =
      event.type === 'progress' ? `${runDir}\0progress\0${event.phase}` : event.type === 'resources' ? `${runDir}\0resources` : null;
    if (key !== null) {
      const i = this.queue.findIndex((q) => q.key === key);
      if (i >= 0) this.queue.splice(i, 1);
    }
    this.queue.push({ runDir, event, key });
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue.map(({ runDir, event }) => ({ runDir, event }));
    this.queue = [];
    if (batch.length > 0) this.deliver(batch);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }
}
