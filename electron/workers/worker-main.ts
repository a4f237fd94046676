/**
 * Worker process entry point (child_process.fork under Node, utilityProcess under Electron).
 * Receives one task at a time, runs its handler against the run directory and answers with a small
 * JSON result or a typed failure. Never imports main-process or renderer code.
 */
import { nodeFileSystem } from '../host/node-file-system';
import { taskHandler } from '../../shared/pipeline/tasks/registry';
import '../../shared/pipeline/tasks/all-tasks';
import type { HostToWorker, WorkerToHost } from '../host/worker-messages';

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

function send(m: WorkerToHost): void {
  process.send?.(m);
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOSPC' || code === 'EIO' || code === 'EAGAIN' || code === 'EBUSY' || code === 'EMFILE' || code === 'ETIMEDOUT';
}

process.on('message', (raw) => {
  const m = raw as HostToWorker;
  switch (m.type) {
    case 'shutdown':
      process.exit(0);
      break;
    case 'task':
      taskHandler(m.kind)({ fs: nodeFileSystem }, m.payload).then(
        (result) => send({ type: 'result', id: m.id, result, maxRssMb: maxRssMb() }),
        (err: unknown) => {
          const e = err as Error & { code?: string };
          const oom = err instanceof RangeError && /allocation failed|Invalid typed array length/i.test(e.message);
          send({
            type: 'failed',
            id: m.id,
            failure: { code: oom ? 'WORKER_OOM' : (e.code ?? 'TASK_FAILED'), message: e.message, transient: oom || isTransient(err), cause: e.stack },
            maxRssMb: maxRssMb(),
          });
        },
      );
      break;
  }
});

process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
