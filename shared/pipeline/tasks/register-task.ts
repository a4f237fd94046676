import { prepareReference, registerFrame, type RegistrationReference, type RegistrationResult, type MovingFrame } from '../registration/cascade';
import { loadRunContext, type RunContext } from '../run/run-context';
import { appendRecord, readRecords } from '../run/unit-journal';
import { readProxySlot } from './measure-task';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P4 — registration of one frame's proxy against the reference proxy (no input read). Output: the
 * frame's line of work/registration.jsonl (run/unit-journal.ts).
 */
export interface RegisterPayload {
  readonly runDir: string;
  readonly frame: number;
  readonly reference: number;
}

export function registrationJournal(ctx: RunContext): string {
  return ctx.paths.workFile('registration.jsonl');
}

/** The P4 results recorded before a resume, by frame (`seal` as readRecords). */
export function readRegistrationRecords(ctx: RunContext, seal = false): Promise<Map<number, RegistrationResult>> {
  return readRecords<RegistrationResult>(ctx.fs, registrationJournal(ctx), (r) => r.frameIndex, seal);
}

export async function loadProxyFrame(ctx: RunContext, f: number): Promise<MovingFrame> {
  const { proxy, width, height, stars } = await readProxySlot(ctx, f);
  return { proxy, w: width, h: height, stars };
}

const referenceCache = new Map<string, Promise<RegistrationReference>>();

export function loadReference(ctx: RunContext, reference: number): Promise<RegistrationReference> {
  const key = `${ctx.paths.root}:${reference}`;
  let p = referenceCache.get(key);
  if (!p) {
    p = loadProxyFrame(ctx, reference).then((m) => prepareReference(m.proxy, m.w, m.h, m.stars, reference));
    referenceCache.set(key, p);
    p.catch(() => referenceCache.delete(key));
  }
  return p;
}

/** Drops a reference from this process's cache (the host's, once P4 no longer needs it). */
export function forgetReference(ctx: RunContext, reference: number): void {
  referenceCache.delete(`${ctx.paths.root}:${reference}`);
}

export async function registerUnit(env: TaskEnv, payload: RegisterPayload): Promise<RegistrationResult> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const ref = await loadReference(ctx, payload.reference);
  const moving = await loadProxyFrame(ctx, payload.frame);
  const result = registerFrame(ref, moving, ctx.config.registration, payload.frame, ctx.runKey);
  // not fsync'd (the worker waited for the device 200 times on the bench's M set): a record a
  // restart lost or tore is not read back, and its frame is registered again (same result)
  await appendRecord(env.fs, registrationJournal(ctx), result);
  return result;
}

registerTaskHandler('register', (env, payload) => registerUnit(env, payload as RegisterPayload));
