import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApiHandlers } from '../../../electron/host/api-handlers';
import { createNodeHostDeps } from '../../../electron/host/api/node-host-deps';
import { startBrowserHost, type BrowserHost } from '../../../electron/host/browser-host/server';
import { CONTENT_SECURITY_POLICY } from '../../../shared/contract/csp';

const FIXTURE_RUN = fileURLToPath(new URL('../../fixtures/runs/20250101T220000Z-a1b2c3', import.meta.url));

let tmp: string;
let home: string;
let outside: string;
let host: BrowserHost;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-host-'));
  home = path.join(tmp, 'home');
  outside = path.join(tmp, 'outside');
  const staticDir = path.join(tmp, 'static');
  for (const d of [home, outside, staticDir, path.join(home, 'lights')]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  writeFileSync(path.join(tmp, 'beside-static.txt'), 'no');
  symlinkSync(outside, path.join(home, 'link-out'));
  const runsRoot = path.join(home, 'runs');
  cpSync(FIXTURE_RUN, path.join(runsRoot, path.basename(FIXTURE_RUN)), { recursive: true });
  const deps = await createNodeHostDeps({ host: 'browser', runsRoot, dataDir: path.join(home, '.tc'), runService: null, home });
  host = await startBrowserHost({ handlers: createApiHandlers(deps), runService: null, staticDir, port: 0 });
});

afterAll(async () => {
  await host?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function wsUrl(token: string | null): string {
  return `ws://127.0.0.1:${host.port}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}

/** Resolves the HTTP status the upgrade was refused with, or 101 when it connected. */
function connectStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

async function call(channel: string, req: unknown): Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }> {
  const ws = new WebSocket(wsUrl(host.token));
  await new Promise((r) => ws.once('open', r));
  const answer = new Promise<any>((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))));
  ws.send(JSON.stringify({ id: 1, channel, request: req }));
  const msg = await answer;
  ws.close();
  return msg.result;
}

function httpGet(p: string, hostHeader?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(
      { host: '127.0.0.1', port: host.port, path: p, headers: hostHeader ? { host: hostHeader } : {} },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    r.on('error', reject);
    r.end();
  });
}

describe('browser host connection', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a WebSocket without the token', async () => {
    expect(await connectStatus(wsUrl(null))).toBe(401);
  });

  it('refuses a WebSocket with a wrong token of the same length', async () => {
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    expect(await connectStatus(wsUrl(wrong))).toBe(401);
  });

  it('refuses a WebSocket opened by a page from another origin, even with the token', async () => {
    expect(await connectStatus(wsUrl(host.token), { origin: 'http://evil.example' })).toBe(403);
  });

  it('accepts the token and answers a request', async () => {
    expect(await connectStatus(wsUrl(host.token), { origin: `http://127.0.0.1:${host.port}` })).toBe(101);
    const r = await call('app:info', {});
    expect(r.ok).toBe(true);
    expect(r.value.host).toBe('browser');
    expect(r.value.nativeDialogs).toBe(false);
  });
});

describe('browser host requests', () => {
  it('refuses a path outside the allowed roots', async () => {
    const r = await call('fs:list', { dir: outside });
    expect(r.error?.code).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses a path that escapes through a symlink inside a root', async () => {
    const r = await call('fs:list', { dir: path.join(home, 'link-out') });
    expect(r.error?.code).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses a path that climbs out with ..', async () => {
    const r = await call('scan:folder', { dir: path.join(home, '..', 'outside') });
    expect(r.error?.code).toBe('PATH_NOT_ALLOWED');
  });

  it('refuses a run file that climbs out of the run directory', async () => {
    const r = await call('run:file', { runDir: path.join(home, 'runs'), file: '../../outside/secret.txt' });
    expect(r.error?.code).toBe('INVALID_REQUEST');
  });

  it('refuses a malformed request', async () => {
    const r = await call('fs:list', { dir: home, extra: 1 });
    expect(r.error?.code).toBe('INVALID_REQUEST');
  });

  it('lists a folder inside a root, folders first', async () => {
    const r = await call('fs:list', { dir: home });
    expect(r.ok).toBe(true);
    expect(r.value.entries.map((e: { name: string }) => e.name)).toContain('lights');
    expect(r.value.parent).toBeNull();
  });

  it('lists past runs from their run directories', async () => {
    const r = await call('run:list', {});
    expect(r.value.runs).toHaveLength(1);
    expect(r.value.runs[0]).toMatchObject({ status: 'ok', frames: 12, usableFrames: 11, mode: 'emergency', emergency: true });
  });

  it('reads a run, its log from an offset, and answers UNAVAILABLE for a run start without a pipeline', async () => {
    const runDir = path.join(home, 'runs', path.basename(FIXTURE_RUN));
    const run = await call('run:read', { runDir });
    expect(run.value.events.length).toBe(169);
    const log = await call('logs:read', { runDir, file: 'app.log', fromByte: 0, maxBytes: 200 });
    expect(log.value.text.endsWith('\n')).toBe(true);
    expect(log.value.nextByte).toBe(Buffer.byteLength(log.value.text));
    const start = await call('run:start', { inputDir: home, configText: '' });
    expect(start.error?.code).toBe('UNAVAILABLE');
  });

  it('refuses to start a run with an invalid configuration, naming the key', async () => {
    const r = await call('run:start', { inputDir: home, configText: 'tile:\n  overlap_fraction: 0.8\n' });
    expect(r.error?.code).toBe('CONFIG_INVALID');
    expect(r.error?.message).toContain('tile.overlap_fraction');
  });
});

describe('browser host static files', () => {
  it('serves the app with the strict CSP and no-sniff headers', async () => {
    const r = await httpGet('/');
    expect(r.status).toBe(200);
    expect(r.headers['content-security-policy']).toContain(CONTENT_SECURITY_POLICY);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('does not serve files beside the static folder', async () => {
    expect((await httpGet('/../beside-static.txt')).status).toBe(404);
    expect((await httpGet('/%2e%2e/beside-static.txt')).status).toBe(404);
  });

  it('answers only to its own host name (DNS rebinding)', async () => {
    expect((await httpGet('/', 'attacker.example:80')).status).toBe(421);
  });
});
