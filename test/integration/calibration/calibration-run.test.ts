import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { readFitsImage } from '../../../shared/fits/reader';
import { writeFitsImage } from '../../../shared/fits/writer';
import type { FitsCard } from '../../../shared/fits/types';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';
import { createSkySpec } from '../../../shared/synth/create-sky-spec';
import { renderFrame } from '../../../shared/synth/render';

// A real run with bias, darks and flats built from folders: the lights are synthetic skies with a
// known vignetting, dark current and bias added, so the masters can be checked against the truth.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../../dist/cli/tile-compile.js');
const dir = mkdtempSync(path.join(tmpdir(), 'tc-calib-'));
const W = 160;
const H = 120;
const EXPOSURE = 10;
const BIAS = 300;
const DARK_RATE = 4; // ADU per second
const gauss = gaussianSource(mulberry32(99));
const truthFlat = (x: number, y: number) => {
  const r2 = ((x - W / 2) ** 2 + (y - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2);
  return 1 - 0.3 * r2 + 0.05 * (x / W); // vignetting plus a slight tilt
};
const flatNorm = (() => {
  const v: number[] = [];
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) v.push(truthFlat(x, y));
  v.sort((a, b) => a - b);
  return (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
})();

async function writeFrame(file: string, fill: (x: number, y: number) => number, exposure: number, type: string): Promise<void> {
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = Math.round(Math.max(0, fill(x, y) + 3 * gauss()));
  const cards: FitsCard[] = [
    { key: 'EXPTIME', value: exposure, type: 'float' },
    { key: 'IMAGETYP', value: type, type: 'string' },
  ];
  await writeFitsImage(fs, file, { width: W, height: H, planes: 1, data }, { bitpix: 16, cards });
}

beforeAll(async () => {
  const spec = createSkySpec({ frames: 12, width: W, height: H, seed: 5, noiseFree: true });
  await fs.mkdirp(path.join(dir, 'lights'));
  for (let f = 0; f < 12; f++) {
    const sky = renderFrame(spec, f).data;
    // the synth frame carries its own pedestal; vignetting multiplies the sky, then dark and bias add
    await writeFrame(path.join(dir, 'lights', `light_${f + 1}.fits`), (x, y) => sky[y * W + x] * truthFlat(x, y) + DARK_RATE * EXPOSURE + BIAS, EXPOSURE, 'Light Frame');
  }
  for (const d of ['bias', 'darks', 'flats']) await fs.mkdirp(path.join(dir, d));
  for (let i = 0; i < 9; i++) {
    await writeFrame(path.join(dir, 'bias', `bias_${i}.fits`), () => BIAS, 0, 'Bias Frame');
    await writeFrame(path.join(dir, 'darks', `dark_${i}.fits`), () => BIAS + DARK_RATE * EXPOSURE, EXPOSURE, 'Dark Frame');
    await writeFrame(path.join(dir, 'darks', `dark_long_${i}.fits`), () => BIAS + DARK_RATE * 60, 60, 'Dark Frame');
    await writeFrame(path.join(dir, 'flats', `flat_${i}.fits`), (x, y) => BIAS + 20000 * truthFlat(x, y), 1, 'Flat Field');
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runWith(yaml: string, out: string) {
  const cfg = path.join(dir, `${out}.yaml`);
  await fs.writeFileAtomic(cfg, yaml);
  return run(process.execPath, [cli, 'run', path.join(dir, 'lights'), '--out', path.join(dir, out), '--config', cfg, '--workers', '1'], { timeout: 120_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

const base = (extra: string) => `runtime:
  allow_emergency_mode: true
output:
  keep_work: true
calibration:
  use_bias: true
  use_dark: true
  use_flat: true
  bias_dir: ${path.join(dir, 'bias')}
  darks_dir: ${path.join(dir, 'darks')}
  flats_dir: ${path.join(dir, 'flats')}
${extra}`;

describe('calibration in a real run', () => {
  it('builds masters whose flat matches the truth vignetting within 0.5 % and whose dark is the 10 s dark', async () => {
    const r = await runWith(base(''), 'run1');
    expect([0, 3]).toContain(r.code);
    const flat = (await readFitsImage(fs, path.join(dir, 'run1', 'work', 'masters', 'flat.fits'))).image.data;
    const errs: number[] = [];
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) errs.push(Math.abs(flat[y * W + x] / (truthFlat(x, y) / flatNorm) - 1));
    errs.sort((a, b) => a - b);
    expect(errs[errs.length >> 1]).toBeLessThan(0.005);
    expect(errs[Math.floor(errs.length * 0.99)]).toBeLessThan(0.005);
    const dark = (await readFitsImage(fs, path.join(dir, 'run1', 'work', 'masters', 'dark.fits'))).image.data;
    const meanDark = dark.reduce((s, v) => s + v, 0) / dark.length;
    expect(meanDark).toBeCloseTo(DARK_RATE * EXPOSURE, 0); // the 60 s darks were not selected
    const cal = JSON.parse(readFileSync(path.join(dir, 'run1', 'metrics', 'calibration.json'), 'utf8'));
    expect(cal.masters.map((m: { kind: string }) => m.kind)).toEqual(['bias', 'dark', 'flat']);
    expect(cal.masters[1].frames).toHaveLength(9);
    // a kept work store (output.keep_work) was synced to the device once after P6
    const state = JSON.parse(readFileSync(path.join(dir, 'run1', 'state.json'), 'utf8')) as { store?: { synced: boolean } };
    expect(state.store?.synced).toBe(true);
    expect(existsSync(path.join(dir, 'run1', 'work', 'cells.f32'))).toBe(true);
    // so are P2's proxies and star lists (work/proxies.f32, deleted after P4 otherwise)
    expect(existsSync(path.join(dir, 'run1', 'work', 'proxies.f32'))).toBe(true);
  });

  it('scales a longer dark to the lights\' exposure when told to, and refuses a dark mismatch otherwise', async () => {
    const longOnly = path.join(dir, 'darks-long');
    await fs.mkdirp(longOnly);
    for (let i = 0; i < 5; i++) await writeFrame(path.join(longOnly, `d${i}.fits`), () => BIAS + DARK_RATE * 60, 60, 'Dark Frame');
    const refused = await runWith(base('').replace(path.join(dir, 'darks'), longOnly), 'run2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CALIBRATION_MISMATCH/);
    const scaled = await runWith(base('  dark_scale_to_exposure: true\n').replace(path.join(dir, 'darks'), longOnly), 'run3');
    expect([0, 3]).toContain(scaled.code);
    const cal = JSON.parse(readFileSync(path.join(dir, 'run3', 'metrics', 'calibration.json'), 'utf8'));
    expect(cal.dark_scale).toBeCloseTo(10 / 60, 6);
  });

  it('names the file when a calibration frame has another size', async () => {
    const odd = path.join(dir, 'bias-odd');
    await fs.mkdirp(odd);
    const data = new Float32Array(64 * 64).fill(BIAS);
    await writeFitsImage(fs, path.join(odd, 'bias_small.fits'), { width: 64, height: 64, planes: 1, data }, { bitpix: 16 });
    const r = await runWith(base('').replace(path.join(dir, 'bias'), odd), 'run4');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CALIBRATION_MISMATCH/);
    expect(r.stderr).toMatch(/bias_small\.fits: bias frame is 64×64×1, the lights are 160×120×1/);
  });
});
