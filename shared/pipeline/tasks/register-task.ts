import { prepareReference, registerFrame, type RegistrationReference, type RegistrationResult, type MovingFrame } from '../registration/cascade';
import type { Star } from '../registration/stars';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readFloat32, readJson, writeJson } from '../run/run-files';
import { measurePaths, readMeasureRecord } from './measure-task';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P4 — registration of one frame's proxy against the reference proxy (no input read). Output:
 * work/registration/<f>.json (the unit's done marker).
 */
export interface RegisterPayload {
  readonly runDir: string;
  readonly frame: number;
  readonly reference: number;
}

export function registrationPath(ctx: RunContext, f: number): string {
  return ctx.paths.workFile('registration', `${f}.json`);
}

export async function loadProxyFrame(ctx: RunContext, f: number): Promise<MovingFrame> {
  const p = measurePaths(ctx, f);
  // three independent reads, side by side
  const [rec, proxy, stars] = await Promise.all([readMeasureRecord(ctx, f), readFloat32(ctx.fs, p.proxy), readJson<Star[]>(ctx.fs, p.stars)]);
  return { proxy, w: rec.proxyWidth, h: rec.proxyHeight, stars };
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
  await writeJson(env.fs, registrationPath(ctx, payload.frame), result);
  return result;
}

registerTaskHandler('register', (env, payload) => registerUnit(env, payload as RegisterPayload));
