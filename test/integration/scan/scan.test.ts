import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { writeFitsImage } from '../../../shared/fits/writer';
import type { FitsCard } from '../../../shared/fits/types';
import { scanFolder } from '../../../shared/pipeline/scan';
import type { ScanReport } from '../../../shared/pipeline/scan-types';

// Real FITS files on disk, one folder per problem class; the CLI runs as a real child process.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../../dist/cli/tile-compile.js');
const root = mkdtempSync(path.join(tmpdir(), 'tc-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function frame(dir: string, name: string, opts: { w?: number; h?: number; planes?: number; exposure?: number | null; bayer?: string; bitpix?: -32 | 16; nan?: number; type?: string } = {}) {
  const w = opts.w ?? 64;
  const h = opts.h ?? 48;
  const planes = opts.planes ?? 1;
  const data = new Float32Array(w * h * planes).fill(1000);
  for (let i = 0; i < (opts.nan ?? 0); i++) data[i * 7] = i % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY;
  const cards: FitsCard[] = [];
  if (opts.exposure !== null) cards.push({ key: 'EXPTIME', value: opts.exposure ?? 30, type: 'float' });
  if (opts.bayer) cards.push({ key: 'BAYERPAT', value: opts.bayer, type: 'string' });
  cards.push({ key: 'FILTER', value: 'L', type: 'string' }, { key: 'DATE-OBS', value: '2026-01-01T20:00:00', type: 'string' });
  if (opts.type) cards.push({ key: 'IMAGETYP', value: opts.type, type: 'string' });
  await fs.mkdirp(dir);
  await writeFitsImage(fs, path.join(dir, name), { width: w, height: h, planes, data }, { bitpix: opts.bitpix ?? 16, cards });
}

async function set(name: string, n: number, each: (i: number) => Parameters<typeof frame>[2] = () => ({})): Promise<string> {
  const dir = path.join(root, name);
  for (let i = 1; i <= n; i++) await frame(dir, `light_${i}.fits`, each(i));
  return dir;
}

const codes = (r: ScanReport) => r.problems.map((p) => p.code);

describe('scanFolder', () => {
  it('lists readable frames in natural order with their header facts and the mode', async () => {
    const dir = await set('clean', 12, (i) => ({ exposure: 30, bayer: i > 0 ? 'RGGB' : undefined }));
    const r = await scanFolder(fs, dir, { framesMin: 10, framesReducedThreshold: 200 });
    expect(r.frames.map((f) => f.file).slice(0, 3)).toEqual(['light_1.fits', 'light_2.fits', 'light_3.fits']);
    expect(r.frames[9].file).toBe('light_10.fits');
    expect(r.frames[0]).toMatchObject({ width: 64, height: 48, bitpix: 16, exposureS: 30, filter: 'L', bayerPattern: 'RGGB', colorMode: 'OSC', dateObs: '2026-01-01T20:00:00' });
    expect(r.mode).toBe('reduced');
    expect(r.canRun).toBe(true);
  });

  it('skips non-FITS files with the reason, and reports unreadable and truncated files by name', async () => {
    const dir = await set('mixed', 5);
    writeFileSync(path.join(dir, 'notes.txt'), 'observing log');
    writeFileSync(path.join(dir, 'fake.fits'), 'this is not a FITS file at all');
    await frame(dir, 'short.fits');
    truncateSync(path.join(dir, 'short.fits'), statSync(path.join(dir, 'short.fits')).size - 3000);
    const r = await scanFolder(fs, dir, { framesMin: 3 });
    expect(r.frames).toHaveLength(5);
    const byFile = new Map(r.problems.map((p) => [p.file, p]));
    expect(byFile.get('notes.txt')?.code).toBe('NOT_FITS');
    expect(byFile.get('fake.fits')?.code).toBe('NOT_FITS');
    expect(byFile.get('fake.fits')?.message).toMatch(/fake\.fits/);
    expect(byFile.get('short.fits')?.code).toBe('TRUNCATED');
    expect(byFile.get('short.fits')?.message).toMatch(/short\.fits/);
  });

  it('excludes the minority size, exposures beyond ±5 % and the minority Bayer pattern', async () => {
    const dir = await set('odd', 8, (i) => ({ exposure: i === 3 ? 40 : i === 4 ? 31 : 30, bayer: i === 6 ? 'BGGR' : 'RGGB', w: i === 2 ? 80 : 64 }));
    const r = await scanFolder(fs, dir, { framesMin: 3 });
    const excluded = Object.fromEntries(r.frames.filter((f) => f.excluded).map((f) => [f.file, f.excluded]));
    expect(excluded).toEqual({ 'light_2.fits': 'SIZE_MISMATCH', 'light_3.fits': 'EXPOSURE_MISMATCH', 'light_6.fits': 'BAYER_MISMATCH' });
    expect(r.usableFrames).toBe(5);
    expect(codes(r)).toEqual(expect.arrayContaining(['SIZE_MISMATCH', 'EXPOSURE_MISMATCH', 'BAYER_MISMATCH']));
  });

  it('counts NaN/Inf pixels, warns about missing exposure and non-light frames', async () => {
    const dir = path.join(root, 'pixels');
    await frame(dir, 'a.fits', { bitpix: -32, nan: 6 });
    await frame(dir, 'b.fits', { exposure: null });
    await frame(dir, 'c.fits', { type: 'Dark Frame' });
    const r = await scanFolder(fs, dir, { framesMin: 1 });
    const nan = r.problems.find((p) => p.code === 'NAN_PIXELS');
    expect(nan?.file).toBe('a.fits');
    expect(nan?.message).toMatch(/6 NaN\/Inf/);
    expect(codes(r)).toEqual(expect.arrayContaining(['NO_EXPOSURE', 'NOT_LIGHT']));
  });

  it('refuses too few frames with the count and both ways out, and allows emergency mode', async () => {
    const dir = await set('few', 4);
    const refused = await scanFolder(fs, dir);
    expect(refused.mode).toBe('refused');
    expect(refused.canRun).toBe(false);
    const p = refused.problems.find((x) => x.code === 'INSUFFICIENT_FRAMES');
    expect(p?.message).toMatch(/4 usable frames/);
    expect(p?.message).toMatch(/allow_emergency_mode/);
    const emergency = await scanFolder(fs, dir, { allowEmergencyMode: true });
    expect(emergency.mode).toBe('emergency');
    expect(emergency.canRun).toBe(true);
  });

  it('says so when the folder is missing or holds no frames', async () => {
    expect(codes(await scanFolder(fs, path.join(root, 'nope')))).toEqual(['INPUT_NOT_FOUND']);
    const empty = path.join(root, 'empty');
    await fs.mkdirp(empty);
    expect(codes(await scanFolder(fs, empty))).toEqual(['NO_FRAMES']);
  });
});

describe('tile-compile scan', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await set('cli', 6, (i) => ({ w: i === 6 ? 32 : 64 }));
  });

  it('prints the table and the problems, exits non-zero when a run cannot start, and writes nothing', async () => {
    const before = readdirSync(dir).sort();
    const r = await run(process.execPath, [cli, 'scan', dir]).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).toBe(1); // 5 usable frames: refused without emergency mode
    expect(r.stdout).toMatch(/light_1\.fits\s+64×48/);
    expect(r.stdout).toMatch(/SIZE_MISMATCH/);
    expect(r.stdout).toMatch(/mode: refused/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('prints one JSON object with frames and problems, and exits 0 when a run could start', async () => {
    const cfg = path.join(root, 'emergency.yaml');
    await fs.writeFileAtomic(cfg, 'runtime:\n  allow_emergency_mode: true\n');
    const { stdout } = await run(process.execPath, [cli, 'scan', dir, '--json', '--config', cfg]);
    const report = JSON.parse(stdout) as ScanReport;
    expect(report.frames).toHaveLength(6);
    expect(report.problems.some((p) => p.code === 'SIZE_MISMATCH' && p.file === 'light_6.fits')).toBe(true);
    expect(report.mode).toBe('emergency');
  });

  it('exits 2 with the position of a bad configuration value', async () => {
    const cfg = path.join(root, 'bad.yaml');
    await fs.writeFileAtomic(cfg, 'tile:\n  overlap_fraction: 0.8\n');
    const r = await run(process.execPath, [cli, 'scan', dir, '--config', cfg]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:2:21: error: tile\.overlap_fraction: expected a number in \[0, 0\.5\], got 0\.8/);
  });
});
