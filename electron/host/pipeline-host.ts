import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { TileCompileConfig } from '../../shared/config';
import { planWorkers } from '../../shared/resources/memory-model';
import type { PipelineHost } from '../../shared/pipeline/run/run-pipeline';
import { InProcessExecutor } from '../../shared/pipeline/tasks/in-process-executor';
import '../../shared/pipeline/tasks/all-tasks';
import { nodeFileSystem } from './node-file-system';
import { encodePng } from './png';
import { availableMemoryProbe, memorySnapshot, processRssMb } from './system-memory';
import { NodeWorkerLauncher, workerHeapReserveMb, workerV8Flags, type WorkerLauncher } from './worker-launcher';
import { WorkerPool } from './worker-pool';

/**
 * The Node implementation of the pipeline's host: file system, PNG encoding, clock, memory
 * readings and the ResourceGovernor that sizes the worker pool (METHOD.md section 6).
 * `workers` overrides the computed count (CLI --workers); `inProcess` runs every unit in this
 * process (tests of the orchestrator, debugging).
 */
export interface PipelineHostOptions {
  readonly workers?: number;
  readonly inProcess?: boolean;
  readonly launcher?: WorkerLauncher;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  readonly onNotice?: (message: string) => void;
}

/**
 * What the host grows by during a run apart from canvases, MB: sharp/libvips and the QA maps
 * (~60 MB native) and the JS heap's own growth (~55 MB: the host is ~88 MB when it plans and
 * ~143 MB through the worker phases of a 24-frame M run).
 */
const HOST_MASTER_OVERHEAD_MB = 120;
/**
 * Canvas-sized float32 images the host has mapped at its peak in P10-P12: result, mean, coverage,
 * the finished copy, validation's and the QA maps' temporaries, some of them dead but not yet
 * collected. Measured host peaks: M 294 MB (12 MB frames), L50 989 MB (92 MB frames); with the
 * overhead above these need 7.2 and 8.6 copies.
 */
const HOST_CANVAS_COPIES = 9;

export function createPipelineHost(opts: PipelineHostOptions = {}): PipelineHost {
  return {
    fs: nodeFileSystem,
    now: () => new Date(),
    randomHex: () => randomBytes(3).toString('hex'),
    encodePng,
    log: opts.log,
    async memory() {
      const m = await memorySnapshot();
      return { rssMb: processRssMb(), availableMb: m.availableMb, maxRssMb: process.resourceUsage().maxRSS / 1024 };
    },
    yieldToEvents: () => new Promise<void>((resolve) => setImmediate(resolve)),
    every(ms, fn) {
      const t = setInterval(fn, ms);
      t.unref();
      return () => clearInterval(t);
    },
    async prepareExecutor(workingSetMb: number, config: TileCompileConfig) {
      const rt = config.runtime;
      const snap = await memorySnapshot(rt.memory_limit_mb);
      const maxWorkers = opts.workers ?? rt.max_workers;
      const workerOverheadMb = rt.worker_overhead_mb + workerHeapReserveMb(workingSetMb);
      const plan = planWorkers({
        // M_base: the host as it is now plus what its own master phases add later — P10-P12 hold
        // about six canvas-sized float32 images (result, mean, coverage, debayered copies), and sharp
        // (libvips) and the QA maps add ~60 MB of native memory (measured on small runs: host RSS
        // grows from ~88 MB at start to ~128 MB)
        baseMb: processRssMb() + HOST_MASTER_OVERHEAD_MB + HOST_CANVAS_COPIES * workingSetMb,
        // the largest working set of any phase: a decoded frame in P2/P6 (P9 tile stacks are split to fit)
        taskSizesMb: Array(Math.max(1, maxWorkers || 16)).fill(workingSetMb),
        ramMb: snap.ramMb,
        eta: rt.eta,
        gamma: rt.gamma,
        overheadMb: workerOverheadMb,
        minWorkers: opts.workers ?? rt.min_workers,
        maxWorkers,
        fallbackWorkers: rt.fallback_workers,
        cores: opts.workers ?? cpus().length,
      });
      if (opts.inProcess) return { executor: new InProcessExecutor(nodeFileSystem), plan: { ...plan, workers: 1 }, ramMb: snap.ramMb };
      const executor = new WorkerPool(opts.launcher ?? new NodeWorkerLauncher(), {
        ceiling: Math.max(1, plan.workers),
        reserveMb: rt.reserve_mb,
        gamma: rt.gamma,
        overheadMb: workerOverheadMb,
        availableMb: availableMemoryProbe(rt.memory_limit_mb),
        workerV8Flags: workerV8Flags(workingSetMb),
        onNotice: (n) => opts.onNotice?.(n.message),
      });
      return { executor, plan, ramMb: snap.ramMb };
    },
  };
}
