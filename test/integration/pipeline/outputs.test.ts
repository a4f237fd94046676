/**
 * METHOD.md acceptance 20 and 8 on a one-shot-colour (RGGB) run whose folder also holds a
 * truncated frame and a frame of another size: an independent reader (Debian's astropy, in a real
 * child process) reads stack.fits; events.jsonl validates against the contract; frames.json has a
 * row for every input frame, exclusions with a closed-list code, and W > 0 wherever a usable frame
 * has data. With output.write_registered_frames every usable frame is also written, registered,
 * to registered/<name>.fits.
 */
import { execFileSync } from 'node:child_process';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig, type CliResult } from '../../fixtures/pipeline-sets';
import { checkEventLog } from './run-checks';

const PYTHON = '/usr/bin/python3';
const CLOSED_LIST = ['UNREADABLE', 'SIZE_MISMATCH', 'EXPOSURE_MISMATCH', 'BAYER_MISMATCH', 'NO_POSITIVE_BACKGROUND', 'REGISTRATION_FAILED', 'NO_DATA'];

const READER = `
import json, sys, numpy as np
from astropy.io import fits
out = []
with fits.open(sys.argv[1]) as f:
    for hdu in f:
        h = hdu.header
        d = hdu.data
        out.append({
            'name': hdu.name,
            'bitpix': h['BITPIX'],
            'naxis': [h['NAXIS']] + [h['NAXIS%d' % (i + 1)] for i in range(h['NAXIS'])],
            'dtype': None if d is None else d.dtype.name,
            'shape': None if d is None else list(d.shape),
            'finite': None if d is None else int(np.isfinite(d).sum()),
            'max': None if d is None else float(np.nanmax(d)),
            'history': [str(v) for v in h.get('HISTORY', [])],
            'keys': [k for k in h.keys()],
            'ncombine': h.get('NCOMBINE'),
        })
print(json.dumps(out))
`;

interface Hdu {
  name: string;
  bitpix: number;
  naxis: number[];
  dtype: string | null;
  shape: number[] | null;
  finite: number | null;
  max: number | null;
  history: string[];
  keys: string[];
  ncombine: number | null;
}

interface FramesJson {
  frames: Array<{ index: number | null; file: string; usable: boolean; excluded: string | null; G: number | null }>;
}

let lights: string;
let dir: string;
let result: CliResult;

beforeAll(async () => {
  await ensureBuilt();
  const good = await synthSet({ ...TINY_SET, frames: 24, bayer: 'RGGB' });
  const other = await synthSet({ ...TINY_SET, width: 80, height: 64, frames: 1, bayer: 'RGGB' });
  const root = await makeTempDir('outputs');
  lights = join(root, 'lights');
  await cp(good, lights, { recursive: true });
  await cp(join(other, 'light_00001.fits'), join(lights, 'light_00025.fits'));
  const whole = await readFile(join(good, 'light_00003.fits'));
  await writeFile(join(lights, 'light_00026.fits'), whole.subarray(0, whole.length - 2880));
  const config = await writeConfig(root, 'runtime:\n  allow_emergency_mode: true\noutput:\n  write_registered_frames: true\n');
  dir = join(root, 'run');
  result = await runCli(['run', lights, '--out', dir, '--config', config, '--workers', '2']);
}, 120_000);

afterAll(removeTempDirs);

