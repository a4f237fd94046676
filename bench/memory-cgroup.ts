import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmark inside a Linux memory cgroup: every process it starts from then on (our run, its
 * workers, Siril) shares one limit on resident memory *and* page cache, like a laptop whose cache
 * cannot hold a run's frames and store. Device reads measured that way are what such a machine
 * would read; on a 24 GB machine a 4 GB run is served from the cache.
 *
 * Root only. cgroup v2 (`memory.max` in the unified hierarchy) or v1 (`memory.limit_in_bytes` in
 * the memory hierarchy), whichever holds the memory controller.
 */
export interface MemoryCgroup {
  readonly dir: string;
  /** Moves this process back to where it was and removes the group. */
  leave(): void;
}

interface Hierarchy {
  readonly version: 1 | 2;
  /** The folder of the cgroup this process is in now. */
  readonly current: string;
}

/**
 * Where this process's memory cgroup lives, from the text of /proc/self/cgroup; `readText` gives a
 * file's text or null when it does not exist.
 */
export function memoryHierarchy(procSelfCgroup: string, readText: (path: string) => string | null): Hierarchy | null {
  for (const line of procSelfCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (m === null) continue;
    const [, id, controllers, path] = m;
    if (id !== '0' && controllers.split(',').includes('memory')) {
      const current = join('/sys/fs/cgroup/memory', path);
      if (readText(join(current, 'memory.limit_in_bytes')) !== null) return { version: 1, current };
    }
    if (id === '0' && controllers === '' && (readText('/sys/fs/cgroup/cgroup.controllers') ?? '').split(/\s+/).includes('memory')) {
      return { version: 2, current: join('/sys/fs/cgroup', path) };
    }
  }
  return null;
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function enterMemoryCgroup(limitMb: number): MemoryCgroup {
  if (process.platform !== 'linux') throw new Error('--memory-limit needs Linux memory cgroups');
  const h = memoryHierarchy(readFileSync('/proc/self/cgroup', 'utf8'), readTextOrNull);
  if (h === null) throw new Error('--memory-limit: this machine has no writable memory cgroup (neither v1 nor v2 with the memory controller)');
  const limitBytes = Math.round(limitMb * 2 ** 20);
  const dir = join(h.current, `tile-compile-bench-${process.pid}`);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, h.version === 1 ? 'memory.limit_in_bytes' : 'memory.max'), `${limitBytes}\n`);
    if (h.version === 2) writeFileSync(join(dir, 'memory.swap.max'), '0\n');
    writeFileSync(join(dir, 'cgroup.procs'), `${process.pid}\n`);
  } catch (e) {
    if (existsSync(dir)) rmdirSync(dir);
    throw new Error(`--memory-limit needs root to create ${dir}: ${(e as Error).message}`);
  }
  return {
    dir,
    leave() {
      writeFileSync(join(h.current, 'cgroup.procs'), `${process.pid}\n`);
      rmdirSync(dir);
    },
  };
}
