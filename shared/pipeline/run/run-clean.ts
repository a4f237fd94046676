import type { FileSystem } from '../../io/file-system';
import { loadConfig } from '../../config';
import { PipelineError } from './pipeline-error';
import { runPaths } from './run-paths';
import { RunState } from './run-state';

/**
 * Leftovers of a crashed run (METHOD.md section 6, DESIGN.md section 4): the scratch folder and
 * the temporary files of writes that a kill interrupted before their rename. `tile-compile clean`
 * removes both and keeps what a user reads (result/, metrics/, qa/, events.jsonl, logs/); a resume
 * removes the temporary files only. Every temporary name comes from FileSystem.tempName:
 * `<final name>.tmp-<pid>-<random>`.
 */
const TEMP_NAME = /\.tmp-[^/\\]*$/;

export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Deletes every `*.tmp-*` file below `dir` (recursively); returns their paths. */
export async function removeTempFiles(fs: FileSystem, dir: string): Promise<string[]> {
  const removed: string[] = [];
  if (!(await fs.exists(dir))) return removed;
  for (const name of (await fs.readdir(dir)).sort()) {
    const p = fs.join(dir, name);
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      continue; // vanished meanwhile
    }
    if (st.isDirectory) {
      removed.push(...(await removeTempFiles(fs, p)));
    } else if (isTempFileName(name)) {
      await fs.rm(p);
      removed.push(p);
    }
  }
  return removed;
}

export interface CleanReport {
  readonly runDir: string;
  /** The scratch folder that was removed, or null when there was none. */
  readonly workDir: string | null;
  readonly tempFiles: readonly string[];
  /** Phases whose unit done bits were cleared (their outputs lived in the scratch folder). */
  readonly resetPhases: readonly string[];
}

/**
 * Removes the scratch folder and the temporary files of a run and clears every unit done bit, so
 * a later `run --resume` redoes the units whose outputs are gone instead of trusting the bits.
 */
export async function cleanRun(fs: FileSystem, runDir: string): Promise<CleanReport> {
  const rootPaths = runPaths(fs, runDir);
  if (!(await fs.exists(rootPaths.state)) || !(await fs.exists(rootPaths.config))) {
    throw new PipelineError('NOT_A_RUN', `${rootPaths.root} is not a run directory (no state.json and config.yaml); nothing was removed`);
  }
  const state = await RunState.load(fs, rootPaths.state);
  // the scratch folder may live elsewhere (runtime.work_dir); an unreadable config means the default
  const { config } = loadConfig(await fs.readText(rootPaths.config), rootPaths.config);
  const paths = runPaths(fs, runDir, config?.runtime.work_dir ?? '');
  let workDir: string | null = null;
  if (await fs.exists(paths.work)) {
    await fs.rm(paths.work, { recursive: true });
    workDir = paths.work;
  }
  const tempFiles = await removeTempFiles(fs, paths.root);
  const resetPhases: string[] = [];
  for (const phase of Object.keys(state.data.units).sort()) {
    if (state.doneUnits(phase) > 0) resetPhases.push(phase);
    await state.resetUnits(phase);
  }
  await state.save();
  return { runDir: paths.root, workDir, tempFiles, resetPhases };
}