describe('an OSC run with a truncated frame and a frame of another size', () => {
  it('is not crashed by the bad frames: it finishes with a result', () => {
    expect([0, 3], result.stderr).toContain(result.code);
  });

  it('writes a stack.fits that astropy reads: float32 RGB cube (NAXIS3 = 3), an int32 COVERAGE extension, HISTORY', async () => {
    const hdus = JSON.parse(execFileSync(PYTHON, ['-c', READER, join(dir, 'result', 'stack.fits')], { encoding: 'utf8' })) as Hdu[];
    expect(hdus).toHaveLength(2);
    const [primary, coverage] = hdus;
    expect(primary.bitpix).toBe(-32);
    expect(primary.naxis).toEqual([3, 96, 80, 3]);
    expect(primary.dtype).toBe('float32');
    expect(primary.shape).toEqual([3, 80, 96]);
    expect(primary.finite).toBe(3 * 96 * 80);
    expect(primary.max).toBeGreaterThan(0);
    expect(primary.keys).not.toContain('BAYERPAT');
    expect(primary.ncombine).toBe(24);
    expect(primary.history.join('\n')).toContain('config_hash');
    expect(primary.history.join('\n')).toContain('frames_manifest_id');
    expect(primary.history.join('\n')).toMatch(/mode emergency/);
    expect(coverage.name).toBe('COVERAGE');
    expect(coverage.bitpix).toBe(32);
    expect(coverage.dtype).toBe('int32');
    expect(coverage.shape).toEqual([80, 96]);
    expect(coverage.max).toBeLessThanOrEqual(24);
    expect(coverage.max).toBeGreaterThanOrEqual(20);
  });

  it('writes the preview and the QA maps as PNG images: tile weights, FWHM heat map, tile quality, seams, before/after sharpness gain', async () => {
    for (const rel of ['result/preview.png', 'qa/weight_map.png', 'qa/fwhm_map.png', 'qa/tile_quality_map.png', 'qa/seams.png', 'qa/sharpness_gain.png']) {
      const meta = await sharp(await readFile(join(dir, rel))).metadata();
      expect(meta.format, rel).toBe('png');
      expect(meta.width ?? 0, rel).toBeGreaterThan(0);
      expect(meta.height ?? 0, rel).toBeGreaterThan(0);
    }
  });

  it('writes an events.jsonl that validates: strictly increasing seq, one run_finished, progress never going back', async () => {
    const facts = await checkEventLog(dir, { complete: true });
    expect(facts.sessions).toBe(1);
    expect(facts.runFinished).toHaveLength(1);
    expect(facts.runFinished[0]).toMatchObject({ exit_code: result.code, emergency: true, result: 'result/stack.fits' });
    expect(facts.types[0]).toBe('run_started');
    expect(facts.types.at(-1)).toBe('run_finished');
  });

  it('lists every input frame in frames.json, the bad ones excluded with closed-list codes', async () => {
    const frames = (JSON.parse(await readFile(join(dir, 'metrics', 'frames.json'), 'utf8')) as FramesJson).frames;
    expect(frames.map((f) => f.file).sort()).toEqual(Array.from({ length: 26 }, (_, i) => `light_${String(i + 1).padStart(5, '0')}.fits`));
    const byFile = new Map(frames.map((f) => [f.file, f]));
    expect(byFile.get('light_00025.fits')).toMatchObject({ usable: false, excluded: 'SIZE_MISMATCH' });
    expect(byFile.get('light_00026.fits')).toMatchObject({ usable: false, excluded: 'UNREADABLE' });
    for (const f of frames) {
      if (f.usable) {
        expect(f.excluded, f.file).toBeNull();
        expect(f.G, f.file).toBeGreaterThan(0);
        // the Quality view orders frames by the time they were taken
        expect((f as unknown as { date_obs: string }).date_obs, f.file).toMatch(/^\d{4}-\d\d-\d\dT/);
      } else {
        expect(CLOSED_LIST, f.file).toContain(f.excluded);
      }
    }
    expect(frames.filter((f) => f.usable)).toHaveLength(24);
    // each exclusion is an event too
    const events = await readEvents(dir);
    expect(events.some((e) => e.type === 'frame_done' && e.file === 'light_00025.fits' && e.status === 'excluded' && e.reason === 'SIZE_MISMATCH')).toBe(true);
    expect(events.some((e) => e.type === 'warning' && e.file === 'light_00026.fits' && e.code === 'UNREADABLE')).toBe(true);
  });

  it('gives every usable frame a weight W > 0 in every tile where it has data', async () => {
    const index = JSON.parse(await readFile(join(dir, 'metrics', 'tiles.json'), 'utf8')) as { columns: string[]; n_frames: number; n_tiles: number };
    const bytes = await readFile(join(dir, 'metrics', 'tiles.f32'));
    const table = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const { n_frames: N, n_tiles: T } = index;
    expect(N).toBe(24);
    expect(table.length).toBe(index.columns.length * N * T);
    const col = (name: string) => table.subarray(index.columns.indexOf(name) * N * T, (index.columns.indexOf(name) + 1) * N * T);
    const B = col('B');
    const W = col('W');
    let withData = 0;
    for (let k = 0; k < N * T; k++) {
      if (Number.isFinite(B[k])) {
        withData++;
        expect(W[k], `frame ${Math.floor(k / T)} tile ${k % T}`).toBeGreaterThan(0);
      }
    }
    expect(withData).toBeGreaterThan(0.9 * N * T);
  });

  it('writes each usable frame as it enters the stack to registered/<name>.fits: float32 CFA mosaic on the canvas, NaN where it has no data', async () => {
    const names = (await readdir(join(dir, 'registered'))).sort();
    expect(names).toEqual(Array.from({ length: 24 }, (_, i) => `light_${String(i + 1).padStart(5, '0')}.fits`));
    const [hdu] = JSON.parse(execFileSync(PYTHON, ['-c', READER, join(dir, 'registered', 'light_00007.fits')], { encoding: 'utf8' })) as Hdu[];
    expect(hdu.bitpix).toBe(-32);
    expect(hdu.shape).toEqual([80, 96]);
    expect(hdu.keys).toEqual(expect.arrayContaining(['BAYERPAT', 'EXPTIME', 'DATE-OBS']));
    expect(hdu.history.join(' ')).toContain('registered onto the reference canvas');
    // normalized by the background: the sky sits near 1, and a frame shifted by the synth's dither
    // leaves part of the canvas without data (NaN, never a silent 0)
    expect(hdu.max).toBeGreaterThan(1);
    expect(hdu.finite).toBeGreaterThan(0.8 * 96 * 80);
  });
});
