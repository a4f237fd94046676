import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { TileCompileConfig } from '../../shared/config';
import { planRunWorkers, workerOverheadMb } from '../../shared/resources/memory-model';
import type { PipelineHost } from '../../shared/pipeline/run/run-pipeline';
import { InProcessExecutor } from '../../shared/pipeline/tasks/in-process-executor';
import '../../shared/pipeline/tasks/all-tasks';
import { bootId } from './boot-id';
import { nodeFileSystem } from './node-file-system';
import { encodePng } from './png';
import { availableMemoryProbe, memorySnapshot, processRssMb } from './system-memory';
import { NodeWorkerLauncher, workerEnv, workerV8Flags, type WorkerLauncher } from './worker-launcher';
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
    bootId,
    every(ms, fn) {
      const t = setInterval(fn, ms);
      t.unref();
      return () => clearInterval(t);
    },
    async prepareExecutor(workingSetMb: number, config: TileCompileConfig) {
      const rt = config.runtime;
      const snap = await memorySnapshot(rt.memory_limit_mb);
      const plan = planRunWorkers(rt, { workingSetMb, hostRssMb: processRssMb(), ramMb: snap.ramMb, cores: cpus().length, workers: opts.workers });
      if (opts.inProcess) return { executor: new InProcessExecutor(nodeFileSystem), plan: { ...plan, workers: 1 }, ramMb: snap.ramMb };
      const executor = new WorkerPool(opts.launcher ?? new NodeWorkerLauncher(), {
        ceiling: Math.max(1, plan.workers),
        reserveMb: rt.reserve_mb,
        gamma: rt.gamma,
        overheadMb: workerOverheadMb(rt, workingSetMb),
        availableMb: availableMemoryProbe(rt.memory_limit_mb),
        workerV8Flags: workerV8Flags(workingSetMb),
        workerEnv: workerEnv(workingSetMb),
        onNotice: (n) => opts.onNotice?.(n.message),
      });
      return { executor, plan, ramMb: snap.ramMb };
    },
  };
}
