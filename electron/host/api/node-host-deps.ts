import * as os from 'node:os';
import * as path from 'node:path';
import si from 'systeminformation';
import type { RunService } from '../../../shared/contract/api';
import { loadConfig, formatProblem } from '../../../shared/config';
import { scanFolder } from '../../../shared/pipeline/scan';
import { APP_VERSION } from '../../../shared/version';
import { scanOptionsFromConfig } from '../../cli/config-file';
import type { ApiHostDeps } from '../api-handlers';
import { nodeFileSystem } from '../node-file-system';
import { writeDemoSet } from './demo-set';
import { PathGuard } from './path-guard';
import { RecentFolders } from './recent-folders';

/**
 * Wires the contract handlers to the real pipeline pieces for a Node-based host (the browser host,
 * and Electron main which adds its dialog and shell on top).
 */
export interface NodeHostOptions {
  readonly host: 'electron' | 'browser';
  readonly runsRoot: string;
  /** App data folder: recent folders list, demo data. */
  readonly dataDir: string;
  readonly runService: RunService | null;
  /** Extra folders the API may read (`--root`). Home, runs and demo data are always allowed. */
  readonly extraRoots?: readonly string[];
  readonly home?: string;
}

export async function createNodeHostDeps(o: NodeHostOptions): Promise<ApiHostDeps> {
  const fs = nodeFileSystem;
  const home = o.home ?? os.homedir();
  const demoRoot = path.join(o.dataDir, 'demo');
  const guard = new PathGuard([home, o.runsRoot, demoRoot, ...(o.extraRoots ?? [])]);
  const recent = new RecentFolders(fs, path.join(o.dataDir, 'recent-folders.json'));
  await recent.load();
  return {
    fs,
    host: o.host,
    version: APP_VERSION,
    platform: process.platform,
    home,
    runsRoot: o.runsRoot,
    demoRoot,
    guard,
    recent,
    runService: o.runService,
    async scan(dir, configText) {
      const loaded = configText === undefined ? null : loadConfig(configText);
      // An invalid config is reported by the editor; the scan still runs with the defaults.
      const opts = loaded?.config ? scanOptionsFromConfig(loaded.config) : {};
      return scanFolder(fs, dir, opts);
    },
    configErrors(configText) {
      return loadConfig(configText)
        .problems.filter((p) => p.severity === 'error')
        .map((p) => formatProblem(p));
    },
    writeDemoSet: (dir, frames) => writeDemoSet(fs, dir, frames),
    async systemInfo() {
      const mem = await si.mem().catch(() => null);
      return {
        cpuCount: os.cpus().length,
        totalRamMb: Math.round((mem?.total ?? os.totalmem()) / 2 ** 20),
        availableRamMb: Math.round((mem?.available ?? os.freemem()) / 2 ** 20),
      };
    },
  };
}
