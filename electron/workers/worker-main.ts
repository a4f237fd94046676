/**
 * Worker process entry point (child_process.fork under Node, utilityProcess under Electron).
 * Runs its tasks one at a time against the run directory and answers each with a small JSON result
 * or a typed failure. Never imports main-process or renderer code.
 */
import { getHeapStatistics } from 'node:v8';
import { nodeFileSystem } from '../host/node-file-system';
import { taskHandler } from '../../shared/pipeline/tasks/registry';
import '../../shared/pipeline/tasks/all-tasks';
import type { HostToWorker, WorkerToHost } from '../host/worker-messages';
import { createWorkerLogger, describeTask, type Logger } from '../host/logging';
import { ScratchBuffers } from '../../shared/util/scratch-buffers';

// One log per run folder (RUN_DIR/logs/worker-<n>.log); the run dir comes with each task.
const logs = new Map<string, Logger>();
function taskLog(kind: string, payload: unknown): { log: Logger | null; what: string } {
  const { runDir, ctx, what } = describeTask(kind, payload);
  if (runDir === null) return { log: null, what };
  let log = logs.get(runDir);
  if (!log) logs.set(runDir, (log = createWorkerLogger(runDir)));
  return { log: log.child(ctx), what };
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * Between tasks, a JS heap above this is collected at once (workerV8Flags start V8's old
 * generation at 128 MB so that tasks are not interrupted by full collections; this keeps the
 * garbage of many tasks from filling those 128 MB). The collection runs while the host sends the
 * next task.
 */
const HEAP_TRIM_BYTES = 40 * 1024 * 1024;
const collectGarbage = (globalThis as { gc?: () => void }).gc;
function trimHeap(): void {
  if (collectGarbage && getHeapStatistics().used_heap_size > HEAP_TRIM_BYTES) collectGarbage();
}

/**
 * Frame-sized arrays reused from task to task (one task runs at a time). A new kind of task (the
 * next phase) starts with none: the frame buffers of P2 and P6 are not carried into P9.
 */
let scratch = { kind: '', buffers: new ScratchBuffers() };
function scratchFor(kind: string): ScratchBuffers {
  if (scratch.kind !== kind) {
    const held = scratch.buffers.bytes;
    scratch = { kind, buffers: new ScratchBuffers() };
    // give the old arrays back now, before the new phase's tasks allocate theirs
    if (held > 0) collectGarbage?.();
  }
  return scratch.buffers;
}

// Electron's utilityProcess talks over process.parentPort; child_process.fork over process.send.
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(m: WorkerToHost): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
}

function isTransient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOSPC' || code === 'EIO' || code === 'EAGAIN' || code === 'EBUSY' || code === 'EMFILE' || code === 'ETIMEDOUT';
}

type TaskMessage = Extract<HostToWorker, { type: 'task' }>;

/**
 * Tasks run one at a time, in the order they arrive. The host may send the next task while one
 * runs (worker-pool.ts: one queued per worker), so that the worker starts it the moment it has
 * answered, without waiting for the host to take the answer in; the scratch arrays and the memory
 * model both assume one running task.
 */
const queue: TaskMessage[] = [];
let running = false;

async function runQueue(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) await runTask(m);
  } finally {
    running = false;
  }
}

async function runTask(m: TaskMessage): Promise<void> {
  const { log, what } = taskLog(m.kind, m.payload);
  const t0 = Date.now();
  log?.debug(`${what} started (pid ${process.pid})`);
  try {
    const result = await taskHandler(m.kind)({ fs: nodeFileSystem, scratch: scratchFor(m.kind) }, m.payload);
    log?.info(`${what} done in ${((Date.now() - t0) / 1000).toFixed(2)} s, peak memory ${Math.round(maxRssMb())} MB`);
    send({ type: 'result', id: m.id, result, maxRssMb: maxRssMb() });
  } catch (err) {
    const e = err as Error & { code?: string };
    const oom = err instanceof RangeError && /allocation failed|Invalid typed array length/i.test(e.message);
    log?.error(`${what} failed: ${oom ? 'WORKER_OOM' : (e.code ?? 'TASK_FAILED')} ${e.message}`);
    send({
      type: 'failed',
      id: m.id,
      failure: { code: oom ? 'WORKER_OOM' : (e.code ?? 'TASK_FAILED'), message: e.message, transient: oom || isTransient(err), cause: e.stack },
      maxRssMb: maxRssMb(),
    });
  }
  trimHeap();
}

function onMessage(raw: unknown): void {
  const m = raw as HostToWorker;
  switch (m.type) {
    case 'shutdown':
      process.exit(0);
      break;
    case 'task':
      queue.push(m);
      void runQueue();
      break;
  }
}

if (parentPort) parentPort.on('message', (e) => onMessage(e.data));
else process.on('message', onMessage);
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
