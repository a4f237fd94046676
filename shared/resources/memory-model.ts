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
