import { DEFAULT_CONFIG } from '../../../shared/config/defaults';
import type { ScanReport } from '../../../shared/pipeline/scan-types';
import { planRunWorkers, TYPICAL_HOST_RSS_MB } from '../../../shared/resources/memory-model';

/**
 * A rough, explainable estimate of what a run will need, shown before it starts.
 * Memory: the engine's own plan (METHOD.md section 6, shared/resources/memory-model.ts) with the
 * default runtime settings and the machine's total RAM, so the number is the peak the run will plan
 * for (the run itself plans with the memory available at its start). Disk: its disk model (cell
 * store + quarter-size proxies + outputs + 10 %).
 * Time: a fixed cost, then per frame a CPU cost of a fixed part plus a part per megapixel, spread
 * over the workers at the ~0.82 CPU per worker and second they reach. Fitted to this project's
 * benchmark on a 2-core machine (bench/RESULTS.md, stop 13: S 60 x 0.8 MP 17.6 s, M 200 x 3.1 MP
 * 121 s, L50 50 x 24 MP 269 s; this gives 16, 136 and 239 s). A rough guide, and the UI says so.
 */
const FIXED_SECONDS = 1.5;
const FINISH_SECONDS_PER_MEGAPIXEL = 0.6;
const CPU_SECONDS_PER_FRAME = 0.15;
const CPU_SECONDS_PER_FRAME_MEGAPIXEL = 0.3;
const CPU_PER_WORKER = 0.82;

export interface RunEstimate {
  readonly workers: number;
  /** The plan's expected peak of the process tree (host and workers). */
  readonly ramBytes: number;
  readonly diskBytes: number;
  readonly seconds: number;
}

export function estimateRun(scan: ScanReport, machine: { cpuCount: number; totalRamMb: number }): RunEstimate | null {
  if (scan.width === null || scan.height === null || scan.usableFrames === 0) return null;
  const planes = scan.colorMode === 'RGB' ? 3 : 1;
  const frameBytes = scan.width * scan.height * planes * 4;
  const frameMb = frameBytes / 2 ** 20;
  const plan = planRunWorkers(DEFAULT_CONFIG.runtime, { workingSetMb: frameMb, hostRssMb: TYPICAL_HOST_RSS_MB, ramMb: machine.totalRamMb, cores: machine.cpuCount, tasks: Math.min(scan.usableFrames, 16) });
  // a machine on which not even one worker fits still gets the one-worker numbers (the run refuses
  // to start and says why; the estimate shows what it would need)
  const workers = Math.max(1, plan.workers);
  const n = scan.usableFrames;
  const outPlanes = scan.colorMode === 'MONO' ? 1 : 3;
  const store = n * frameBytes;
  const proxies = n * (frameBytes / 4);
  const outputs = scan.width * scan.height * outPlanes * 4 * 2;
  const diskBytes = Math.round((store + proxies + outputs) * 1.1);
  const megapixels = (scan.width * scan.height * planes) / 1e6;
  const cpuPerFrame = CPU_SECONDS_PER_FRAME + CPU_SECONDS_PER_FRAME_MEGAPIXEL * megapixels;
  const seconds = FIXED_SECONDS + FINISH_SECONDS_PER_MEGAPIXEL * megapixels + (n * cpuPerFrame) / (workers * CPU_PER_WORKER);
  return { workers, ramBytes: Math.round(plan.expectedPeakMb * 2 ** 20), diskBytes, seconds };
}
