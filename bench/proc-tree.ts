import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resource use of a whole process tree (the CLI and its worker processes), read from Linux /proc.
 *
 * Why sampling: a worker's numbers vanish with the process, and `/usr/bin/time` reports one
 * process's max RSS, not the tree's. Every `intervalMs` the sampler finds the root's descendants
 * (ppid links in /proc/<pid>/stat) and keeps the LAST reading per pid. Totals are sums over pids:
 * - peak memory: the sum of each process's VmHWM (its own max RSS) — an upper bound of the tree's
 *   true simultaneous peak, as the issue asks;
 * - bytes read: rchar (every byte returned by read/pread, page cache or not: what the app asks
 *   for) and read_bytes (bytes the kernel fetched from the block device for it), summed over each
 *   process's threads (see threadIo);
 * - CPU: utime + stime. The final interval of each process is not seen, so the caller prefers the
 *   exact figure from its own cutime/cstime after reaping (see `childCpuSeconds`).
 */
export interface ProcSample {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly cpuTicks: number;
  readonly hwmKb: number;
  readonly rssKb: number;
  readonly rchar: number;
  readonly readBytes: number;
  readonly wchar: number;
  readonly writeBytes: number;
}

export interface TreeTotals {
  readonly processes: number;
  readonly peakRssSumMb: number;
  /** The largest VmHWM of any single process of the tree. */
  readonly peakRssMaxMb: number;
  /** The largest simultaneous RSS sum seen in one sampling round (a lower bound of the true peak). */
  readonly concurrentRssMaxMb: number;
  readonly rcharBytes: number;
  readonly readBytes: number;
  readonly wcharBytes: number;
  readonly writeBytes: number;
  readonly sampledCpuS: number;
}

const CLK_TCK = 100; // USER_HZ on every Linux ABI Node runs on (getconf CLK_TCK)

/** Fields of /proc/<pid>/stat after the parenthesised comm, which may itself contain spaces. */
export function parseStat(text: string): { pid: number; comm: string; ppid: number; utime: number; stime: number; cutime: number; cstime: number } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17
  const f = (n: number) => Number(rest[n - 3]);
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), ppid: f(4), utime: f(14), stime: f(15), cutime: f(16), cstime: f(17) };
}

/** `key: value` lines of /proc/<pid>/io and /proc/<pid>/status ("VmHWM:  1234 kB" -> 1234). */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_]+):\s+(\d+)/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process exited between listing and reading
  }
}

/**
 * I/O counters of a process's own threads. Not /proc/<pid>/io: on reaping a child the kernel adds
 * the child's counters to the parent's (like cutime), so summing that over a tree counts every
 * worker twice once the CLI reaps it. Per-thread counters never include children; the I/O of
 * threads that already exited is lost (Node's threads live as long as the process).
 * Without task I/O accounting the files are missing and the byte columns read 0.
 */
function threadIo(pid: number): Map<string, number> {
  const sum = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return sum;
  }
  for (const tid of tids) {
    for (const [k, v] of parseKeyValues(readOrNull(`/proc/${pid}/task/${tid}/io`) ?? '')) sum.set(k, (sum.get(k) ?? 0) + v);
  }
  return sum;
}

export function sampleProcess(pid: number): ProcSample | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  const status = readOrNull(`/proc/${pid}/status`);
  if (stat === null || status === null) return null;
  const s = parseStat(stat);
  if (s === null) return null;
  const st = parseKeyValues(status);
  const io = threadIo(pid);
  return {
    pid,
    ppid: s.ppid,
    comm: s.comm,
    cpuTicks: s.utime + s.stime,
    hwmKb: st.get('VmHWM') ?? 0,
    rssKb: st.get('VmRSS') ?? 0,
    rchar: io.get('rchar') ?? 0,
    readBytes: io.get('read_bytes') ?? 0,
    wchar: io.get('wchar') ?? 0,
    writeBytes: io.get('write_bytes') ?? 0,
  };
}

/** Every live pid whose ancestry reaches `root` (including root). */
export function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOrNull(`/proc/${name}/stat`);
    const s = stat === null ? null : parseStat(stat);
    if (s) parent.set(s.pid, s.ppid);
  }
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parent) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const out: number[] = [];
  const stack = parent.has(root) ? [root] : [];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

export interface TimelinePoint {
  readonly atMs: number;
  readonly rcharBytes: number;
  readonly readBytes: number;
  readonly cpuS: number;
  /** RSS of the tree at this instant. */
  readonly rssMb: number;
}

