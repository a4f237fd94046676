import type { WorkerPlan } from '../../resources/memory-model';
import type { ScanReport } from '../scan-types';
import { readJson, writeJson } from './run-files';
import type { Runtime } from './runtime';

/** Run-level metric files the orchestrator writes besides the phase outputs. */

/**
 * metrics/memory.json, "plan vs measured" (METHOD.md section 5): the worker plan and the peak RSS
 * of every process of this run (host and workers, each read back from the process itself). By
 * nature it differs between runs and machines: it is the one metrics file outside the
 * byte-identity of acceptance 9. Written for failed and cancelled runs too; never fails a run.
 */
export async function writeMemoryMetrics(rt: Runtime, plan: WorkerPlan, ramMb: number | null): Promise<void> {
  try {
    const host = await rt.host.memory();
    const s = rt.host.executor.stats();
    const workers = (s.workers ?? []).map((w) => ({ pid: w.pid, max_rss_mb: round1(w.maxRssMb) }));
    const hostMax = host.maxRssMb ?? host.rssMb;
    const finite = (v: number) => (Number.isFinite(v) ? round1(v) : null);
    await writeJson(rt.host.fs, rt.ctx.paths.metricsFile('memory.json'), {
      plan: {
        ram_mb: ramMb === null ? null : round1(ramMb),
        budget_mb: finite(plan.budgetMb),
        workers: plan.workers,
        per_worker_mb: round1(plan.perTaskMb),
        base_mb: round1(plan.expectedPeakMb - plan.workers * plan.perTaskMb),
        expected_peak_mb: round1(plan.expectedPeakMb),
        eta: rt.ctx.config.runtime.eta,
        gamma: rt.ctx.config.runtime.gamma,
        worker_overhead_mb: rt.ctx.config.runtime.worker_overhead_mb,
        reason: plan.reason,
      },
      measured: {
        host_max_rss_mb: round1(hostMax),
        workers,
        workers_max_rss_mb: round1(Math.max(0, ...workers.map((w) => w.max_rss_mb))),
        // the processes may peak at different moments: their sum bounds the tree's joint peak
        tree_peak_bound_mb: round1(hostMax + s.workersMaxRssMb),
      },
    });
  } catch (err) {
    rt.host.log?.('warn', `metrics/memory.json not written: ${(err as Error).message}`);
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Input files that match the pattern but could not be read as a frame (truncated, not FITS,
 * unreadable): the scan skips them, so they are not in the manifest. metrics/scan.json has them.
 */
export async function unreadableFrames(rt: Runtime): Promise<Array<{ file: string; detail: string; message: string }>> {
  const path = rt.ctx.paths.metricsFile('scan.json');
  if (!(await rt.host.fs.exists(path))) return [];
  const scan = await readJson<ScanReport>(rt.host.fs, path);
  return scan.problems
    .filter((p) => p.file !== null && p.severity !== 'info' && (p.code === 'TRUNCATED' || p.code === 'UNREADABLE' || p.code === 'NOT_FITS'))
    .map((p) => ({ file: p.file as string, detail: p.code, message: p.message }));
}
