import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as serve } from '../../electron/cli/commands/serve';
import { nodeFileSystem } from '../../electron/host/node-file-system';
import { writeFitsImage } from '../../shared/fits/writer';
import { createSkySpec, renderTruthScene } from '../../shared/synth';
import { DEMO_SIZE } from '../../electron/host/api/demo-set';

/**
 * End to end in real headless Chromium against the real browser host (`tile-compile serve`,
 * in-process), real scan of real FITS files made by "Try with demo data", the real CodeMirror
 * editor, and a recorded run directory for the Run/Quality/Result/Logs/History views (the
 * pipeline itself is exercised by its own integration tests). Screenshots of every view go to
 * test-results/screenshots/.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE_RUN = path.join(ROOT, 'test/fixtures/runs/20250101T220000Z-a1b2c3');
const SHOTS = path.join(ROOT, 'test-results/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let tmp: string;
let url: string;
let stop: AbortController;
let served: Promise<number>;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

/** Fills the recorded run's artifacts with real files: QA maps, preview and a FITS stack. */
async function materializeRun(runDir: string): Promise<void> {
  const heat = async (file: string, seed: number) => {
    const w = 8;
    const h = 6;
    const px = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const v = Math.round(255 * (0.5 + 0.5 * Math.sin(i * 0.7 + seed)));
      px.set([v, 255 - v, 128], i * 3);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    await sharp(px, { raw: { width: w, height: h, channels: 3 } }).resize(256, 192, { kernel: 'nearest' }).png().toFile(file);
  };
  for (const [i, name] of ['weight_map', 'fwhm_map', 'tile_quality_map', 'seams', 'sharpness_gain'].entries()) {
    await heat(path.join(runDir, 'qa', `${name}.png`), i);
  }
  for (let f = 0; f < 12; f++) if (f !== 4) await heat(path.join(runDir, 'qa/frames', `weight_map_${f}.png`), 10 + f);
  const scene = renderTruthScene(createSkySpec({ frames: 2, ...DEMO_SIZE, bayer: 'RGGB', seed: 1 }));
  mkdirSync(path.join(runDir, 'result'), { recursive: true });
  await writeFitsImage(nodeFileSystem, path.join(runDir, 'result/stack.fits'), scene, { bitpix: -32 });
  await heat(path.join(runDir, 'result/preview.png'), 99);
}

