import { describe, expect, it } from 'vitest';
import { phaseResources, summarizeEvents } from '../../../bench/pipeline-run';
import { mergeSamples, parseKeyValues, parseStat, timelineDelta, totalsOf, type ProcSample } from '../../../bench/proc-tree';
import { memoryHierarchy } from '../../../bench/memory-cgroup';
import { evaluateTargets, medianRun, renderMarkdown, type BenchDocument, type SetResult } from '../../../bench/report';
import { parseSirilTimeTxt, parseTimeVCpu } from '../../../bench/siril-run';

describe('parseStat', () => {
  it('reads ppid and CPU ticks even when the command name holds spaces and parentheses', () => {
    const line = '4242 (node (worker) 1) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 31 7 3 20 0 11 0 123 456 789';
    expect(parseStat(line)).toEqual({ pid: 4242, comm: 'node (worker) 1', ppid: 4000, utime: 250, stime: 31, cutime: 7, cstime: 3 });
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseStat('garbage')).toBeNull();
  });
});

describe('parseKeyValues', () => {
  it('reads /proc io and status lines, kB units dropped', () => {
    const m = parseKeyValues('rchar: 1234\nread_bytes: 0\nVmHWM:\t  20480 kB\nName:\tnode\n');
    expect(m.get('rchar')).toBe(1234);
    expect(m.get('read_bytes')).toBe(0);
    expect(m.get('VmHWM')).toBe(20480);
    expect(m.has('Name')).toBe(false);
  });
});

const sample = (pid: number, over: Partial<ProcSample> = {}): ProcSample => ({ pid, ppid: 1, comm: 'node', cpuTicks: 100, hwmKb: 1024, rssKb: 512, rchar: 1000, readBytes: 10, wchar: 5, writeBytes: 0, ...over });

describe('process tree totals', () => {
  it('sum each process once and keep the larger of two readings when a process turns zombie', () => {
    const live = sample(2, { hwmKb: 204800, rchar: 5e6 });
    const zombie = sample(2, { hwmKb: 0, rssKb: 0, rchar: 5e6 + 10 });
    const merged = mergeSamples(live, zombie);
    expect(merged.hwmKb).toBe(204800);
    expect(merged.rchar).toBe(5e6 + 10);
    const t = totalsOf([sample(1, { hwmKb: 102400 }), merged], 300 * 1024);
    expect(t.peakRssSumMb).toBe(300);
    expect(t.peakRssMaxMb).toBe(200);
    expect(t.concurrentRssMaxMb).toBe(300);
    expect(t.rcharBytes).toBe(1000 + 5e6 + 10);
    expect(t.sampledCpuS).toBe(2);
  });

  it('attribute the growth between two instants to the phase between them', () => {
    const timeline = [
      { atMs: 1000, rcharBytes: 0, readBytes: 0, cpuS: 0, rssMb: 50 },
      { atMs: 2000, rcharBytes: 100, readBytes: 10, cpuS: 1, rssMb: 80 },
      { atMs: 3000, rcharBytes: 400, readBytes: 10, cpuS: 3, rssMb: 120 },
      { atMs: 4000, rcharBytes: 450, readBytes: 20, cpuS: 3.5, rssMb: 60 },
    ];
    expect(timelineDelta(timeline, 2000, 3500)).toEqual({ rcharBytes: 300, readBytes: 0, cpuS: 2, maxRssMb: 120 });
    expect(timelineDelta([], 0, 1)).toEqual({ rcharBytes: 0, readBytes: 0, cpuS: 0, maxRssMb: 0 });
  });
});

const ev = (o: Record<string, unknown>) => JSON.stringify({ v: 1, seq: 1, run_id: 'r', ...o });

