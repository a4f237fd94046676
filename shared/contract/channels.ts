import { runEventSchema } from './events';
import { scanReportSchema } from './scan-schema';
import { arr, bool, nullable, num, obj, oneOf, opt, path, str, type Infer, type Schema } from './schema';

/**
 * The one host <-> renderer contract: `domain:verb -> { request, response }`. The preload, the main
 * process handlers, the browser host's WebSocket server and its client are all derived from this map.
 * Requests are strict (unknown fields refused); every `path()` field is checked against the host's
 * allowed roots before a handler sees it.
 */

/** A path inside a run directory: relative, forward slashes, no `..`, no leading slash. */
const relativeFile = () => str({ nonEmpty: true, maxLength: 1024, pattern: /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\\:\0]+$/ });

const empty = obj({});

const runSummary = obj({
  runDir: str(),
  runId: str(),
  status: oneOf(['running', 'ok', 'validation_failed', 'failed', 'cancelled', 'interrupted', 'unknown'] as const),
  startedAt: nullable(str()),
  inputDir: nullable(str()),
  frames: nullable(num()),
  usableFrames: nullable(num()),
  mode: nullable(str()),
  seconds: nullable(num()),
  emergency: bool(),
});

const dirEntry = obj({ name: str(), path: str(), isDirectory: bool(), sizeBytes: num() });

export const channels = {
  'app:info': {
    request: empty,
    response: obj({
      version: str(),
      host: oneOf(['electron', 'browser'] as const),
      platform: str(),
      home: str(),
      runsRoot: str(),
      roots: arr(str()),
      recentFolders: arr(str()),
      cpuCount: num(),
      totalRamMb: num(),
      availableRamMb: num(),
      /** Capabilities the renderer adapts to: a native dialog and "Open folder" exist only in Electron. */
      nativeDialogs: bool(),
      canOpenFolder: bool(),
      canRun: bool(),
    }),
  },
  'dialog:chooseFolder': {
    request: obj({ title: opt(str({ maxLength: 200 })) }),
    response: obj({ path: nullable(str()) }),
  },
  'fs:list': {
    request: obj({ dir: path() }),
    response: obj({ dir: str(), parent: nullable(str()), entries: arr(dirEntry), fitsCount: num() }),
  },
  'scan:folder': {
    request: obj({ dir: path(), configText: opt(str({ maxLength: 1_048_576 })) }),
    response: scanReportSchema,
  },
  /**
   * Saves the editor's YAML text as it is (comments and key order kept) to a `.yaml`/`.yml` file
   * inside the allowed roots; written to a temporary name and renamed, so a crash never leaves half
   * a configuration. Invalid YAML may be saved too: it is the user's work in progress.
   */
  'config:save': {
    request: obj({ path: path(), text: str({ maxLength: 1_048_576 }) }),
    response: obj({ path: str(), sizeBytes: num() }),
  },
  'demo:create': {
    request: obj({ frames: opt(num({ min: 3, max: 60, integer: true })) }),
    response: obj({ dir: str(), frames: num() }),
  },
  'run:start': {
    request: obj({ inputDir: path(), configText: str({ maxLength: 1_048_576 }), outDir: opt(path()) }),
    response: obj({ runId: str(), runDir: str() }),
  },
  'run:cancel': {
    request: obj({ runDir: path() }),
    response: obj({ cancelled: bool() }),
  },
  'run:resume': {
    request: obj({ runDir: path() }),
    response: obj({ runId: str(), runDir: str() }),
  },
  'run:list': {
    request: obj({ root: opt(path()) }),
    response: obj({ root: str(), runs: arr(runSummary) }),
  },
  'run:read': {
    request: obj({ runDir: path() }),
    response: obj({
      runDir: str(),
      events: arr(runEventSchema),
      invalidLines: num(),
      // the frozen config.yaml of a run has every default filled in (~30 KB)
      configText: nullable(str({ maxLength: 1_048_576 })),
      active: bool(),
    }),
  },
  'run:file': {
    request: obj({ runDir: path(), file: relativeFile() }),
    response: obj({ file: str(), mime: str(), sizeBytes: num(), base64: str({ maxLength: 64 * 1024 * 1024 }) }),
  },
  'image:read': {
    request: obj({ runDir: path(), file: relativeFile(), maxSide: num({ min: 16, max: 4096, integer: true }) }),
    response: obj({
      width: num(),
      height: num(),
      planes: num(),
      /** Source pixels per returned pixel (1 = full resolution). */
      step: num(),
      fullWidth: num(),
      fullHeight: num(),
      /** Float32 little-endian, plane-major row-major; NaN = invalid. */
      base64: str({ maxLength: 200 * 1024 * 1024 }),
    }),
  },
  'logs:list': {
    request: obj({ runDir: path() }),
    response: obj({ files: arr(obj({ name: str(), sizeBytes: num(), mtimeMs: num() })) }),
  },
  'logs:read': {
    request: obj({
      runDir: path(),
      file: relativeFile(),
      fromByte: num({ min: 0, integer: true }),
      maxBytes: opt(num({ min: 1, max: 8 * 1024 * 1024, integer: true })),
    }),
    response: obj({ text: str({ maxLength: 16 * 1024 * 1024 }), sizeBytes: num(), nextByte: num() }),
  },
  'shell:openFolder': {
    request: obj({ path: path() }),
    response: obj({ opened: bool() }),
  },
} satisfies Record<string, { request: Schema<unknown>; response: Schema<unknown> }>;

export type Channel = keyof typeof channels;
export type RequestOf<C extends Channel> = Infer<(typeof channels)[C]['request']>;
export type ResponseOf<C extends Channel> = Infer<(typeof channels)[C]['response']>;
export const CHANNELS = Object.keys(channels) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name);
}

export type RunSummary = Infer<typeof runSummary>;
export type DirEntry = Infer<typeof dirEntry>;
export type AppInfo = ResponseOf<'app:info'>;

/** Events pushed host -> renderer. */
export const pushChannels = {
  'run:event': obj({ runDir: str(), event: runEventSchema }, { strict: false }),
  /** Electron app menu actions forwarded to the renderer. */
  'app:menu': obj({ action: oneOf(['chooseFolder', 'demo', 'openView', 'toggleNight'] as const), view: opt(str()) }),
};
export type PushChannel = keyof typeof pushChannels;
export type PushOf<C extends PushChannel> = Infer<(typeof pushChannels)[C]>;

export const ERROR_CODES = [
  'INVALID_REQUEST',
  'PATH_NOT_ALLOWED',
  'NOT_FOUND',
  'UNAVAILABLE',
  'CONFIG_INVALID',
  'TOO_LARGE',
  'FAILED',
] as const;
export type ApiErrorCode = (typeof ERROR_CODES)[number];
export interface ApiError {
  readonly code: ApiErrorCode;
  readonly message: string;
}
/** Errors are data: every call resolves to an envelope, so structure survives IPC and WebSocket. */
export type ApiResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ApiError };

export const apiResultErrorSchema = obj({ code: oneOf(ERROR_CODES), message: str() });
