import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandlers, toApiError, type ApiHandlers } from '../../../electron/host/api-handlers';
import { createNodeHostDeps } from '../../../electron/host/api/node-host-deps';
import { RunManager, RunRequestError } from '../../../electron/host/run-manager';
import { PipelineError } from '../../../shared/pipeline/run/pipeline-error';

let tmp: string;
let home: string;
let handlers: ApiHandlers;
let withoutRuns: ApiHandlers;

const YAML = '# my settings for the Seestar\ntile:\n  overlap_fraction: 0.3  # more overlap, fewer seams\nruntime:\n  allow_emergency_mode: true\n';

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-api-'));
  home = path.join(tmp, 'home');
  mkdirSync(path.join(home, 'configs'), { recursive: true });
  mkdirSync(path.join(tmp, 'outside'), { recursive: true });
  const base = { host: 'browser' as const, runsRoot: path.join(home, 'runs'), dataDir: path.join(home, '.tc'), home };
  handlers = createApiHandlers(await createNodeHostDeps({ ...base, runService: new RunManager({ inProcess: true }) }));
  withoutRuns = createApiHandlers(await createNodeHostDeps({ ...base, runService: null }));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('config:save', () => {
  it('writes the editor text byte for byte, comments included, and reports its size', async () => {
    const file = path.join(home, 'configs', 'seestar.yaml');
    const r = await handlers.handle('config:save', { path: file, text: YAML });
    expect(r).toEqual({ ok: true, value: { path: file, sizeBytes: Buffer.byteLength(YAML) } });
    expect(readFileSync(file, 'utf8')).toBe(YAML);
  });

  it('replaces an existing file without leaving a temporary file beside it', async () => {
    const file = path.join(home, 'configs', 'again.yml');
    writeFileSync(file, 'old: true\n');
    expect((await handlers.handle('config:save', { path: file, text: YAML })).ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(YAML);
    expect(readdirSync(path.dirname(file)).filter((n) => n.startsWith('again'))).toEqual(['again.yml']);
  });

  it('creates a missing folder inside the allowed roots', async () => {
    const file = path.join(home, 'new', 'deeper', 'tile_compile.yaml');
    expect((await handlers.handle('config:save', { path: file, text: YAML })).ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(YAML);
  });

  it('refuses a path outside the allowed roots', async () => {
    const r = await handlers.handle('config:save', { path: path.join(tmp, 'outside', 'x.yaml'), text: YAML });
    expect(r).toMatchObject({ ok: false, error: { code: 'PATH_NOT_ALLOWED' } });
    expect(readdirSync(path.join(tmp, 'outside'))).toEqual([]);
  });

  it('refuses a file that is not .yaml or .yml, so no other file can be overwritten', async () => {
    const target = path.join(home, '.bashrc');
    writeFileSync(target, 'keep me');
    const r = await handlers.handle('config:save', { path: target, text: YAML });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(readFileSync(target, 'utf8')).toBe('keep me');
  });

  it('refuses a folder that happens to end in .yaml', async () => {
    mkdirSync(path.join(home, 'odd.yaml'));
    expect(await handlers.handle('config:save', { path: path.join(home, 'odd.yaml'), text: YAML })).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });
});

describe('run:* over the RunManager', () => {
  it('answers UNAVAILABLE when the host has no pipeline', async () => {
    const r = await withoutRuns.handle('run:start', { inputDir: home, configText: '' });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });

  it('turns a missing input folder into NOT_FOUND', async () => {
    const r = await handlers.handle('run:start', { inputDir: path.join(home, 'no-such-lights'), configText: YAML });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses an invalid configuration before any run starts', async () => {
    const r = await handlers.handle('run:start', { inputDir: home, configText: 'tile:\n  overlap_fraction: 0.8\n' });
    expect(r).toMatchObject({ ok: false, error: { code: 'CONFIG_INVALID' } });
    expect(!r.ok && r.error.message).toContain('tile.overlap_fraction');
  });

  it('answers a cancel of a run that is not running with cancelled: false', async () => {
    expect(await handlers.handle('run:cancel', { runDir: path.join(home, 'runs', 'x') })).toEqual({ ok: true, value: { cancelled: false } });
  });
});

describe('toApiError', () => {
  it('keeps the contract codes of run-manager and pipeline errors and maps the rest', () => {
    expect(toApiError(new RunRequestError('UNAVAILABLE', 'busy'))).toEqual({ code: 'UNAVAILABLE', message: 'busy' });
    expect(toApiError(new PipelineError('CONFIG_INVALID', 'bad'))).toEqual({ code: 'CONFIG_INVALID', message: 'bad' });
    expect(toApiError(new PipelineError('NOT_A_RUN', 'no state'))).toEqual({ code: 'NOT_FOUND', message: 'no state' });
    expect(toApiError(new PipelineError('DISK_SPACE', 'full'))).toEqual({ code: 'FAILED', message: 'full' });
  });
});
