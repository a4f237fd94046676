import type { RuntimeConfig } from '../config/config-types';

/**
 * The worker-count model of METHOD.md section 6 — a pure function, tested on its own:
 *
 *   M(P) = M_base + Σ_{i=1..P} (γ·size_i + M_overhead)
 *   P_opt = max{ p ≥ 1 : M(p) ≤ η·M_RAM }, clipped to [min_workers, max_workers (0 → 16)],
 *           ≤ CPU cores, ≤ tasks
 *
 * size_i are the P largest working sets of the phase (a decoded float32 frame W·H·planes·4 in P2/P6,
 * a tile stack or strip in P9). γ = 3.0 covers the frame plus its warped copy and the background
 * surface a P6 task holds at once (measured peak ≈ 2.6× the decoded frame; 3.0 leaves headroom for
 * allocator slack). M_overhead = 50 MB is the RSS of an idle Node worker with the engine loaded.
 */
export interface WorkerPlanInput {
  /** Measured RSS of host (+ renderer), MB. */
  readonly baseMb: number;
  /** Working-set sizes of the phase's tasks, MB (any order). */
  readonly taskSizesMb: readonly number[];
  /** min(total RAM, cgroup limit, constrained memory, memory_limit_mb); null = unreadable. */
  readonly ramMb: number | null;
  readonly eta: number;
  readonly gamma: number;
  readonly overheadMb: number;
  readonly minWorkers: number;
  /** 0 = auto (16). */
  readonly maxWorkers: number;
  readonly fallbackWorkers: number;
  readonly cores: number;
}

export interface WorkerPlan {
  readonly workers: number;
  /** False when not even one worker fits: the run must not start (OUT_OF_MEMORY_PLAN). */
  readonly fits: boolean;
  /** M(workers) in MB (the expected peak of the phase). */
  readonly expectedPeakMb: number;
  /** η·M_RAM in MB. */
  readonly budgetMb: number;
  /** γ·size + overhead of the largest task, MB. */
  readonly perTaskMb: number;
  readonly reason: string;
}

export const AUTO_MAX_WORKERS = 16;

/**
 * Frames up to this size (decoded float32 MB, ~8 MP mono) run in workers started with the
 * small-frame V8 heap flags (electron/host/worker-launcher.ts, workerV8Flags).
 */
export const SMALL_FRAME_MB = 32;

/**
 * What those heap flags add to a worker's peak, MB: with the larger old generation a worker
 * collects less often, so more of its tasks' dead frame-sized buffers are still mapped when it
 * peaks. Measured on M (12 MB frames) 234-294 MB per worker over three runs against 196 planned
 * without it, i.e. up to ~8 frames; tiny frames ~0. Capped at the old generation's starting size
 * (not measured between 12 and 32 MB). Added to M_overhead by the host's plan.
 */
export function workerHeapReserveMb(workingSetMb: number): number {
  return workingSetMb <= SMALL_FRAME_MB ? Math.min(128, 8 * workingSetMb) : 0;
}

/**
 * P6 units gather the canvases of consecutive frames and write them to the work store together,
 * one write per cell (StoreGroup, pipeline/run/work-store.ts): as many frames as fit in 48 MiB, at
 * most 8. Frames above 24 MiB (~6 MP mono) are written one by one and hold no group.
 */
export const STORE_GROUP_BYTES = 48 * 1024 * 1024;
export const MAX_STORE_GROUP_FRAMES = 8;

/** Frames of `bytes` each that fit in `budget`, between 1 and MAX_STORE_GROUP_FRAMES. */
const framesIn = (budget: number, bytes: number) => Math.max(1, Math.min(MAX_STORE_GROUP_FRAMES, Math.floor(budget / Math.max(1, bytes))));

/**
 * Bytes a P6 worker's group may hold, planned from the decoded frame before the canvas is known:
 * as many frames as fit in STORE_GROUP_BYTES, or nothing when that is one.
 */
export function storeGroupBytes(frameBytes: number): number {
  const k = framesIn(STORE_GROUP_BYTES, frameBytes);
  return k > 1 ? k * frameBytes : 0;
}

/**
 * Frames per P6 unit: as many canvases as fit in the planned group bytes (a canvas larger than the
 * frame gives fewer). A function of the frame and canvas sizes only, so units never depend on the
 * worker count.
 */
export function storeGroupFrames(frameBytes: number, canvasBytes: number): number {
  return framesIn(storeGroupBytes(frameBytes), canvasBytes);
}

/** What a P6 worker's group adds to its peak, MB (the working set is the decoded frame, MB). */
export function storeGroupReserveMb(workingSetMb: number): number {
  return storeGroupBytes(workingSetMb * 1024 * 1024) / (1024 * 1024);
}

/**
 * What the host grows by during a run apart from canvases, MB: sharp/libvips and the QA maps
 * (~60 MB native) and the JS heap's own growth (~55 MB: ~88 MB when it plans, ~143 MB through the
 * worker phases of a 24-frame M run).
 */