describe('summarizeEvents', () => {
  it('collects plan, peak resources, phases with their timestamps and the final status; skips torn lines', () => {
    const text = [
      ev({ type: 'plan', workers: 2, memory: { expected_peak_mb: 199 } }),
      ev({ type: 'phase_started', phase: 'measure', ts: '2026-01-01T00:00:01.000Z' }),
      ev({ type: 'resources', rss_mb: 500 }),
      ev({ type: 'resources', rss_mb: 420 }),
      ev({ type: 'phase_finished', phase: 'measure', status: 'ok', seconds: 2.5, ts: '2026-01-01T00:00:03.500Z' }),
      ev({ type: 'run_finished', status: 'validation_failed' }),
      '{"type":"phase_fin',
    ].join('\n');
    const s = summarizeEvents(text);
    expect(s.workers).toBe(2);
    expect(s.plannedPeakMb).toBe(199);
    expect(s.reportedRssMb).toBe(500);
    expect(s.status).toBe('validation_failed');
    expect(s.phases).toEqual([{ phase: 'measure', status: 'ok', seconds: 2.5, startMs: Date.parse('2026-01-01T00:00:01.000Z'), endMs: Date.parse('2026-01-01T00:00:03.500Z') }]);
  });

  it('gives nulls and no phases for an empty log', () => {
    expect(summarizeEvents('')).toEqual({ status: null, workers: null, plannedPeakMb: null, reportedRssMb: null, phases: [] });
  });
});

describe('phaseResources', () => {
  it('adds the time before the first and after the last phase as their own rows', () => {
    const timeline = [
      { atMs: 0, rcharBytes: 0, readBytes: 0, cpuS: 0, rssMb: 40 },
      { atMs: 1000, rcharBytes: 1e6, readBytes: 0, cpuS: 0.5, rssMb: 60 },
      { atMs: 5000, rcharBytes: 9e6, readBytes: 0, cpuS: 4, rssMb: 300 },
      { atMs: 6000, rcharBytes: 9e6, readBytes: 0, cpuS: 4.2, rssMb: 100 },
    ];
    const rows = phaseResources([{ phase: 'measure', status: 'ok', seconds: 4, startMs: 1000, endMs: 5000 }], timeline);
    expect(rows.map((r) => r.phase)).toEqual(['(start-up, P0 scan)', 'measure', '(after the last phase)']);
    expect(rows[1].readMB).toBe(8);
    expect(rows[1].maxRssMb).toBe(300);
    expect(rows[0].readMB).toBe(1);
  });
});

describe('Siril output parsers', () => {
  it('read time.txt as written by run_siril.sh', () => {
    const t = parseSirilTimeTxt('tool=siril-1.0.6 frames=60 wall_s=4.52 peak_rss_mb=160 scratch_mb=812 Total:_0_failed,_60_registered\n');
    expect(t).toEqual({ wallS: 4.52, peakRssMb: 160, scratchMb: 812, registered: '60 registered, 0 failed' });
  });

  it('reject a time.txt without wall time', () => {
    expect(parseSirilTimeTxt('tool=siril-1.0.6 frames=60\n')).toBeNull();
  });

  it('sum user and system seconds of /usr/bin/time -v, null when absent', () => {
    expect(parseTimeVCpu('\tUser time (seconds): 12.50\n\tSystem time (seconds): 1.25\n')).toBe(13.75);
    expect(parseTimeVCpu('nothing here')).toBeNull();
  });
});

function setResult(over: Partial<SetResult> & { set: string; frames: number; peak: number; wall: number; read: number; disk?: number }): SetResult {
  return {
    set: over.set,
    frames: over.frames,
    width: over.width ?? 2048,
    height: over.height ?? 1536,
    inputMB: 100,
    ours: {
      status: 'ok',
      exitCode: 0,
      workers: 2,
      wallS: over.wall,
      cpuS: over.wall * 1.5,
      throughputMBps: 100 / over.wall,
      readMB: over.read * 100,
      readRatio: over.read,
      diskReadMB: (over.disk ?? 0) * 100,
      diskReadRatio: over.disk ?? 0,
      writtenMB: 0,
      peakRssSumMb: over.peak,
      peakRssMaxMb: over.peak / 2,
      concurrentRssMaxMb: over.peak / 2,
      plannedPeakMb: null,
      reportedRssMb: null,
      processes: 3,
      phases: [],
    },
    siril: over.siril ?? { skipped: 'not installed' },
    ratios: over.ratios ?? null,
  };
}

