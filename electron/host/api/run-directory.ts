import type { FileSystem } from '../../../shared/io/file-system';
import { parseEventLog, type RunEvent } from '../../../shared/contract/events';
import type { RunSummary } from '../../../shared/contract/channels';

/**
 * Reads run directories (METHOD.md section 5) without any pipeline code: the run directory is the
 * single source of truth, so History and a reopened app need only events.jsonl.
 */
export async function readEvents(fs: FileSystem, runDir: string): Promise<{ events: RunEvent[]; invalidLines: number }> {
  const file = fs.join(runDir, 'events.jsonl');
  if (!(await fs.exists(file))) return { events: [], invalidLines: 0 };
  const text = await fs.readText(file);
  const log = parseEventLog(text);
  // A torn last line is the normal state of a run that is still writing; only count real damage.
  const lastLine = text.endsWith('\n') ? -1 : text.split('\n').length;
  return { events: log.events, invalidLines: log.invalidLines.filter((n) => n !== lastLine).length };
}

export function summarizeRun(runDir: string, runId: string, events: readonly RunEvent[], active: boolean): RunSummary {
  const s: RunSummary = {
    runDir,
    runId,
    status: active ? 'running' : events.length === 0 ? 'unknown' : 'interrupted',
    startedAt: events.length > 0 ? events[0].ts : null,
    inputDir: null,
    frames: null,
    usableFrames: null,
    mode: null,
    seconds: null,
    emergency: false,
  };
  for (const e of events) {
    switch (e.type) {
      case 'run_started':
        s.runId = e.run_id;
        s.inputDir = e.input_dir;
        s.frames = e.frames_found;
        break;
      case 'plan':
        s.mode = e.mode;
        s.usableFrames = e.n_usable;
        break;
      case 'run_finished':
        s.status = e.status;
        s.seconds = e.seconds;
        s.emergency = e.emergency;
        break;
      default:
        break;
    }
  }
  return s;
}

/** Runs under `root`: every sub-folder holding an events.jsonl, newest first. */
export async function listRuns(fs: FileSystem, root: string, isActive: (runDir: string) => boolean): Promise<RunSummary[]> {
  if (!(await fs.exists(root))) return [];
  const out: RunSummary[] = [];
  for (const name of await fs.readdir(root)) {
    const runDir = fs.join(root, name);
    try {
      if (!(await fs.stat(runDir)).isDirectory) continue;
      if (!(await fs.exists(fs.join(runDir, 'events.jsonl')))) continue;
      const { events } = await readEvents(fs, runDir);
      out.push(summarizeRun(runDir, name, events, isActive(runDir)));
    } catch {
      // A folder that vanished or cannot be read is not a run we can show.
    }
  }
  return out.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.runId.localeCompare(a.runId));
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  yaml: 'text/yaml',
  log: 'text/plain',
  txt: 'text/plain',
  fits: 'image/fits',
  fit: 'image/fits',
  sha256: 'text/plain',
};

export function mimeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return (dot >= 0 && MIME[file.slice(dot + 1).toLowerCase()]) || 'application/octet-stream';
}

/** Reads bytes [from, from+max) of a file; returns what exists. */
export async function readRange(fs: FileSystem, file: string, from: number, max: number): Promise<{ bytes: Uint8Array; size: number }> {
  const f = await fs.open(file, 'r');
  try {
    const size = await f.size();
    const start = Math.min(from, size);
    const length = Math.min(max, size - start);
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = await f.read(bytes, done, length - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return { bytes: bytes.subarray(0, done), size };
  } finally {
    await f.close();
  }
}
