import { openSync, readSync } from 'node:fs';
import si from 'systeminformation';

/**
 * The memory numbers the ResourceGovernor needs (METHOD.md section 6):
 *   M_RAM     = min(total RAM, cgroup limit (v2 memory.max / v1 limit_in_bytes), process.constrainedMemory(), memory_limit_mb)
 *   available = min(OS available, cgroup limit − cgroup usage)
 * systeminformation's `available` (MemAvailable on Linux) counts reclaimable page cache as free,
 * which is what a new worker can really get.
 */
const MB = 1024 * 1024;

/** A cgroup number file's text as bytes; null = absent, unreadable or "no limit". */
function cgroupNumber(raw: string | null): number | null {
  if (raw === null) return null;
  const text = raw.trim();
  if (text === 'max' || text === '') return null;
  const n = Number(text);
  // cgroup v1 reports "no limit" as a huge number near 2^63
  return Number.isFinite(n) && n > 0 && n < 2 ** 60 ? n : null;
}

/** available = min(OS available, cgroup limit − cgroup usage, memory_limit_mb), bytes. */
function capAvailable(available: number | null, cgroup: { limit: number | null; usage: number | null }, memoryLimitMb: number): number | null {
  let avail = available;
  if (cgroup.limit !== null && cgroup.usage !== null) avail = Math.min(avail ?? Infinity, cgroup.limit - cgroup.usage);
  if (memoryLimitMb > 0 && avail !== null) avail = Math.min(avail, memoryLimitMb * MB);
  return avail;
}

export interface MemorySnapshot {
  readonly totalMb: number | null;
  readonly ramMb: number | null;
  readonly availableMb: number | null;
}

export async function memorySnapshot(memoryLimitMb = 0): Promise<MemorySnapshot> {
  let total: number | null = null;
  let available: number | null = null;
  try {
    const m = await si.mem();
    total = m.total > 0 ? m.total : null;
    available = m.available > 0 ? m.available : null;
  } catch {
    /* unreadable: the model falls back to fallback_workers */
  }
  const cgroup = cgroupLimitAndUsage();
  const limit = cgroup.limit;
  const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : 0;
  const caps = [total, limit, constrained && constrained > 0 && constrained < 2 ** 60 ? constrained : null, memoryLimitMb > 0 ? memoryLimitMb * MB : null].filter(
    (v): v is number => v !== null,
  );
  const ram = total === null && caps.length === 0 ? null : Math.min(...caps);
  const avail = capAvailable(available, cgroup, memoryLimitMb);
  return { totalMb: total === null ? null : total / MB, ramMb: ram === null ? null : ram / MB, availableMb: avail === null ? null : avail / MB };
}

export function processRssMb(): number {
  return process.memoryUsage().rss / MB;
}

/**
 * A kernel pseudo-file kept open for the process and read from offset 0 on every call: ~8 µs
 * against ~50 µs for readFileSync's open, stat, read and close (measured for /proc/meminfo), and a
 * file that is absent is tried once, not once per task with an ENOENT error built each time. The
 * descriptors live as long as the process (one per file, read-only, no disk behind them).
 */
export class PseudoFile {
  private fd: number | null | undefined;
  private readonly buf = Buffer.alloc(8192);

  constructor(private readonly path: string) {}

  /** The whole text (pseudo-files here are < 8 KB), or null where the file cannot be read. */
  read(): string | null {
    if (this.fd === undefined) {
      try {
        this.fd = openSync(this.path, 'r');
      } catch {
        this.fd = null;
      }
    }
    if (this.fd === null) return null;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      return this.buf.toString('latin1', 0, n);
    } catch {
      return null;
    }
  }
}

const meminfo = new PseudoFile('/proc/meminfo');
const cgroupFiles = {
  v2Limit: new PseudoFile('/sys/fs/cgroup/memory.max'),
  v2Usage: new PseudoFile('/sys/fs/cgroup/memory.current'),
  v1Limit: new PseudoFile('/sys/fs/cgroup/memory/memory.limit_in_bytes'),
  v1Usage: new PseudoFile('/sys/fs/cgroup/memory/memory.usage_in_bytes'),
};

/** The cgroup memory limit and usage (v2, else v1), bytes; null = none or unreadable. */
function cgroupLimitAndUsage(): { limit: number | null; usage: number | null } {
  const v2 = cgroupNumber(cgroupFiles.v2Limit.read());
  if (v2 !== null) return { limit: v2, usage: cgroupNumber(cgroupFiles.v2Usage.read()) };
  const v1 = cgroupNumber(cgroupFiles.v1Limit.read());
  return { limit: v1, usage: v1 !== null ? cgroupNumber(cgroupFiles.v1Usage.read()) : null };
}

/** memorySnapshot's `available` on Linux from /proc/meminfo and the cgroup files, read synchronously; null where unreadable. */
function linuxAvailableBytesSync(memoryLimitMb: number): number | null {
  const text = meminfo.read();
  const m = text === null ? null : /^MemAvailable:\s+(\d+)\s*kB/m.exec(text);
  return m ? capAvailable(Number(m[1]) * 1024, cgroupLimitAndUsage(), memoryLimitMb) : null;
}

/**
 * Available memory (MB) for the permit check before every task (METHOD.md section 6), cheap
 * enough for hundreds of tasks a second. The pool asks while a worker waits for its next task,
 * and on a busy machine each I/O-thread round trip of memorySnapshot costs the host a wake-up
 * (~10 ms per task measured with two busy workers on two cores). On Linux: the same numbers as
 * memorySnapshot from /proc/meminfo and the cgroup files, read synchronously (kernel
 * pseudo-files, no disk). Elsewhere systeminformation runs a command (vm_stat, PowerShell):
 * its snapshot is reused for up to `maxAgeMs`.
 */
export function availableMemoryProbe(memoryLimitMb = 0, maxAgeMs = 250): () => Promise<number | null> {
  const linux = process.platform === 'linux';
  let last: { at: number; mb: number | null } | null = null;
  return async () => {
    if (linux) {
      const bytes = linuxAvailableBytesSync(memoryLimitMb);
      if (bytes !== null) return bytes / MB;
    }
    const now = Date.now();
    if (last === null || now - last.at > maxAgeMs) last = { at: now, mb: (await memorySnapshot(memoryLimitMb)).availableMb };
    return last.mb;
  };
}
