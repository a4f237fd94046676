/**
 * reconstruction.tile_normalization [EXT] (METHOD.md P10): the DOC 5.7.1 variant, for comparison
 * only. Each tile is brought to a common background and scale before the overlap-add, which
 * flattens the sky across the canvas; the default keeps the sky as the frames have it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFitsImage } from '../../../shared/fits/reader';
import { median } from '../../../shared/image/stats';
import type { Image } from '../../../shared/image/image';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { ensureBuilt, makeTempDir, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig } from '../../fixtures/pipeline-sets';

/** Spread (max - min) of the medians of the four quadrants of the image. */
function quadrantSpread(img: Image): number {
  const { width: w, height: h, data } = img;
  const meds: number[] = [];
  for (const [x0, y0] of [[0, 0], [w >> 1, 0], [0, h >> 1], [w >> 1, h >> 1]]) {
    const vals: number[] = [];
    for (let y = y0; y < y0 + (h >> 1); y++) for (let x = x0; x < x0 + (w >> 1); x++) vals.push(data[y * w + x]);
    meds.push(median(vals));
  }
  return Math.max(...meds) - Math.min(...meds);
}

let plain: Image;
let normalized: Image;

beforeAll(async () => {
  await ensureBuilt();
  const lights = await synthSet({ ...TINY_SET, frames: 16, width: 160, height: 128 });
  const root = await makeTempDir('tile-normalization');
  const base = 'runtime:\n  allow_emergency_mode: true\ntile:\n  min_size: 32\n';
  const a = await runCli(['run', lights, '--out', join(root, 'plain'), '--config', await writeConfig(root, base)]);
  const b = await runCli(['run', lights, '--out', join(root, 'tn'), '--config', await writeConfig(root, `${base}reconstruction:\n  tile_normalization: true\n`)]);
  for (const r of [a, b]) expect([0, 3], r.stderr).toContain(r.code);
  plain = (await readFitsImage(nodeFileSystem, join(root, 'plain', 'result', 'stack.fits'))).image;
  normalized = (await readFitsImage(nodeFileSystem, join(root, 'tn', 'result', 'stack.fits'))).image;
}, 120_000);

afterAll(removeTempDirs);

describe('reconstruction.tile_normalization', () => {
  it('changes the result: the tiles are normalized before the overlap-add', () => {
    let differ = 0;
    for (let i = 0; i < plain.data.length; i++) if (plain.data[i] !== normalized.data[i]) differ++;
    expect(differ).toBeGreaterThan(0.5 * plain.data.length);
  });

  it('flattens the sky gradient across the canvas, which the default keeps', () => {
    // measured: 83.9 ADU (the synthetic sky gradient) -> 1.5 ADU
    expect(quadrantSpread(normalized)).toBeLessThan(0.5 * quadrantSpread(plain));
  });
});
