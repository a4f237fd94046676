import type { FileSystem } from '../../io/file-system';
import { CancelledError } from '../../util/cancel';
import type { ExecuteOptions, ExecutorStats, TaskExecutor, TaskUnit } from './executor';
import { ScratchBuffers } from '../../util/scratch-buffers';
import { taskHandler } from './registry';

/** Runs units one after another in this process (tests of the orchestrator, tiny runs). */
export class InProcessExecutor implements TaskExecutor {
  constructor(private readonly fs: FileSystem) {}

  async execute<P, R>(kind: string, units: readonly TaskUnit<P>[], opts: ExecuteOptions<R>): Promise<void> {
    const handler = taskHandler(kind);
    // the units run one after another, so they can share the frame-sized arrays
    const scratch = new ScratchBuffers();
    for (const unit of units) {
      if (opts.signal?.aborted) throw new CancelledError();
      const result = (await handler({ fs: this.fs, signal: opts.signal, scratch }, unit.payload)) as R;
      await opts.onDone(unit.index, result);
    }
  }

  stats(): ExecutorStats {
    return { workersLimit: 1, workersActive: 0, workersMaxRssMb: 0 };
  }

  async close(): Promise<void> {}
}
