import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childCpuSeconds, ProcessTreeSampler, timelineDelta, type TimelinePoint, type TreeTotals } from './proc-tree';

/**
 * One measured run of a command as a process tree: wall time, exact CPU time of the tree (our
 * cutime/cstime after reaping it, never less than the sampled sum), and the /proc totals.
 */
export interface TreeRun {
  readonly exitCode: number | null;
  readonly wallS: number;
  readonly cpuS: number;
  readonly tree: TreeTotals;
  readonly timeline: readonly TimelinePoint[];
}

export async function runMeasured(cmd: string, args: readonly string[], logPath: string, cwd?: string): Promise<TreeRun> {
  const log = createWriteStream(logPath);
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  if (child.pid === undefined) throw new Error(`bench: cannot start ${cmd}`);
  const sampler = new ProcessTreeSampler(child.pid).start();
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  const wallS = (performance.now() - t0) / 1000;
  const tree = sampler.stop();
  const cpuS = Math.max(childCpuSeconds() - cpu0, tree.sampledCpuS);
  await new Promise<void>((r) => log.end(r));
  return { exitCode, wallS, cpuS, tree, timeline: sampler.timeline };
}

export interface RunEventsSummary {
  readonly status: string | null;
  readonly workers: number | null;
  readonly plannedPeakMb: number | null;
  /** The largest `resources.rss_mb` the host itself reported (host RSS + workers' max RSS). */
  readonly reportedRssMb: number | null;
  readonly phases: PhaseSummary[];
}

export interface PhaseSummary {
  readonly phase: string;
  readonly status: string;
  readonly seconds: number;
  readonly startMs: number | null;
  readonly endMs: number | null;
}

export interface PhaseResources extends PhaseSummary {
  /** read() bytes of the whole tree during the phase. */
  readonly readMB: number;
  readonly diskReadMB: number;
  readonly cpuS: number;
  readonly maxRssMb: number;
}

/** The facts a benchmark needs from RUN_DIR/events.jsonl (torn or foreign lines are skipped). */
export function summarizeEvents(text: string): RunEventsSummary {
  let status: string | null = null;
  let workers: number | null = null;
  let plannedPeakMb: number | null = null;
  let reportedRssMb: number | null = null;
  const phases: PhaseSummary[] = [];
  const started = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    switch (e.type) {
      case 'plan': {
        if (typeof e.workers === 'number') workers = e.workers;
        const peak = (e.memory as { expected_peak_mb?: unknown } | undefined)?.expected_peak_mb;
        if (typeof peak === 'number') plannedPeakMb = peak;
        break;
      }
      case 'resources':
        if (typeof e.rss_mb === 'number') reportedRssMb = Math.max(reportedRssMb ?? 0, e.rss_mb);
        break;
      case 'phase_started':
        if (typeof e.phase === 'string' && typeof e.ts === 'string') started.set(e.phase, Date.parse(e.ts));
        break;
      case 'phase_finished':
        if (typeof e.phase === 'string' && typeof e.seconds === 'number') {
          const endMs = typeof e.ts === 'string' ? Date.parse(e.ts) : null;
          phases.push({ phase: e.phase, status: String(e.status), seconds: e.seconds, startMs: started.get(e.phase) ?? null, endMs });
        }
        break;
      case 'run_finished':
        status = typeof e.status === 'string' ? e.status : null;
        break;
      default:
        break;
    }
  }
  return { status, workers, plannedPeakMb, reportedRssMb, phases };
}

export interface PipelineRunResult extends TreeRun {
  readonly runDir: string;
  readonly events: RunEventsSummary;
  readonly phaseResources: PhaseResources[];
}

/** Reads, CPU and RSS of the tree per phase, from the sampler's timeline and the phase timestamps. */
export function phaseResources(phases: readonly PhaseSummary[], timeline: readonly TimelinePoint[]): PhaseResources[] {
  const measure = (p: PhaseSummary): PhaseResources => {
    if (p.startMs === null || p.endMs === null || timeline.length === 0) return { ...p, readMB: 0, diskReadMB: 0, cpuS: 0, maxRssMb: 0 };
    const d = timelineDelta(timeline, p.startMs, p.endMs);
    return { ...p, readMB: d.rcharBytes / 1e6, diskReadMB: d.readBytes / 1e6, cpuS: d.cpuS, maxRssMb: d.maxRssMb };
  };
  const out = phases.map(measure);
  const timed = phases.filter((p) => p.startMs !== null && p.endMs !== null);
  if (timeline.length > 1 && timed.length > 0) {
    // what happens outside the phases: process start-up and P0 (scan, manifest) before, exit after
    const first = timeline[0].atMs;
    const last = timeline[timeline.length - 1].atMs + 1;
    const startMs = Math.min(...timed.map((p) => p.startMs as number));
    const endMs = Math.max(...timed.map((p) => p.endMs as number));
    out.unshift(measure({ phase: '(start-up, P0 scan)', status: 'ok', seconds: (startMs - first) / 1000, startMs: first, endMs: startMs }));
    out.push(measure({ phase: '(after the last phase)', status: 'ok', seconds: Math.max(0, (last - endMs) / 1000), startMs: endMs, endMs: last }));
  }
  return out;
}

export interface PipelineRunOptions {
  readonly cliPath: string;
  readonly inputDir: string;
  readonly runDir: string;
  readonly configPath?: string;
  readonly workers?: number;
}

/** `tile-compile run INPUT --out RUN_DIR` as a measured process tree; its output goes to RUN_DIR.log. */
export async function runPipelineMeasured(o: PipelineRunOptions): Promise<PipelineRunResult> {
  const args = [o.cliPath, 'run', o.inputDir, '--out', o.runDir];
  if (o.configPath) args.push('--config', o.configPath);
  if (o.workers !== undefined) args.push('--workers', String(o.workers));
  const run = await runMeasured(process.execPath, args, `${o.runDir}.log`);
  const eventsPath = join(o.runDir, 'events.jsonl');
  const events = summarizeEvents(existsSync(eventsPath) ? readFileSync(eventsPath, 'utf8') : '');
  return { ...run, runDir: o.runDir, events, phaseResources: phaseResources(events.phases, run.timeline) };
}
