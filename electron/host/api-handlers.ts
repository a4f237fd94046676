import type { FileSystem } from '../../shared/io/file-system';
import type { ScanReport } from '../../shared/pipeline/scan-types';
import { checkRequest, type RunService } from '../../shared/contract/api';
import { ERROR_CODES, type ApiError, type ApiErrorCode, type ApiResult, type Channel, type DirEntry, type RequestOf, type ResponseOf } from '../../shared/contract/channels';
import { PathGuard } from './api/path-guard';
import { RecentFolders } from './api/recent-folders';
import { listRuns, mimeOf, readEvents, readRange } from './api/run-directory';
import { readDownsampled } from './api/image-reader';

/**
 * The one implementation of the contract (shared/contract/channels.ts). The Electron IPC handlers
 * and the browser host's WebSocket server both call `handle`, which validates the request, checks
 * every path against the allowed roots, runs the handler and turns any failure into an error
 * envelope. Capabilities a host lacks (a native dialog in the browser host) answer UNAVAILABLE.
 */
export interface ApiHostDeps {
  readonly fs: FileSystem;
  readonly host: 'electron' | 'browser';
  readonly version: string;
  readonly platform: string;
  readonly home: string;
  readonly runsRoot: string;
  /** Where "Try with demo data" writes its synthetic frames. */
  readonly demoRoot: string;
  readonly guard: PathGuard;
  readonly recent: RecentFolders;
  readonly runService: RunService | null;
  readonly scan: (dir: string, configText: string | undefined) => Promise<ScanReport>;
  /** Problems that stop a run (error severity), formatted for people; empty = valid. */
  readonly configErrors: (configText: string) => string[];
  readonly writeDemoSet: ((dir: string, frames: number) => Promise<void>) | null;
  readonly systemInfo: () => Promise<{ cpuCount: number; totalRamMb: number; availableRamMb: number }>;
  readonly chooseFolder?: (title: string | undefined) => Promise<string | null>;
  readonly openFolder?: (path: string) => Promise<boolean>;
}

export class ApiFailure extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const MAX_FILE_BYTES = 48 * 1024 * 1024;
const FITS_NAME = /\.(fits?|fts)(\.fz)?$/i;

type Handlers = { [C in Channel]: (req: RequestOf<C>) => Promise<ResponseOf<C>> };

export interface ApiHandlers {
  handle(channel: unknown, request: unknown): Promise<ApiResult<unknown>>;
}

