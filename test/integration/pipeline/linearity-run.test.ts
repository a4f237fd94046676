/**
 * The linearity heuristic in a run (METHOD.md section 2, warn-only): frames exported through a tone
 * curve (black point below the sky, gamma 1/2.2, as a "stretched" save) give NON_LINEAR_INPUT warnings
 * naming the file, and the run still finishes; the camera's linear frames give none.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFitsImage } from '../../../shared/fits/reader';
import { writeFitsImage } from '../../../shared/fits/writer';
import { medianAndSigmaMad } from '../../../shared/image/stats';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig, type RunEventLine } from '../../fixtures/pipeline-sets';

let linearEvents: RunEventLine[];
let stretchedEvents: RunEventLine[];
let codes: Array<number | null>;

beforeAll(async () => {
  await ensureBuilt();
  const lights = await synthSet({ ...TINY_SET, frames: 12 });
  const root = await makeTempDir('linearity-run');
  const stretched = join(root, 'stretched');
  await mkdir(stretched);
  for (const name of (await readdir(lights)).filter((n) => n.endsWith('.fits'))) {
    const img = (await readFitsImage(fs, join(lights, name))).image;
    // black point 2.8 sigma below the sky (as an autostretch sets it), then gamma 1/2.2
    const { median, sigma } = medianAndSigmaMad(img.data);
    const black = median - 2.8 * sigma;
    let hi = -Infinity;
    for (const v of img.data) if (v > hi) hi = v;
    const data = Float32Array.from(img.data, (v) => Math.round(65535 * Math.pow(Math.min(1, Math.max(0, (v - black) / (hi - black))), 1 / 2.2)));
    await writeFitsImage(fs, join(stretched, name), { ...img, data }, { bitpix: 16 });
  }
  const config = await writeConfig(root, 'runtime:\n  allow_emergency_mode: true\n');
  const a = await runCli(['run', lights, '--out', join(root, 'a'), '--config', config]);
  const b = await runCli(['run', stretched, '--out', join(root, 'b'), '--config', config]);
  codes = [a.code, b.code];
  linearEvents = await readEvents(join(root, 'a'));
  stretchedEvents = await readEvents(join(root, 'b'));
}, 120_000);

afterAll(removeTempDirs);

const nonLinear = (events: RunEventLine[]) => events.filter((e) => e.type === 'warning' && e.code === 'NON_LINEAR_INPUT');

describe('the linearity heuristic in a run', () => {
  it('warns about the stretched frames it samples, by file, and the run still finishes', () => {
    expect([0, 3]).toContain(codes[1]);
    const w = nonLinear(stretchedEvents);
    // linearity.max_frames 8 of the 12 frames are sampled
    expect(w.length).toBeGreaterThanOrEqual(6);
    for (const e of w) {
      expect(e.file).toMatch(/^light_\d+\.fits$/);
      expect(e.message).toMatch(/looks stretched/);
    }
  });

  it('says nothing about the camera\'s linear frames', () => {
    expect([0, 3]).toContain(codes[0]);
    expect(nonLinear(linearEvents)).toEqual([]);
  });
});
