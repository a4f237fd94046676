import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { writeFitsImage } from '../../../shared/fits/writer';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig } from '../../fixtures/pipeline-sets';

// METHOD.md 1.4, strict profile: every metric and weight per colour channel. An RGB set where half
// the frames have a blurred red channel (chromatic seeing) must down-weight only the red channel of
// those frames; the practical profile, weighting by luminance, cannot tell the channels apart.
const W = 160;
const H = 120;
const FRAMES = 24;
const SHARP_SIGMA = 1.0;
const BLURRED_RED_SIGMA = 1.9;

function redIsBlurred(f: number): boolean {
  return f % 2 === 1;
}

async function writeRgbSet(dir: string): Promise<void> {
  const rng = mulberry32(42);
  const stars = Array.from({ length: 70 }, () => ({ x: 6 + rng() * (W - 12), y: 6 + rng() * (H - 12), flux: 3000 + 40000 * rng() ** 3 }));
  await nodeFileSystem.mkdirp(dir);
  for (let f = 0; f < FRAMES; f++) {
    const gauss = gaussianSource(mulberry32(1000 + f));
    const data = new Float32Array(3 * W * H);
    for (let c = 0; c < 3; c++) {
      const sigma = c === 0 && redIsBlurred(f) ? BLURRED_RED_SIGMA : SHARP_SIGMA;
      const plane = data.subarray(c * W * H, (c + 1) * W * H);
      plane.fill(800);
      for (const s of stars) {
        const r = Math.ceil(4 * sigma);
        for (let y = Math.max(0, Math.floor(s.y) - r); y <= Math.min(H - 1, Math.floor(s.y) + r); y++) {
          for (let x = Math.max(0, Math.floor(s.x) - r); x <= Math.min(W - 1, Math.floor(s.x) + r); x++) {
            const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
            plane[y * W + x] += (s.flux / (2 * Math.PI * sigma * sigma)) * Math.exp(-d2 / (2 * sigma * sigma));
          }
        }
      }
      for (let i = 0; i < plane.length; i++) plane[i] = Math.round(Math.max(0, plane[i] + Math.sqrt(plane[i]) * gauss()));
    }
    await writeFitsImage(nodeFileSystem, join(dir, `rgb_${String(f + 1).padStart(3, '0')}.fits`), { width: W, height: H, planes: 3, data }, { bitpix: 16 });
  }
}

interface TilesJson {
  frames: string[];
  n_frames: number;
  n_tiles: number;
  profile?: string;
  channel_weights?: { file: string; channels: number };
}

/** Per frame (in tiles.json order) and channel: the mean over tiles of W. */
async function channelWeights(runDir: string): Promise<{ frames: string[]; perChannel: number[][] }> {
  const tiles = JSON.parse(await readFile(join(runDir, 'metrics', 'tiles.json'), 'utf8')) as TilesJson;
  if (!tiles.channel_weights) throw new Error('tiles.json names no per-channel weights');
  const buf = await readFile(join(runDir, 'metrics', tiles.channel_weights.file));
  const w = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const { n_frames: n, n_tiles: T } = tiles;
  expect(w.length).toBe(tiles.channel_weights.channels * n * T);
  const perChannel = Array.from({ length: tiles.channel_weights.channels }, (_, c) =>
    Array.from({ length: n }, (_, f) => {
      let s = 0;
      for (let t = 0; t < T; t++) s += w[(c * n + f) * T + t];
      return s / T;
    }),
  );
  return { frames: tiles.frames, perChannel };
}

function ratioBlurredToSharp(frames: string[], values: number[]): number {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const index = (name: string) => Number(/rgb_(\d+)/.exec(name)?.[1]) - 1;
  const blurred = values.filter((_, i) => redIsBlurred(index(frames[i])));
  const sharp = values.filter((_, i) => !redIsBlurred(index(frames[i])));
  return mean(blurred) / mean(sharp);
}