export function createApiHandlers(deps: ApiHostDeps): ApiHandlers {
  const { fs, guard } = deps;
  const inside = (p: string): string => {
    const c = guard.check(p);
    if (c === null) throw new ApiFailure('PATH_NOT_ALLOWED', `${p} is outside the folders this app may read`);
    return c;
  };
  const isActive = (runDir: string) => deps.runService?.isActive(runDir) ?? false;
  const needRuns = (): RunService => {
    if (deps.runService === null) throw new ApiFailure('UNAVAILABLE', 'the stacking pipeline is not available in this build');
    return deps.runService;
  };

  const handlers: Handlers = {
    async 'app:info'() {
      const sys = await deps.systemInfo();
      return {
        version: deps.version,
        host: deps.host,
        platform: deps.platform,
        home: deps.home,
        runsRoot: deps.runsRoot,
        roots: guard.list(),
        recentFolders: deps.recent.list(),
        ...sys,
        nativeDialogs: deps.chooseFolder !== undefined,
        canOpenFolder: deps.openFolder !== undefined,
        canRun: deps.runService !== null,
      };
    },
    async 'dialog:chooseFolder'(req) {
      if (!deps.chooseFolder) throw new ApiFailure('UNAVAILABLE', 'no native folder dialog in this host; use the folder browser');
      const chosen = await deps.chooseFolder(req.title);
      // A folder the user picked in the OS dialog is theirs to read.
      if (chosen !== null) guard.allow(chosen);
      return { path: chosen === null ? null : fs.resolve(chosen) };
    },
    async 'fs:list'(req) {
      const dir = req.dir;
      const st = await fs.stat(dir);
      if (!st.isDirectory) throw new ApiFailure('NOT_FOUND', `${dir} is not a folder`);
      const entries: DirEntry[] = [];
      let fitsCount = 0;
      for (const name of await fs.readdir(dir)) {
        if (name.startsWith('.')) continue;
        const p = fs.join(dir, name);
        try {
          const s = await fs.stat(p);
          if (s.isDirectory) entries.push({ name, path: p, isDirectory: true, sizeBytes: 0 });
          else if (s.isFile && FITS_NAME.test(name)) {
            fitsCount++;
            entries.push({ name, path: p, isDirectory: false, sizeBytes: s.size });
          }
        } catch {
          // Broken links and unreadable entries are simply not offered.
        }
      }
      entries.sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory) || a.name.localeCompare(b.name, undefined, { numeric: true }));
      const up = fs.dirname(dir);
      return { dir, parent: up !== dir && guard.check(up) !== null ? up : null, entries: entries.slice(0, 5000), fitsCount };
    },
    async 'scan:folder'(req) {
      const report = await deps.scan(req.dir, req.configText);
      if (report.frames.length > 0) await deps.recent.add(report.inputDir);
      return report;
    },
    async 'config:save'(req) {
      const file = inside(req.path);
      if (!/\.ya?ml$/i.test(file)) throw new ApiFailure('INVALID_REQUEST', `${req.path}: a configuration is saved as a .yaml or .yml file`);
      const st = await fs.stat(file).catch(() => null);
      if (st?.isDirectory) throw new ApiFailure('INVALID_REQUEST', `${req.path} is a folder; add a file name such as tile_compile.yaml`);
      await fs.mkdirp(fs.dirname(file));
      await fs.writeFileAtomic(file, req.text);
      return { path: file, sizeBytes: (await fs.stat(file)).size };
    },
    async 'demo:create'(req) {
      if (deps.writeDemoSet === null) throw new ApiFailure('UNAVAILABLE', 'demo data cannot be made in this build');
      const frames = req.frames ?? 12;
      const dir = fs.join(deps.demoRoot, `demo-${frames}-frames`);
      await fs.rm(dir, { recursive: true });
      await fs.mkdirp(dir);
      await deps.writeDemoSet(dir, frames);
      guard.allow(dir);
      return { dir, frames };
    },
    async 'run:start'(req) {
      const errors = deps.configErrors(req.configText);
      if (errors.length > 0) throw new ApiFailure('CONFIG_INVALID', errors.slice(0, 5).join('\n'));
      const outDir = req.outDir ?? deps.runsRoot;
      await fs.mkdirp(outDir);
      return needRuns().start({ inputDir: req.inputDir, configText: req.configText, outDir });
    },
    async 'run:cancel'(req) {
      return { cancelled: await needRuns().cancel(req.runDir) };
    },
    async 'run:resume'(req) {
      return needRuns().resume(req.runDir);
    },
    async 'run:list'(req) {
      const root = req.root ?? deps.runsRoot;
      return { root, runs: await listRuns(fs, root, isActive) };
    },
    async 'run:read'(req) {
      if (!(await fs.exists(req.runDir))) throw new ApiFailure('NOT_FOUND', `${req.runDir} does not exist`);
      const { events, invalidLines } = await readEvents(fs, req.runDir);
      const configFile = fs.join(req.runDir, 'config.yaml');
      const configText = (await fs.exists(configFile)) ? await fs.readText(configFile) : null;
      return { runDir: req.runDir, events, invalidLines, configText, active: isActive(req.runDir) };
    },
    async 'run:file'(req) {
      const file = inside(fs.join(req.runDir, req.file));
      const st = await fs.stat(file);
      if (!st.isFile) throw new ApiFailure('NOT_FOUND', `${req.file} is not a file`);
      if (st.size > MAX_FILE_BYTES) throw new ApiFailure('TOO_LARGE', `${req.file} is ${Math.round(st.size / 1e6)} MB; the limit is 48 MB`);
      const bytes = await fs.readFile(file);
      return { file: req.file, mime: mimeOf(req.file), sizeBytes: st.size, base64: toBase64(bytes) };
    },
    async 'image:read'(req) {
      const file = inside(fs.join(req.runDir, req.file));
      const img = await readDownsampled(fs, file, req.maxSide);
      const { data, ...geometry } = img;
      return { ...geometry, base64: toBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) };
    },
    async 'logs:list'(req) {
      const dir = fs.join(req.runDir, 'logs');
      if (!(await fs.exists(dir))) return { files: [] };
      const files = [];
      for (const name of await fs.readdir(dir)) {
        const s = await fs.stat(fs.join(dir, name));
        if (s.isFile) files.push({ name, sizeBytes: s.size, mtimeMs: s.mtimeMs });
      }
      files.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name));
      return { files };
    },
    async 'logs:read'(req) {
      const file = inside(fs.join(req.runDir, 'logs', req.file));
      const { bytes, size } = await readRange(fs, file, req.fromByte, req.maxBytes ?? 1024 * 1024);
      // Stop at the last complete line so a reader never sees half a line twice.
      let end = bytes.length;
      if (req.fromByte + end < size) {
        const nl = bytes.lastIndexOf(10);
        if (nl >= 0) end = nl + 1;
      }
      return { text: new TextDecoder().decode(bytes.subarray(0, end)), sizeBytes: size, nextByte: Math.min(size, req.fromByte + end) };
    },
    async 'shell:openFolder'(req) {
      if (!deps.openFolder) throw new ApiFailure('UNAVAILABLE', 'this host cannot open folders on your desktop');
      return { opened: await deps.openFolder(req.path) };
    },
  };

  return {
    async handle(channel, request) {
      const checked = checkRequest(channel, request);
      if (!checked.ok) return { ok: false, error: checked.error };
      for (const p of checked.paths) {
        if (guard.check(p) === null) {
          return { ok: false, error: { code: 'PATH_NOT_ALLOWED', message: `${p} is outside the folders this app may read` } };
        }
      }
      try {
        const fn = handlers[channel as Channel] as (r: unknown) => Promise<unknown>;
        return { ok: true, value: await fn(checked.request) };
      } catch (err) {
        return { ok: false, error: toApiError(err) };
      }
    },
  };
}

const NOT_FOUND_CODES = new Set(['ENOENT', 'INPUT_NOT_FOUND', 'NOT_A_RUN']);

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure) return { code: err.code, message: err.message };
  const e = err as { code?: unknown; message?: unknown };
  // Pipeline and run-manager errors carry codes of their own; the contract's codes pass through.
  if (typeof e?.code === 'string' && (ERROR_CODES as readonly string[]).includes(e.code)) {
    return { code: e.code as ApiErrorCode, message: String(e.message) };
  }
  if (typeof e?.code === 'string' && NOT_FOUND_CODES.has(e.code)) return { code: 'NOT_FOUND', message: String(e.message ?? 'not found') };
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return { code: 'PATH_NOT_ALLOWED', message: String(e.message) };
  return { code: 'FAILED', message: typeof e?.message === 'string' ? e.message : String(err) };
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
