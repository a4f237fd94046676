import type { FileSystem } from '../../io/file-system';

/**
 * The run directory layout of METHOD.md section 5. Everything a run knows is here; a run can be
 * shown, resumed or cleaned from its directory alone.
 */
export interface RunPaths {
  readonly root: string;
  readonly config: string;
  readonly configHash: string;
  readonly manifest: string;
  readonly state: string;
  readonly events: string;
  readonly work: string;
  readonly metrics: string;
  readonly qa: string;
  readonly result: string;
  readonly logs: string;
  readonly lock: string;
  file(...rel: string[]): string;
  workFile(...rel: string[]): string;
  metricsFile(name: string): string;
}

export function runPaths(fs: FileSystem, root: string, workDir = ''): RunPaths {
  const r = fs.resolve(root);
  const work = workDir !== '' ? fs.resolve(workDir) : fs.join(r, 'work');
  return {
    root: r,
    config: fs.join(r, 'config.yaml'),
    configHash: fs.join(r, 'config.sha256'),
    manifest: fs.join(r, 'manifest.json'),
    state: fs.join(r, 'state.json'),
    events: fs.join(r, 'events.jsonl'),
    work,
    metrics: fs.join(r, 'metrics'),
    qa: fs.join(r, 'qa'),
    result: fs.join(r, 'result'),
    logs: fs.join(r, 'logs'),
    lock: fs.join(r, 'run.lock'),
    file: (...rel) => fs.join(r, ...rel),
    workFile: (...rel) => fs.join(work, ...rel),
    metricsFile: (name) => fs.join(r, 'metrics', name),
  };
}

/** run_id = UTC timestamp + 6 random hex (a name, never a seed). `randomHex` comes from the host. */
export function makeRunId(now: Date, randomHex: string): string {
  const iso = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${randomHex.slice(0, 6)}`;
}
