import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as serve } from '../../electron/cli/commands/serve';
import { nodeFileSystem } from '../../electron/host/node-file-system';
import { createSkySpec, writeSynthSet } from '../../shared/synth';

/**
 * The issue-6 flow end to end, in real headless Chromium against the real browser host
 * (`tile-compile serve`, in this process) and the REAL pipeline in real worker processes
 * (dist/workers/worker-main.js, built by `npm test` before the suites run):
 * try the demo data, choose a folder of 24 synthetic OSC frames (256×192), see the "too few frames"
 * problem, fix the configuration in the editor (an inline error appears for a bad value and goes
 * away), save it, run, watch per-frame progress reach 100 %, open the result and a QA map, read
 * the logs of the host and of a worker, find the run in History; night mode and German at the end.
 * Screenshots of every view go to test-results/screenshots/.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const WORKER_BUNDLE = path.join(ROOT, 'dist/workers/worker-main.js');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FRAMES = 24;
const CONFIG_OK = 'runtime:\n  allow_emergency_mode: true  # only 24 frames tonight\ntile:\n  overlap_fraction: 0.3\n';

let tmp: string;
let lights: string;
let runsRoot: string;
let url: string;
let stop: AbortController;
let served: Promise<number>;
let browser: Browser;
let page: Page;
let runDir: string;
let excludedLive = -1;
const consoleErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function typeConfig(text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

const view = (name: string) => page.locator(`[data-view="${name}"]`).click();

beforeAll(async () => {
  // Workers run the bundled entry; a bundle older than the logging hook would hide worker logs.
  if (!existsSync(WORKER_BUNDLE) || !readFileSync(WORKER_BUNDLE, 'utf8').includes('TILE_COMPILE_WORKER_ID')) {
    throw new Error(`${WORKER_BUNDLE} is missing or stale: run "node build/scripts/build.js --no-renderer" (npm test does)`);
  }
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-e2e-'));
  const staticDir = path.join(tmp, 'renderer');
  const built = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--outDir', staticDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`renderer build failed: ${built.stderr}`);

  lights = path.join(tmp, 'sky', 'lights');
  await writeSynthSet(nodeFileSystem, lights, createSkySpec({ frames: FRAMES, width: 256, height: 192, bayer: 'RGGB', seed: 3 }));
  runsRoot = path.join(tmp, 'runs');

  stop = new AbortController();
  let out = '';
  let announce: (u: string) => void;
  const announced = new Promise<string>((r) => (announce = r));
  const io = {
    stdout: (t: string) => {
      out += t;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) announce(m[1]);
    },
    stderr: (t: string) => {
      out += t;
    },
    signal: stop.signal,
  };
  served = serve.run(['--port', '0', '--static', staticDir, '--data', path.join(tmp, 'data'), '--runs', runsRoot, '--root', tmp, '--workers', '2'], io);
  url = await Promise.race([announced, served.then((code) => Promise.reject(new Error(`serve exited ${code}: ${out}`)))]);

  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  stop?.abort();
  await served;
  rmSync(tmp, { recursive: true, force: true });
});

describe('the issue-6 flow in a browser, against the real pipeline', () => {
  it('connects with the printed URL and shows the Input view in English', async () => {
    await page.goto(url);
    await page.getByTestId('lang-select').selectOption('en');
    await expect.poll(() => page.getByTestId('choose-folder').isVisible()).toBe(true);
    await shot('01-input-empty');
  });

  it('makes demo data and scans it', async () => {
    await page.getByTestId('demo-data').click();
    await page.getByTestId('scan-summary').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('scan-table').locator('tbody tr').count()).toBe(12);
  });

  it('chooses a folder on the server and flags the problem in plain words', async () => {
    await page.getByTestId('choose-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('folder-path').fill(path.dirname(lights));
    await page.getByTestId('dir-entry').filter({ hasText: 'lights' }).click();
    await expect.poll(() => page.getByTestId('folder-browser').textContent()).toContain(`${FRAMES} FITS files`);
    await shot('02-folder-browser');
    await page.getByTestId('use-folder').click();
    await expect.poll(() => page.getByTestId('scan-table').locator('tbody tr').count(), { timeout: 30_000 }).toBe(FRAMES);
    const flagged = page.locator('[data-testid="scan-problems"] li.problem.error[data-code="INSUFFICIENT_FRAMES"]');
    await expect.poll(() => flagged.count()).toBe(1);
    expect(await page.getByTestId('scan-mode').textContent()).toContain('cannot run');
    expect(await page.getByTestId('start-run').count()).toBe(0);
    // The way out is offered as a button too; this test takes the editor route.
    expect(await page.getByTestId('allow-emergency').isVisible()).toBe(true);
    await shot('03-input-problem');
  });

  it('shows an inline error for a bad value and removes it when fixed', async () => {
    await view('config');
    await page.getByTestId('yaml-editor').waitFor();
    await typeConfig(CONFIG_OK.replace('0.3', '0.8'));
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('config-status').textContent()).toContain('error');
    expect(await page.getByTestId('config-problems').textContent()).toContain('tile.overlap_fraction');
    await page.locator('.cm-lintRange-error').first().hover();
    await shot('04-config-error');
    await typeConfig(CONFIG_OK);
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await page.getByTestId('config-status').textContent()).toContain('valid');
    await expect.poll(() => page.getByTestId('config-diff').textContent()).toContain('runtime.allow_emergency_mode');
    await page.locator('.cm-content').getByText('overlap_fraction', { exact: true }).hover();
    await expect.poll(() => page.locator('.cm-help').textContent()).toContain('tile.overlap_fraction');
  });

  it('saves the configuration to a YAML file with its comments', async () => {
    const file = path.join(tmp, 'configs', 'tonight.yaml');
    await page.getByTestId('config-path').fill(file);
    await page.getByTestId('save-config').click();
    await expect.poll(() => page.getByTestId('config-saved').textContent()).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(CONFIG_OK);
    await shot('05-config-saved');
  });

  it('scans again with the fixed configuration when going back: emergency mode, ready to run', async () => {
    await page.getByTestId('config-continue').click();
    await expect.poll(() => page.getByTestId('scan-mode').textContent(), { timeout: 30_000 }).toContain('emergency');
    await expect.poll(() => page.locator('[data-testid="scan-problems"] li.problem.error').count()).toBe(0);
    await page.getByTestId('start-run').waitFor();
    await shot('06-input-ready');
  });

  it('runs the real pipeline and shows per-frame progress up to 100 %', async () => {
    await page.getByTestId('start-run').click();
    await page.getByTestId('phase-timeline').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('frame-grid').locator('.cell').count(), { timeout: 30_000 }).toBe(FRAMES);
    // Part-way: some frames done, the run still going.
    await expect.poll(() => page.getByTestId('frame-grid').locator('.cell[data-state="ok"], .cell[data-state="warning"]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await shot('07-run-progress');
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 150_000, interval: 500 }).toMatch(/^Finished/);
    expect(await page.getByTestId('overall-percent').textContent()).toBe('100 %');
    // the plan the run started with, memory included (issue 5: shown before the run starts)
    expect(await page.locator('.run-meta').textContent()).toMatch(/Plan: .*\d+ workers?, memory ~[\d.]+ (MB|GB) at peak/);
    expect(await page.getByTestId('frame-grid').locator('.cell[data-state="pending"]').count()).toBe(0);
    expect(await page.locator('[data-phase="scan"]').getAttribute('data-status')).toBe('ok');
    excludedLive = await page.getByTestId('frame-grid').locator('.cell[data-state="excluded"]').count();
    expect(await page.locator('.notice.error').count()).toBe(0);
    await page.getByTestId('see-result').waitFor();
    runDir = readdirSync(runsRoot).map((n) => path.join(runsRoot, n))[0];
    expect(path.basename(runDir)).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(readFileSync(path.join(runDir, 'config.yaml'), 'utf8')).toContain('allow_emergency_mode: true');
    await shot('08-run-finished');
  }, 240_000);

  it('shows per-frame charts and a QA map of the run', async () => {
    await view('quality');
    await expect.poll(() => page.getByTestId('chart').count()).toBe(4);
    await page.locator('[data-map="fwhm_map"]').click();
    await page.getByTestId('qa-map').waitFor();
    expect(await page.getByTestId('qa-map').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    // Explained in words, with the values at both ends of the colour ramp.
    expect(await page.getByTestId('qa-help').textContent()).toContain('star size');
    expect(await page.getByTestId('qa-legend').textContent()).toMatch(/\d.*dark = low, yellow = high/);
    // FWHM and global weights come from metrics/frames.json once the run has finished.
    await expect.poll(() => page.locator('.chart svg').count()).toBeGreaterThanOrEqual(3);
    await shot('09-quality');
  });

  it('shows the stacked image with a pixel readout and the output paths', async () => {
    await view('result');
    await page.getByTestId('result-canvas').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('result-canvas').evaluate((c: HTMLCanvasElement) => c.width)).toBe(256);
    await page.getByTestId('stretch-asinh').click();
    const box = (await page.locator('.image-frame').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('pixel-readout').textContent()).toMatch(/x \d+\s+y \d+\s+value/);
    expect(await page.getByTestId('result-outputs').textContent()).toContain('stack.fits');
    await shot('10-result');
  });

  it('reads the host log of the run and a worker log, with level filter and search', async () => {
    await view('logs');
    const runId = path.basename(runDir);
    const lines = page.getByTestId('log-text').locator('.log-line');
    await expect.poll(() => lines.count()).toBeGreaterThan(50);
    expect(await lines.first().textContent()).toContain(`[run ${runId}]`);
    const options = await page.getByTestId('log-file').locator('option').allTextContents();
    expect(options.some((o) => o.startsWith('app.log'))).toBe(true);
    expect(options.some((o) => o.startsWith('worker-1.log'))).toBe(true);
    await page.getByTestId('log-search').fill('[frame 3]');
    await expect.poll(() => lines.count()).toBeGreaterThan(0);
    const all = await lines.count();
    await page.getByTestId('log-level').selectOption('warn');
    await expect.poll(() => lines.count()).toBeLessThan(all);
    await page.getByTestId('log-level').selectOption('all');
    await page.getByTestId('log-search').fill('');
    await shot('11-logs');
    await page.getByTestId('log-file').selectOption({ label: options.find((o) => o.startsWith('worker-1.log'))! });
    await expect.poll(() => lines.first().textContent()).toMatch(/\[run \S+\] \[measure\] \[frame \d+\] measure frame \d+ started/);
    await shot('12-logs-worker');
  });

  it('finds the run in History and opens it again', async () => {
    await view('history');
    await expect.poll(() => page.getByTestId('history-table').locator('tbody tr').count()).toBe(1);
    expect(await page.getByTestId('history-table').locator('tbody tr').first().getAttribute('data-run')).toBe(path.basename(runDir));
    await shot('13-history');
    await page.getByTestId('open-run').click();
    await page.getByTestId('phase-timeline').waitFor();
    expect(await page.getByTestId('overall-percent').textContent()).toBe('100 %');
    // The live stream showed what the file holds: the same frames excluded.
    expect(await page.getByTestId('frame-grid').locator('.cell[data-state="excluded"]').count()).toBe(excludedLive);
  });

  it('switches to the red night mode and to German', async () => {
    await page.getByTestId('night-toggle').check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('night');
    await shot('14-run-night');
    await view('result');
    await page.getByTestId('result-canvas').waitFor();
    await shot('15-result-night');
    await page.getByTestId('lang-select').selectOption('de');
    expect(await page.locator('[data-view="history"]').textContent()).toBe('Verlauf');
    await view('input');
    await shot('16-input-night-de');
    await page.getByTestId('night-toggle').uncheck();
    await page.getByTestId('lang-select').selectOption('en');
  });

  it('ran without script errors or CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