describe('evaluateTargets and renderMarkdown', () => {
  it('judge the targets against the measured figures', () => {
    const sets = [
      setResult({ set: 'M-N60', frames: 60, peak: 500, wall: 20, read: 6, disk: 2.5 }),
      setResult({ set: 'M', frames: 200, peak: 900, wall: 60, read: 5, disk: 3.2, siril: { wallS: 45, cpuS: 80, peakRssMb: 1300, scratchMb: 1200, registered: null }, ratios: { wall: 60 / 45, memory: 900 / 1300 } }),
    ];
    const t = evaluateTargets(sets, { cold: true });
    const byName = new Map(t.map((x) => [x.target, x.met]));
    // judged on the device reads of a cold run, not on read() calls
    expect(byName.get('M-N60: bytes read from disk <= 3x input')).toBe(true);
    expect(byName.get('M: bytes read from disk <= 3x input')).toBe(false);
    expect(t.find((x) => x.target === 'M-N60: bytes read from disk <= 3x input')?.measured).toBe('2.50x from the block device, cold page cache (read() calls: 6.00x, page cache included)');
    expect(byName.get('peak memory flat in N (2048x1536: N 60 -> 200)')).toBe(false);
    expect(byName.get('M wall time <= Siril')).toBe(false);
    expect(byName.get('M: peak memory below Siril')).toBe(true);
    expect(renderMarkdown({ date: 'd', machine: { cpus: 2, cpuModel: 'c', ramGb: 24, node: '20', os: 'linux' }, commit: null, options: { cold: false, config: null, workers: null }, sets, targets: t })).toContain(
      '| 45.0 | 80.0 | 1300 | 1.33 | 1.13 | 0.69 |',
    );
  });

  it('leave the bytes-read target unjudged when the page cache was warm', () => {
    const t = evaluateTargets([setResult({ set: 'M', frames: 200, peak: 900, wall: 60, read: 6, disk: 0.01 })], { cold: false });
    expect(t[0]).toEqual({ target: 'M: bytes read from disk <= 3x input', measured: '0.01x from the block device with a warm cache, not judged: run with --cold (read() calls: 6.00x, page cache included)', met: null });
    const md = renderMarkdown({ date: 'd', machine: { cpus: 2, cpuModel: 'c', ramGb: 24, node: '20', os: 'linux' }, commit: null, options: { cold: true, config: null, workers: null, memoryLimitMb: 3072 }, sets: [], targets: t });
    expect(md).toContain('| M: bytes read from disk <= 3x input | 0.01x from the block device with a warm cache, not judged: run with --cold (read() calls: 6.00x, page cache included) | – |');
    expect(md).toContain('Memory cgroup: 3072 MiB for resident memory and page cache together (--memory-limit).');
  });

  it('judge nothing on a failed run but report that it failed', () => {
    const failed = { ...setResult({ set: 'M', frames: 200, peak: 0, wall: 0.1, read: 0 }), failed: true, note: 'the run failed with exit 1: nothing measured' };
    const t = evaluateTargets([failed], { cold: true });
    expect(t).toEqual([{ target: 'M: the run completes', measured: 'the run failed with exit 1: nothing measured', met: false }]);
  });

  it('render one table row per set with the ratios, and say why Siril was skipped', () => {
    const doc: BenchDocument = {
      date: '2026-11-26T00:00:00.000Z',
      machine: { cpus: 2, cpuModel: 'Test CPU', ramGb: 24, node: '20.0.0', os: 'linux' },
      commit: 'abcdef0123456789',
      options: { cold: false, config: null, workers: null },
      sets: [setResult({ set: 'S', frames: 60, peak: 200, wall: 10, read: 4, width: 1024, height: 768 })],
      targets: [],
    };
    const md = renderMarkdown(doc);
    expect(md).toContain('| S | 60 | 1024×768 | 100 | 10.0 | 15.0 | 1.50 | 10.0 | 4.00 | 0.00 | 200 | – | – | – | – | – | – |');
    expect(md).toContain('S: Siril skipped — not installed.');
    expect(md).toContain('2 cores (Test CPU), 24 GB RAM');
  });

  it('show the median runs of repeated pairs, the ratio of the medians and every pair', () => {
    const runs = [
      { wallS: 80, cpuS: 130, peakRssSumMb: 830, sirilWallS: 40, sirilCpuS: 60, sirilPeakMb: 1300 },
      { wallS: 70, cpuS: 125, peakRssSumMb: 850, sirilWallS: 55, sirilCpuS: 61, sirilPeakMb: 1290 },
      { wallS: 75, cpuS: 128, peakRssSumMb: 820, sirilWallS: 50, sirilCpuS: 62, sirilPeakMb: 1310 },
    ];
    const m = { ...setResult({ set: 'M', frames: 200, peak: 850, wall: 75, read: 6, siril: { wallS: 50, cpuS: 62, peakRssMb: 1310, scratchMb: null, registered: null }, ratios: { wall: 75 / 50, memory: 850 / 1310 } }), runs };
    const t = evaluateTargets([m], { cold: false });
    expect(t.find((x) => x.target === 'M wall time <= Siril')?.measured).toBe('1.50x Siril (medians of 3 runs each: 75.0 s vs 50.0 s)');
    const md = renderMarkdown({ date: 'd', machine: { cpus: 2, cpuModel: 'c', ramGb: 24, node: '20', os: 'linux' }, commit: null, options: { cold: false, config: null, workers: null, repeat: 3 }, sets: [m], targets: t });
    expect(md).toContain('Runs per set (ours and Siril\'s in turns, Siril first in even rounds): M 3.');
    expect(md).toContain('| M | 1 | 80.0 | 130.0 | 830 | 40.0 | 60.0 | 1300 | 2.00 |');
    expect(md).toContain('| M | 2 | 70.0 | 125.0 | 850 | 55.0 | 61.0 | 1290 | 1.27 |');
    expect(md).toContain('## M: where the time goes (the median run, per phase');
  });

  it('pick the run with the median wall time (the lower middle of an even count)', () => {
    expect(medianRun([{ wallS: 3 }, { wallS: 1 }, { wallS: 2 }])).toEqual({ wallS: 2 });
    expect(medianRun([{ wallS: 4 }, { wallS: 1 }, { wallS: 2 }, { wallS: 3 }])).toEqual({ wallS: 2 });
    expect(() => medianRun([])).toThrow(RangeError);
  });
});

describe('memoryHierarchy', () => {
  const files = (present: Record<string, string>) => (path: string) => present[path] ?? null;

  it('find the v1 memory controller of this process', () => {
    const text = '9:name=systemd:/\n4:memory:/process_api/abc\n3:cpuset:/\n0::/\n';
    expect(memoryHierarchy(text, files({ '/sys/fs/cgroup/memory/process_api/abc/memory.limit_in_bytes': '9223372036854771712\n' }))).toEqual({ version: 1, current: '/sys/fs/cgroup/memory/process_api/abc' });
  });

  it('find a v2 unified hierarchy with the memory controller', () => {
    expect(memoryHierarchy('0::/user.slice/bench\n', files({ '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n' }))).toEqual({ version: 2, current: '/sys/fs/cgroup/user.slice/bench' });
  });

  it('give null where no hierarchy has the memory controller', () => {
    expect(memoryHierarchy('0::/\n', files({ '/sys/fs/cgroup/cgroup.controllers': 'cpu pids\n' }))).toBeNull();
    expect(memoryHierarchy('4:memory:/x\n', files({}))).toBeNull();
  });
});
