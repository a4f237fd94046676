import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAppUrl, isSafeExternalUrl, mainWindowOptions } from '../../../electron/main/window-options';
import { CONTENT_SECURITY_POLICY } from '../../../shared/contract/csp';
import { CHANNELS } from '../../../shared/contract/channels';

/**
 * The Electron security settings, asserted without an Electron binary: the window options object,
 * the navigation rules, and a static scan of main/preload sources for the risky settings that
 * @doyensec/electronegativity reports as high severity.
 */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (p: string) => readFileSync(path.join(ROOT, p), 'utf8');
const sources = ['electron/main', 'electron/preload'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: `${dir}/${f}`, text: read(`${dir}/${f}`) })),
);

describe('mainWindowOptions', () => {
  const o = mainWindowOptions('/app/preload.cjs', { width: 1200, height: 800 });

  it('isolates the page: context isolation, sandbox, no Node anywhere', () => {
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    expect(o.webPreferences?.preload).toBe('/app/preload.cjs');
  });

  it('keeps a usable minimum size from a damaged saved state', () => {
    const tiny = mainWindowOptions('/p', { width: 10, height: 10 });
    expect(tiny.width).toBe(800);
    expect(tiny.height).toBe(600);
  });
});

describe('navigation rules', () => {
  const app = 'file:///opt/tc/resources/app.asar/dist/renderer/index.html';
  it('allows only the app page itself, with any query or hash', () => {
    expect(isAppUrl(`${app}?x=1#run`, app)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', app)).toBe(false);
    expect(isAppUrl('https://example.com/', app)).toBe(false);
    expect(isAppUrl('not a url', app)).toBe(false);
  });

  it('opens only https links externally', () => {
    expect(isSafeExternalUrl('https://github.com/')).toBe(true);
    expect(isSafeExternalUrl('http://example.com/')).toBe(false);
    expect(isSafeExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
  });
});

describe('static security scan of electron/main and electron/preload', () => {
  it.each([
    ['nodeIntegration enabled', /nodeIntegration\w*\s*:\s*true/],
    ['context isolation disabled', /contextIsolation\s*:\s*false/],
    ['sandbox disabled', /sandbox\s*:\s*false/],
    ['web security disabled', /webSecurity\s*:\s*false/],
    ['insecure content allowed', /allowRunningInsecureContent\s*:\s*true/],
    ['experimental features', /experimentalFeatures\s*:\s*true|enableBlinkFeatures/],
    ['webview tag enabled', /webviewTag\s*:\s*true/],
    ['the remote module', /enableRemoteModule|@electron\/remote/],
    ['plain-http loading', /loadURL\(\s*['"`]http:/],
    ['certificate errors ignored', /certificate-error|ignore-certificate-errors/],
    ['ipcRenderer handed to the page', /exposeInMainWorld\([^)]*ipcRenderer/],
  ])('finds no %s', (_name, pattern) => {
    const hits = sources.filter((s) => pattern.test(s.text)).map((s) => s.file);
    expect(hits).toEqual([]);
  });

  it('denies new windows and checks navigation for every web contents', () => {
    const main = read('electron/main/index.ts');
    expect(main).toMatch(/setWindowOpenHandler\([\s\S]*?action: 'deny'/);
    expect(main).toMatch(/'will-navigate'/);
    expect(main).toMatch(/'will-attach-webview'/);
    expect(main).toMatch(/setPermissionRequestHandler\([\s\S]*?callback\(false\)/);
  });

  it('checks the sender of every IPC message before handling it', () => {
    const ipc = read('electron/main/ipc.ts');
    const handlers = ipc.match(/ipcMain\.(handle|on)\(/g) ?? [];
    const checks = ipc.match(/if \(!trusted\(e\)/g) ?? [];
    expect(handlers.length).toBeGreaterThan(0);
    expect(checks.length).toBe(handlers.length);
    // The handler loop covers the whole contract, not a hand-kept list.
    expect(ipc).toMatch(/for \(const channel of CHANNELS\)/);
    expect(CHANNELS.length).toBeGreaterThan(10);
  });
});

describe('content security policy', () => {
  it('is the same in the page and in the shared constant, and has no unsafe script source', () => {
    const html = read('renderer/index.html');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    const script = CONTENT_SECURITY_POLICY.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(script?.trim()).toBe("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
  });

  it('the page has no inline script', () => {
    const html = read('renderer/index.html');
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)];
    expect(inline).toEqual([]);
  });
});
