import type { ScanReport } from '../../../shared/pipeline/scan-types';

/**
 * A rough, explainable estimate of what a run will need, shown before it starts. It mirrors the
 * memory model of METHOD.md section 6 (gamma 3.0, 50 MB per worker, eta 0.75, <= 16 workers) and its
 * disk model (cell store + quarter-size proxies + outputs + 10 %). Time: a fixed start-up and
 * finish cost, a per-frame cost (decode, star search, task round trips) and a per-megapixel cost
 * for three passes. Measured on the 2-core CI machine (24 OSC frames of 256×192 with 2 workers:
 * 14 s; 8 frames of 128×96 in one process: 5 s); the megapixel rate follows the ~10 s of local
 * metrics per 12 MP frame. A rough guide, and the UI says so.
 */
const GAMMA = 3.0;
const WORKER_OVERHEAD_MB = 50;
const ETA = 0.75;
const MAX_WORKERS = 16;
const FIXED_SECONDS = 5;
const SECONDS_PER_FRAME = 0.4;
const SECONDS_PER_MEGAPIXEL_PASS = 0.8;

export interface RunEstimate {
  readonly workers: number;
  readonly ramBytes: number;
  readonly diskBytes: number;
  readonly seconds: number;
}

export function estimateRun(scan: ScanReport, machine: { cpuCount: number; totalRamMb: number }): RunEstimate | null {
  if (scan.width === null || scan.height === null || scan.usableFrames === 0) return null;
  const planes = scan.colorMode === 'RGB' ? 3 : 1;
  const frameBytes = scan.width * scan.height * planes * 4;
  const perWorkerMb = (GAMMA * frameBytes) / 2 ** 20 + WORKER_OVERHEAD_MB;
  const budgetMb = ETA * machine.totalRamMb;
  const byRam = Math.max(1, Math.floor(budgetMb / perWorkerMb));
  const workers = Math.max(1, Math.min(byRam, machine.cpuCount, MAX_WORKERS, scan.usableFrames));
  const n = scan.usableFrames;
  const outPlanes = scan.colorMode === 'MONO' ? 1 : 3;
  const store = n * frameBytes;
  const proxies = n * (frameBytes / 4);
  const outputs = scan.width * scan.height * outPlanes * 4 * 2;
  const diskBytes = Math.round((store + proxies + outputs) * 1.1);
  const megapixels = (scan.width * scan.height * planes) / 1e6;
  // Two decoding passes per frame plus tile work of about one more pass, spread over the workers.
  const seconds = FIXED_SECONDS + (n * (SECONDS_PER_FRAME + 3 * megapixels * SECONDS_PER_MEGAPIXEL_PASS)) / workers;
  return { workers, ramBytes: Math.round(workers * perWorkerMb * 2 ** 20), diskBytes, seconds };
}
