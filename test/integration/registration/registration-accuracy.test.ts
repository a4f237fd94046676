import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { readFitsImage } from '../../../shared/fits/reader';
import { writeFitsImage } from '../../../shared/fits/writer';
import { createSkySpec } from '../../../shared/synth/create-sky-spec';
import { writeSynthSet } from '../../../shared/synth/write-synth-set';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

// Issue 3 acceptance on synthetic sequences with known transforms, through the real CLI and workers.
const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../../dist/cli/tile-compile.js');
const dir = mkdtempSync(path.join(tmpdir(), 'tc-reg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type M = [number, number, number, number, number, number];
const rows = (m: number[][]): M => [m[0][0], m[0][1], m[0][2], m[1][0], m[1][1], m[1][2]];
const inv = ([a, b, c, d, e, f]: M): M => {
  const det = a * e - b * d;
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
};
const comp = ([a, b, c, d, e, f]: M, [A, B, C, D, E, F]: M): M => [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
const apply = (m: M, x: number, y: number) => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];

async function stack(lights: string, out: string, yaml = 'runtime:\n  allow_emergency_mode: true\n') {
  const cfg = path.join(dir, `${path.basename(out)}.yaml`);
  await fs.writeFileAtomic(cfg, yaml);
  return run(process.execPath, [cli, 'run', lights, '--out', out, '--config', cfg], { timeout: 300_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

interface RegFrame {
  file: string;
  accepted: boolean;
  method: string;
  matrix: number[][] | null;
}

describe('registration on a synthetic sequence with known transforms', () => {
  it('is accurate to 0.05 px and 0.005°, by star matching, through cloud and satellite trails', async () => {
    const lights = path.join(dir, 'mono');
    const spec = createSkySpec({ frames: 14, width: 1024, height: 768, seed: 11, cloudFraction: 0.25, trailFraction: 0.2 });
    await writeSynthSet(fs, lights, spec);
    const r = await stack(lights, path.join(dir, 'mono-run'));
    expect([0, 3]).toContain(r.code);
    const reg = JSON.parse(readFileSync(path.join(dir, 'mono-run', 'metrics', 'registration.json'), 'utf8')) as { reference: string; frames: RegFrame[] };
    const truth = JSON.parse(readFileSync(path.join(lights, 'truth', 'frames.json'), 'utf8')) as { frames: Array<{ file: string; matrix: number[][]; cloud: unknown; trail: unknown }> };
    const byFile = new Map(truth.frames.map((f) => [f.file, f]));
    const refInv = inv(rows(byFile.get(reg.reference)!.matrix));
    const cx = (1024 - 1) / 2;
    const cy = (768 - 1) / 2;
    const shift: number[] = [];
    const rot: number[] = [];
    for (const f of reg.frames) {
      expect(f.accepted).toBe(true);
      if (f.file === reg.reference) continue;
      const want = comp(rows(byFile.get(f.file)!.matrix), refInv);
      const got = rows(f.matrix!);
      const [gx, gy] = apply(got, cx, cy);
      const [wx, wy] = apply(want, cx, cy);
      shift.push(Math.hypot(gx - wx, gy - wy));
      rot.push(((Math.atan2(got[3], got[0]) - Math.atan2(want[3], want[0])) * 180) / Math.PI);
    }
    const rms = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
    expect(rms(shift)).toBeLessThanOrEqual(0.05);
    expect(rms(rot)).toBeLessThanOrEqual(0.005);
    const byStars = reg.frames.filter((f) => f.method === 'triangles' || f.method === 'star_pairs' || f.method === 'identity_reference');
    expect(byStars.length / reg.frames.length).toBeGreaterThanOrEqual(0.99);
    // the set really holds the hard cases
    expect(truth.frames.some((f) => f.cloud !== null)).toBe(true);
    expect(truth.frames.some((f) => f.trail !== null)).toBe(true);
  }, 300_000);

  it('sends a starless frame down the fallback cascade and reports it', async () => {
    const lights = path.join(dir, 'starless');
    const spec = createSkySpec({ frames: 8, width: 320, height: 240, seed: 4 });
    await writeSynthSet(fs, lights, spec);
    // replace one frame by pure sky noise with the same header
    const first = await readFitsImage(fs, path.join(lights, 'light_00003.fits'));
    const g = gaussianSource(mulberry32(1));
    const noise = new Float32Array(320 * 240).map(() => Math.round(1000 + 30 * g()));
    await writeFitsImage(fs, path.join(lights, 'light_00003.fits'), { width: 320, height: 240, planes: 1, data: noise }, { bitpix: 16, cards: first.header.cards.filter((c) => c.key === 'EXPTIME') });
    const r = await stack(lights, path.join(dir, 'starless-run'));
    expect([0, 3]).toContain(r.code);
    const reg = JSON.parse(readFileSync(path.join(dir, 'starless-run', 'metrics', 'registration.json'), 'utf8')) as { frames: Array<RegFrame & { attempts: Array<{ method: string }> }> };
    const blank = reg.frames.find((f) => f.file === 'light_00003.fits')!;
    expect(blank.attempts.map((a) => a.method)).toEqual(expect.arrayContaining(['triangles', 'robust_phase_ecc']));
    expect(blank.accepted).toBe(false);
    const events = readFileSync(path.join(dir, 'starless-run', 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'warning' && e.code === 'REGISTRATION_FAILED' && e.file === 'light_00003.fits')).toBe(true);
    expect(r.stderr).toMatch(/light_00003\.fits: could not be registered/);
  }, 120_000);

  it('stops with a clear error when no frame has stars, writing nothing outside the run folder', async () => {
    const lights = path.join(dir, 'blank');
    await fs.mkdirp(lights);
    const g = gaussianSource(mulberry32(2));
    for (let i = 1; i <= 6; i++) {
      const data = new Float32Array(200 * 150).map(() => Math.round(1000 + 30 * g()));
      await writeFitsImage(fs, path.join(lights, `blank_${i}.fits`), { width: 200, height: 150, planes: 1, data }, { bitpix: 16, cards: [{ key: 'EXPTIME', value: 10, type: 'float' }] });
    }
    const before = (await fs.readdir(lights)).sort();
    const r = await stack(lights, path.join(dir, 'blank-run'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/REGISTRATION_FAILED_MAJORITY/);
    expect((await fs.readdir(lights)).sort()).toEqual(before);
  }, 120_000);

  it('keeps the colour channels of a Bayer (RGGB) set aligned after registration and debayer', async () => {
    const lights = path.join(dir, 'osc');
    // noise-free frames (float32 expectation values), so the test sees the geometry, not the shot noise of
    // the sparse R and B sites; the frames are still shifted by up to 20 px and rotated by up to 0.5°
    const spec = createSkySpec({ frames: 6, width: 384, height: 288, seed: 6, bayer: 'RGGB', cloudFraction: 0, trailFraction: 0, noiseFree: true });
    await writeSynthSet(fs, lights, spec);
    const r = await stack(lights, path.join(dir, 'osc-run'));
    expect([0, 3]).toContain(r.code);
    const { image } = await readFitsImage(fs, path.join(dir, 'osc-run', 'result', 'stack.fits'));
    expect(image.planes).toBe(3);
    // centroids of the brightest isolated stars in R, G and B agree
    const W = image.width;
    const H = image.height;
    const plane = (c: number) => image.data.subarray(c * W * H, (c + 1) * W * H);
    const g = plane(1);
    const peaks: Array<[number, number]> = [];
    for (let y = 8; y < H - 8; y++)
      for (let x = 8; x < W - 8; x++) {
        const v = g[y * W + x];
        let isMax = true;
        for (let dy = -6; dy <= 6 && isMax; dy++) for (let dx = -6; dx <= 6; dx++) if ((dx || dy) && g[(y + dy) * W + x + dx] >= v) (isMax = false);
        if (isMax) peaks.push([x, y]);
      }
    // Gaussian-windowed centroid over the median of a surrounding ring (noise-robust, unbiased)
    const centroid = (p: Float32Array, x0: number, y0: number) => {
      const ring: number[] = [];
      for (let dy = -7; dy <= 7; dy++) for (let dx = -7; dx <= 7; dx++) if (Math.max(Math.abs(dx), Math.abs(dy)) >= 6) ring.push(p[(y0 + dy) * W + x0 + dx]);
      ring.sort((a, b) => a - b);
      const bg = ring[ring.length >> 1];
      let cx = x0;
      let cy = y0;
      let total = 0;
      for (let it = 0; it < 20; it++) {
        let s = 0;
        let sx = 0;
        let sy = 0;
        for (let dy = -5; dy <= 5; dy++)
          for (let dx = -5; dx <= 5; dx++) {
            const x = x0 + dx;
            const y = y0 + dy;
            const v = Math.max(0, p[y * W + x] - bg) * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 1.5 * 1.5));
            s += v;
            sx += v * x;
            sy += v * y;
          }
        cx = sx / s;
        cy = sy / s;
        total = s;
      }
      return [cx - x0, cy - y0, total];
    };
    const bright = peaks.map(([x, y]) => ({ x, y, f: centroid(g, x, y)[2] })).sort((a, b) => b.f - a.f).slice(0, 15);
    expect(bright.length).toBeGreaterThanOrEqual(8);
    const dx: number[] = [];
    const dy: number[] = [];
    for (const st of bright) {
      const [gx, gy] = centroid(plane(1), st.x, st.y);
      for (const c of [0, 2]) {
        const [px, py] = centroid(plane(c), st.x, st.y);
        dx.push(px - gx);
        dy.push(py - gy);
      }
    }
    const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
    expect(Math.abs(med(dx))).toBeLessThan(0.05);
    expect(Math.abs(med(dy))).toBeLessThan(0.05);
    const mags = dx.map((x, i) => Math.hypot(x, dy[i])).sort((a, b) => a - b);
    // the median over stars (a faint channel of a strongly coloured star can wander to a neighbour)
    expect(mags[mags.length >> 1]).toBeLessThan(0.05);
  }, 180_000);
});