let lights: string;
let strictDir: string;
let practicalDir: string;
let strictCode: number | null;
let practicalCode: number | null;
const profile = (p: string) => `runtime:\n  allow_emergency_mode: true\nassumptions:\n  pipeline_profile: ${p}\n`;

beforeAll(async () => {
  await ensureBuilt();
  const root = await makeTempDir('strict');
  lights = join(root, 'lights');
  await writeRgbSet(lights);
  strictDir = join(root, 'strict-run');
  practicalDir = join(root, 'practical-run');
  const [s, p] = await Promise.all([
    runCli(['run', lights, '--out', strictDir, '--config', await writeConfig(root, profile('strict')), '--workers', '1']),
    runCli(['run', lights, '--out', practicalDir, '--config', await writeConfig(root, profile('practical')), '--workers', '1']),
  ]);
  strictCode = s.code;
  practicalCode = p.code;
  if (s.code !== 0 && s.code !== 3) throw new Error(`strict run failed (${s.code}):\n${s.stderr}`);
  if (p.code !== 0 && p.code !== 3) throw new Error(`practical run failed (${p.code}):\n${p.stderr}`);
}, 300_000);

afterAll(removeTempDirs);

describe('strict profile: tile weights per colour channel', () => {
  it('both profiles finish with a result', () => {
    expect([0, 3]).toContain(strictCode);
    expect([0, 3]).toContain(practicalCode);
  });

  it('strict down-weights the red channel of the frames whose red is blurred, and not their green or blue', async () => {
    const { frames, perChannel } = await channelWeights(strictDir);
    expect(perChannel).toHaveLength(3);
    const [red, green, blue] = perChannel.map((v) => ratioBlurredToSharp(frames, v));
    expect(red).toBeLessThan(0.5);
    expect(green).toBeGreaterThan(0.75);
    expect(green).toBeLessThan(1.33);
    expect(blue).toBeGreaterThan(0.75);
    expect(blue).toBeLessThan(1.33);
  });

  it('says nothing about partial strict support any more', async () => {
    const events = await readEvents(strictDir);
    expect(events.filter((e) => e.type === 'warning' && String(e.code).startsWith('STRICT'))).toEqual([]);
  });

  it('practical weights one channel and names no per-channel weights', async () => {
    const tiles = JSON.parse(await readFile(join(practicalDir, 'metrics', 'tiles.json'), 'utf8')) as TilesJson;
    expect(tiles.channel_weights).toBeUndefined();
    await expect(channelWeights(practicalDir)).rejects.toThrow(/no per-channel weights/);
  });

  it('the strict stack differs from the practical one in red, where the weights differ', async () => {
    const { readFitsImage } = await import('../../../shared/fits/reader');
    const a = (await readFitsImage(nodeFileSystem, join(strictDir, 'result', 'stack.fits'))).image;
    const b = (await readFitsImage(nodeFileSystem, join(practicalDir, 'result', 'stack.fits'))).image;
    expect(a.planes).toBe(3);
    const diff = (c: number) => {
      let s = 0;
      for (let i = c * W * H; i < (c + 1) * W * H; i++) s += Math.abs(a.data[i] - b.data[i]);
      return s / (W * H);
    };
    expect(diff(0)).toBeGreaterThan(0);
  });
});

describe('strict profile on a Bayer mosaic', () => {
  it('runs end to end with per-channel weights measured on the colour subplanes', async () => {
    const set = await synthSet({ ...TINY_SET, frames: 16, bayer: 'RGGB', width: 128, height: 96, seed: 17 });
    const root = await makeTempDir('strict-osc');
    const out = join(root, 'run');
    const r = await runCli(['run', set, '--out', out, '--config', await writeConfig(root, profile('strict')), '--workers', '1']);
    expect([0, 3], r.stderr).toContain(r.code);
    const { perChannel } = await channelWeights(out);
    expect(perChannel).toHaveLength(3);
    for (const ch of perChannel) for (const v of ch) expect(Number.isFinite(v) && v > 0).toBe(true);
  }, 300_000);
});
