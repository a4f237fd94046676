import type { RunEvent } from './events';
import {
  apiResultErrorSchema,
  channels,
  isChannel,
  pushChannels,
  type ApiError,
  type ApiResult,
  type Channel,
  type PushChannel,
  type PushOf,
  type RequestOf,
  type ResponseOf,
} from './channels';
import { formatIssues, validate, type Schema } from './schema';

/**
 * The API the renderer sees, as verbs (STYLE.md 4: the preload exposes verbs, never ipcRenderer).
 * The Electron preload and the WebSocket client both build this object from `API_VERBS`, so the
 * renderer never knows which host it talks to.
 */
export const API_VERBS = {
  getAppInfo: 'app:info',
  chooseFolder: 'dialog:chooseFolder',
  listFolder: 'fs:list',
  scanFolder: 'scan:folder',
  saveConfig: 'config:save',
  createDemoData: 'demo:create',
  startRun: 'run:start',
  cancelRun: 'run:cancel',
  resumeRun: 'run:resume',
  listRuns: 'run:list',
  readRun: 'run:read',
  readRunFile: 'run:file',
  readImage: 'image:read',
  listLogs: 'logs:list',
  readLog: 'logs:read',
  openFolder: 'shell:openFolder',
} as const satisfies Record<string, Channel>;

export type ApiVerb = keyof typeof API_VERBS;
type VerbFns = {
  [V in ApiVerb]: (request: RequestOf<(typeof API_VERBS)[V]>) => Promise<ApiResult<ResponseOf<(typeof API_VERBS)[V]>>>;
};

export interface TileCompileApi extends VerbFns {
  /** Live run events; returns the unsubscribe function. */
  onRunEvent(listener: (payload: PushOf<'run:event'>) => void): () => void;
  onMenu(listener: (payload: PushOf<'app:menu'>) => void): () => void;
  /** The filesystem path of a dropped File (Electron only; null in the browser host). */
  pathForFile(file: unknown): string | null;
}

export type RequestCheck<C extends Channel> =
  | { readonly ok: true; readonly request: RequestOf<C>; readonly paths: readonly string[] }
  | { readonly ok: false; readonly error: ApiError };

/** Validates a request for a channel; refuses unknown channels and malformed payloads. */
export function checkRequest(channel: unknown, request: unknown): RequestCheck<Channel> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'INVALID_REQUEST', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
  }
  const r = validate(channels[channel].request as Schema<unknown>, request, 'request');
  if (!r.ok) return { ok: false, error: { code: 'INVALID_REQUEST', message: `${channel}: ${formatIssues(r.issues)}` } };
  return { ok: true, request: r.value as RequestOf<Channel>, paths: r.paths };
}

/** Validates a host's answer (renderer side); a contract breach becomes an error, never bad state. */
export function checkResult<C extends Channel>(channel: C, result: unknown): ApiResult<ResponseOf<C>> {
  if (typeof result !== 'object' || result === null) {
    return { ok: false, error: { code: 'FAILED', message: `${channel}: malformed answer` } };
  }
  const r = result as { ok?: unknown; value?: unknown; error?: unknown };
  if (r.ok === false) {
    const e = validate(apiResultErrorSchema, r.error, 'error');
    return e.ok ? { ok: false, error: e.value } : { ok: false, error: { code: 'FAILED', message: `${channel}: malformed error` } };
  }
  const v = validate(channels[channel].response as Schema<unknown>, r.value, 'response');
  if (!v.ok) return { ok: false, error: { code: 'FAILED', message: `${channel}: ${formatIssues(v.issues.slice(0, 3))}` } };
  return { ok: true, value: v.value as ResponseOf<C> };
}

export function checkPush<C extends PushChannel>(channel: C, payload: unknown): PushOf<C> | null {
  const r = validate(pushChannels[channel] as Schema<unknown>, payload, 'push');
  return r.ok ? (r.value as PushOf<C>) : null;
}

/**
 * The run pipeline as the host sees it. Implemented by electron/host/run-manager.ts;
 * api-handlers adapts the run:* channels onto it. Run directories are read by api-handlers itself
 * (events.jsonl, logs, artifacts), so a past run needs no RunService at all.
 */
export interface RunService {
  start(plan: { inputDir: string; configText: string; outDir: string }): Promise<{ runId: string; runDir: string }>;
  /** Resolves false when the run is not active in this host. */
  cancel(runDir: string): Promise<boolean>;
  resume(runDir: string): Promise<{ runId: string; runDir: string }>;
  /** True while the run executes in this host process. */
  isActive(runDir: string): boolean;
  /** Every event of every run this host executes, already appended to that run's events.jsonl. */
  subscribe(listener: (runDir: string, event: RunEvent) => void): () => void;
}