export function mergeSamples(a: ProcSample, b: ProcSample): ProcSample {
  return {
    pid: b.pid,
    ppid: b.ppid,
    comm: b.comm,
    cpuTicks: Math.max(a.cpuTicks, b.cpuTicks),
    hwmKb: Math.max(a.hwmKb, b.hwmKb),
    rssKb: b.rssKb,
    rchar: Math.max(a.rchar, b.rchar),
    readBytes: Math.max(a.readBytes, b.readBytes),
    wchar: Math.max(a.wchar, b.wchar),
    writeBytes: Math.max(a.writeBytes, b.writeBytes),
  };
}

/** The growth of the cumulative totals between two wall-clock instants (nearest samples). */
export function timelineDelta(timeline: readonly TimelinePoint[], fromMs: number, toMs: number): { rcharBytes: number; readBytes: number; cpuS: number; maxRssMb: number } {
  const at = (ms: number): TimelinePoint | undefined => {
    let best: TimelinePoint | undefined;
    for (const p of timeline) if (p.atMs <= ms) best = p;
    return best ?? timeline[0];
  };
  const a = at(fromMs);
  const b = at(toMs);
  if (!a || !b) return { rcharBytes: 0, readBytes: 0, cpuS: 0, maxRssMb: 0 };
  let maxRssMb = 0;
  for (const p of timeline) if (p.atMs >= fromMs && p.atMs <= toMs) maxRssMb = Math.max(maxRssMb, p.rssMb);
  return { rcharBytes: b.rcharBytes - a.rcharBytes, readBytes: b.readBytes - a.readBytes, cpuS: b.cpuS - a.cpuS, maxRssMb };
}

export class ProcessTreeSampler {
  private readonly last = new Map<number, ProcSample>();
  private concurrentKbMax = 0;
  /** Cumulative tree totals over time (wall-clock ms), to attribute reads and CPU to phases. */
  readonly timeline: TimelinePoint[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.sampleOnce();
    this.timer = setInterval(() => this.sampleOnce(), this.intervalMs);
    return this;
  }

  sampleOnce(): void {
    let concurrentKb = 0;
    for (const pid of descendantsOf(this.root)) {
      const s = sampleProcess(pid);
      if (s === null) continue;
      const prev = this.last.get(pid);
      // every kept counter only grows, but an exiting process (zombie) shows no Vm* lines and may
      // read 0: keep the field-wise maximum per pid
      this.last.set(pid, prev ? mergeSamples(prev, s) : s);
      concurrentKb += s.rssKb;
    }
    this.concurrentKbMax = Math.max(this.concurrentKbMax, concurrentKb);
    const t = totalsOf([...this.last.values()]);
    this.timeline.push({ atMs: Date.now(), rcharBytes: t.rcharBytes, readBytes: t.readBytes, cpuS: t.sampledCpuS, rssMb: concurrentKb / 1024 });
  }

  stop(): TreeTotals {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return totalsOf([...this.last.values()], this.concurrentKbMax);
  }
}

export function totalsOf(samples: readonly ProcSample[], concurrentKbMax = 0): TreeTotals {
  const sum = (f: (s: ProcSample) => number) => samples.reduce((a, s) => a + f(s), 0);
  return {
    processes: samples.length,
    peakRssSumMb: sum((s) => s.hwmKb) / 1024,
    peakRssMaxMb: samples.reduce((a, s) => Math.max(a, s.hwmKb), 0) / 1024,
    concurrentRssMaxMb: concurrentKbMax / 1024,
    rcharBytes: sum((s) => s.rchar),
    readBytes: sum((s) => s.readBytes),
    wcharBytes: sum((s) => s.wchar),
    writeBytes: sum((s) => s.writeBytes),
    sampledCpuS: sum((s) => s.cpuTicks) / CLK_TCK,
  };
}

/**
 * CPU seconds of all reaped children of THIS process (cutime + cstime of /proc/self/stat): after a
 * spawned command has exited and been waited for, the difference before/after is the exact CPU
 * time of its whole tree (its own children are reaped by it and roll up into its figures).
 */
export function childCpuSeconds(): number {
  const s = parseStat(readFileSync('/proc/self/stat', 'utf8'));
  return s === null ? 0 : (s.cutime + s.cstime) / CLK_TCK;
}