async function shot(name: string): Promise<void> {
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function typeConfig(text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tc-e2e-'));
  const staticDir = path.join(tmp, 'renderer');
  const built = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--outDir', staticDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(`renderer build failed: ${built.stderr}`);

  const runsRoot = path.join(tmp, 'runs');
  const runDir = path.join(runsRoot, path.basename(FIXTURE_RUN));
  cpSync(FIXTURE_RUN, runDir, { recursive: true });
  await materializeRun(runDir);

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
  served = serve.run(['--port', '0', '--static', staticDir, '--data', path.join(tmp, 'data'), '--runs', runsRoot, '--root', tmp], io);
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

describe('the app in a browser', () => {
  it('connects with the printed URL and shows the Input view in English', async () => {
    await page.goto(url);
    await page.getByTestId('lang-select').selectOption('en');
    await expect.poll(() => page.getByTestId('choose-folder').isVisible()).toBe(true);
    await shot('01-input-empty');
  });

  it('makes demo data, scans it and flags the problem in plain words', async () => {
    await page.getByTestId('demo-data').click();
    await page.getByTestId('scan-summary').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('scan-table').locator('tbody tr').count()).toBe(12);
    const flagged = page.locator('[data-testid="scan-problems"] li.problem.error[data-code="INSUFFICIENT_FRAMES"]');
    await expect.poll(() => flagged.count()).toBe(1);
    expect(await page.getByTestId('scan-mode').textContent()).toContain('cannot run');
    await shot('02-input-scanned');
  });

  it('browses folders on the server', async () => {
    await page.getByTestId('choose-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await expect.poll(() => page.getByTestId('folder-browser').textContent()).toContain('12');
    await shot('03-folder-browser');
    await page.getByTestId('use-folder').click();
    await page.getByTestId('folder-browser').waitFor({ state: 'detached' });
  });

  it('shows an inline error for a bad value and removes it when fixed', async () => {
    await page.locator('[data-view="config"]').click();
    await page.getByTestId('yaml-editor').waitFor();
    await typeConfig('runtime:\n  allow_emergency_mode: true\ntile:\n  overlap_fraction: 0.8\n');
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('config-status').textContent()).toContain('error');
    expect(await page.getByTestId('config-problems').textContent()).toContain('tile.overlap_fraction');
    await page.locator('.cm-lintRange-error').first().hover();
    await shot('04-config-error');
    await typeConfig('runtime:\n  allow_emergency_mode: true\ntile:\n  overlap_fraction: 0.3\n');
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await page.getByTestId('config-status').textContent()).toContain('valid');
    await expect.poll(() => page.getByTestId('config-diff').textContent()).toContain('tile.overlap_fraction');
    await page.locator('.cm-content').getByText('overlap_fraction', { exact: true }).hover();
    await expect.poll(() => page.locator('.cm-help').textContent()).toContain('tile.overlap_fraction');
    await shot('05-config-valid-help');
  });

  it('re-scans with the fixed configuration: emergency mode, nothing blocking', async () => {
    await page.locator('[data-view="input"]').click();
    await page.getByTestId('rescan').click();
    await expect.poll(() => page.getByTestId('scan-mode').textContent()).toContain('emergency');
    await expect.poll(() => page.locator('[data-testid="scan-problems"] li.problem.error').count()).toBe(0);
  });

  it('finds the recorded run in History and opens it in the Run view at 100 %', async () => {
    await page.locator('[data-view="history"]').click();
    await expect.poll(() => page.getByTestId('history-table').locator('tbody tr').count()).toBe(1);
    await shot('06-history');
    await page.getByTestId('open-run').click();
    await page.getByTestId('phase-timeline').waitFor();
    expect(await page.getByTestId('overall-percent').textContent()).toBe('100 %');
    expect(await page.getByTestId('frame-grid').locator('.cell').count()).toBe(12);
    expect(await page.getByTestId('frame-grid').locator('.cell[data-state="excluded"]').count()).toBe(1);
    await page.getByTestId('frame-grid').locator('.cell').nth(1).hover();
    expect(await page.getByTestId('frame-detail').textContent()).toContain('light_00002.fits');
    await shot('07-run');
  });

  it('shows per-frame charts and a QA map with a frame slider', async () => {
    await page.locator('[data-view="quality"]').click();
    await expect.poll(() => page.getByTestId('chart').count()).toBe(4);
    await page.locator('[data-map="weight_map"]').first().click();
    await page.getByTestId('qa-map').waitFor();
    await page.getByTestId('frame-slider').fill('3');
    await page.getByTestId('qa-map').waitFor();
    await shot('08-quality');
  });

  it('shows the stacked image with a pixel readout and the output paths', async () => {
    await page.locator('[data-view="result"]').click();
    await page.getByTestId('result-canvas').waitFor();
    await expect.poll(() => page.getByTestId('result-canvas').evaluate((c: HTMLCanvasElement) => c.width)).toBe(DEMO_SIZE.width);
    await page.getByTestId('stretch-asinh').click();
    const box = (await page.locator('.image-frame').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => page.getByTestId('pixel-readout').textContent()).toMatch(/x \d+\s+y \d+\s+value/);
    expect(await page.getByTestId('result-outputs').textContent()).toContain('stack.fits');
    await shot('09-result');
  });

  it('reads the log with level filter and search', async () => {
    await page.locator('[data-view="logs"]').click();
    await expect.poll(() => page.getByTestId('log-text').locator('.log-line').count()).toBe(17);
    await page.getByTestId('log-level').selectOption('warn');
    await expect.poll(() => page.getByTestId('log-text').locator('.log-line').count()).toBe(4);
    await page.getByTestId('log-search').fill('light_00005');
    await expect.poll(() => page.getByTestId('log-text').locator('.log-line').count()).toBe(1);
    await shot('10-logs');
  });

  it('switches to the red night mode and to German', async () => {
    await page.locator('[data-view="run"]').click();
    await page.getByTestId('night-toggle').check();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('night');
    await shot('11-run-night');
    await page.getByTestId('lang-select').selectOption('de');
    expect(await page.locator('[data-view="history"]').textContent()).toBe('Verlauf');
    await shot('12-run-night-de');
    await page.getByTestId('night-toggle').uncheck();
    await page.getByTestId('lang-select').selectOption('en');
  });

  it('ran without script errors or CSP violations', () => {
    expect(consoleErrors).toEqual([]);
  });
});
