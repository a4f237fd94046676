import type { FileSystem } from '../../io/file-system';

/**
 * Append-only events.jsonl (METHOD.md section 5): every line carries v, seq, ts, run_id, type.
 * `seq` continues across a resume (it is read back from the file). Listeners receive every event
 * (the CLI prints, the host forwards to the UI, which coalesces progress).
 */
export type RunEventBody = { type: string } & Record<string, unknown>;
export type RunEvent = { v: 1; seq: number; ts: string; run_id: string } & RunEventBody;
export type EventListener = (event: RunEvent) => void;

export class EventLog {
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();
  private pending: string[] = [];
  private readonly listeners = new Set<EventListener>();

  private constructor(
    private readonly fs: FileSystem,
    private readonly path: string,
    readonly runId: string,
    private readonly clock: () => Date,
  ) {}

  static async open(fs: FileSystem, path: string, runId: string, clock: () => Date = () => new Date()): Promise<EventLog> {
    const log = new EventLog(fs, path, runId, clock);
    if (await fs.exists(path)) {
      const text = await fs.readText(path);
      // a run killed mid-append leaves a torn last line: end it so the next event starts clean
      if (text.length > 0 && !text.endsWith('\n')) await fs.appendText(path, '\n');
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      // a torn last line (killed mid-write) is dropped by the reader; seq continues after the last good one
      for (let i = lines.length - 1; i >= 0; i--) {
        try {
          log.seq = (JSON.parse(lines[i]) as RunEvent).seq;
          break;
        } catch {
          continue;
        }
      }
    }
    return log;
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(body: RunEventBody): RunEvent {
    const event = { v: 1, seq: ++this.seq, ts: this.clock().toISOString(), run_id: this.runId, ...body } as RunEvent;
    // lines emitted while an append is on its way go out together in the next one: one open, write
    // and close per batch instead of per event (P9 emits one event per tile, thousands on 24 MP)
    this.pending.push(`${JSON.stringify(event)}\n`);
    if (this.pending.length === 1) {
      this.queue = this.queue.then(() => {
        const text = this.pending.join('');
        this.pending = [];
        return this.fs.appendText(this.path, text);
      });
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener (e.g. a closed window) never stops the run
      }
    }
    return event;
  }

  /** Resolves when every emitted event is on disk. */
  flush(): Promise<void> {
    return this.queue;
  }
}

/** Parses events.jsonl, skipping a torn last line. */
export function parseEvents(text: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as RunEvent);
    } catch {
      // only the last line can be torn; anything unparsable is ignored by the fold as well
    }
  }
  return out;
}
