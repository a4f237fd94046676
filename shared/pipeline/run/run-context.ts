import { loadConfig, configHash, type TileCompileConfig } from '../../config';
import type { FileSystem } from '../../io/file-system';
import { sha256Hex } from '../../util/seed';
import type { ColourLayout } from '../background';
import type { Manifest } from './manifest';
import { readJson } from './run-files';
import { runPaths, type RunPaths } from './run-paths';

/**
 * What every task and phase of a run needs, loaded from the run directory alone (so a worker
 * process, a resumed run or a remote worker sees exactly what the master saw).
 */
export interface RunContext {
  readonly fs: FileSystem;
  readonly paths: RunPaths;
  readonly config: TileCompileConfig;
  readonly configHash: string;
  readonly manifest: Manifest;
  /** run_key = sha256(frames_manifest_id + ":" + config_hash): the root of every seed. */
  readonly runKey: string;
  readonly layout: ColourLayout;
}

const cache = new Map<string, Promise<RunContext>>();

export function loadRunContext(fs: FileSystem, runDir: string): Promise<RunContext> {
  let p = cache.get(runDir);
  if (!p) {
    p = readRunContext(fs, runDir);
    cache.set(runDir, p);
    p.catch(() => cache.delete(runDir));
  }
  return p;
}

/** Forget cached contexts (the orchestrator calls it when it rewrites config or manifest). */
export function clearRunContextCache(): void {
  cache.clear();
}

async function readRunContext(fs: FileSystem, runDir: string): Promise<RunContext> {
  const rootPaths = runPaths(fs, runDir);
  const text = await fs.readText(rootPaths.config);
  const { config, problems } = loadConfig(text, rootPaths.config);
  if (config === null) {
    const first = problems.find((p) => p.severity === 'error');
    throw new Error(`${rootPaths.config}: the frozen configuration no longer validates (${first?.message ?? 'unknown problem'})`);
  }
  const paths = runPaths(fs, runDir, config.runtime.work_dir);
  const manifest = await readJson<Manifest>(fs, paths.manifest);
  const hash = configHash(config);
  return {
    fs,
    paths,
    config,
    configHash: hash,
    manifest,
    runKey: sha256Hex(`${manifest.frames_manifest_id}:${hash}`),
    layout: { colorMode: manifest.color_mode, pattern: manifest.bayer_pattern ?? undefined },
  };
}