export const HOST_GROWTH_MB = 120;
/**
 * Canvas-sized float32 images the host has mapped at its peak in P10-P12: result, mean, coverage,
 * the finished copy, validation's and the QA maps' temporaries, some of them dead but not yet
 * collected. Measured host peaks: M 294 MB (12 MB frames), L50 989 MB (92 MB frames); with the
 * growth above these need 7.2 and 8.6 copies.
 */
export const HOST_CANVAS_COPIES = 9;
/** The host's RSS when it plans a run (CLI and app, measured 83-88 MB): for estimates made elsewhere. */
export const TYPICAL_HOST_RSS_MB = 90;

/** M_base of the plan: the host's RSS now plus what it will grow by (frame = decoded working set, MB). */
export function hostBaseMb(hostRssMb: number, workingSetMb: number): number {
  return hostRssMb + HOST_GROWTH_MB + HOST_CANVAS_COPIES * workingSetMb;
}

export function memoryNeedMb(p: number, input: Pick<WorkerPlanInput, 'baseMb' | 'taskSizesMb' | 'gamma' | 'overheadMb'>): number {
  const sizes = [...input.taskSizesMb].sort((a, b) => b - a);
  let m = input.baseMb;
  for (let i = 0; i < p; i++) m += input.gamma * (sizes[i] ?? 0) + input.overheadMb;
  return m;
}

export function planWorkers(input: WorkerPlanInput): WorkerPlan {
  const tasks = input.taskSizesMb.length;
  const maxW = input.maxWorkers > 0 ? input.maxWorkers : AUTO_MAX_WORKERS;
  const largest = tasks > 0 ? Math.max(...input.taskSizesMb) : 0;
  const perTaskMb = input.gamma * largest + input.overheadMb;
  const upper = Math.max(1, Math.min(maxW, input.cores, Math.max(1, tasks)));
  if (input.ramMb === null) {
    const workers = Math.max(1, Math.min(input.fallbackWorkers, upper));
    return { workers, fits: true, expectedPeakMb: memoryNeedMb(workers, input), budgetMb: Number.NaN, perTaskMb, reason: 'memory size unreadable: fallback_workers' };
  }
  const budgetMb = input.eta * input.ramMb;
  if (memoryNeedMb(1, input) > budgetMb) {
    return {
      workers: 0,
      fits: false,
      expectedPeakMb: memoryNeedMb(1, input),
      budgetMb,
      perTaskMb,
      reason: `needs ${Math.ceil(memoryNeedMb(1, input))} MB for one worker, ${Math.floor(budgetMb)} MB available (η·RAM)`,
    };
  }
  let p = 1;
  while (p < upper && memoryNeedMb(p + 1, input) <= budgetMb) p++;
  // min_workers is honoured only where it still fits: the memory bound wins over a preference
  const minW = Math.min(input.minWorkers, upper);
  while (p < minW && memoryNeedMb(p + 1, input) <= budgetMb) p++;
  const limitedBy = p === upper ? (upper === input.cores ? 'CPU cores' : upper === tasks ? 'task count' : 'max_workers') : 'memory';
  return { workers: p, fits: true, expectedPeakMb: memoryNeedMb(p, input), budgetMb, perTaskMb, reason: `limited by ${limitedBy}` };
}

/** M_overhead of a worker of a run: the configured overhead plus the heap flags' and the store group's reserves. */
export function workerOverheadMb(rt: Pick<RuntimeConfig, 'worker_overhead_mb'>, workingSetMb: number): number {
  return rt.worker_overhead_mb + workerHeapReserveMb(workingSetMb) + storeGroupReserveMb(workingSetMb);
}

/**
 * The plan of a run from its runtime settings: the host's base (its RSS now plus its growth), the
 * largest working set of any phase per task (a decoded frame in P2/P6; P9 tile stacks are split to
 * fit) and the workers' overhead. `workers` (CLI --workers) asks for that many where they fit;
 * `tasks` bounds the count (default: as many as the worker limit allows). The engine plans with the
 * memory available at the start; the app's estimate before a run with the machine's total.
 */
export function planRunWorkers(
  rt: Pick<RuntimeConfig, 'eta' | 'gamma' | 'worker_overhead_mb' | 'min_workers' | 'max_workers' | 'fallback_workers'>,
  input: { readonly workingSetMb: number; readonly hostRssMb: number; readonly ramMb: number | null; readonly cores: number; readonly tasks?: number; readonly workers?: number },
): WorkerPlan {
  const maxWorkers = input.workers ?? rt.max_workers;
  return planWorkers({
    baseMb: hostBaseMb(input.hostRssMb, input.workingSetMb),
    taskSizesMb: Array(Math.max(1, input.tasks ?? (maxWorkers || AUTO_MAX_WORKERS))).fill(input.workingSetMb),
    ramMb: input.ramMb,
    eta: rt.eta,
    gamma: rt.gamma,
    overheadMb: workerOverheadMb(rt, input.workingSetMb),
    minWorkers: input.workers ?? rt.min_workers,
    maxWorkers,
    fallbackWorkers: rt.fallback_workers,
    cores: input.workers ?? input.cores,
  });
}
