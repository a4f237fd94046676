/**
 * stacking.per_frame_cosmetic_correction (METHOD.md P1): every frame's isolated hot pixels are fixed
 * after calibration, before either pass measures or stacks it. Two runs of the same frames, with and
 * without, compared on the registered frames they write (output.write_registered_frames).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFitsImage } from '../../../shared/fits/reader';
import { medianAndSigmaMad } from '../../../shared/image/stats';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { ensureBuilt, makeTempDir, removeTempDirs, runCli, synthSet, TINY_SET, writeConfig } from '../../fixtures/pipeline-sets';

/** Pixels far above the frame's sky (stars, and in the uncorrected frames the hot pixels too). */
async function brightPixels(path: string): Promise<number> {
  const { data } = (await readFitsImage(nodeFileSystem, path)).image;
  const { median, sigma } = medianAndSigmaMad(data);
  let n = 0;
  for (const v of data) if (v > median + 12 * sigma) n++;
  return n;
}

let plain: string;
let fixed: string;
let codes: Array<number | null>;

beforeAll(async () => {
  await ensureBuilt();
  const lights = await synthSet({ ...TINY_SET, frames: 12, hotPixelFraction: 2e-3 });
  const root = await makeTempDir('per-frame-cosmetic');
  const base = 'runtime:\n  allow_emergency_mode: true\noutput:\n  write_registered_frames: true\n';
  plain = join(root, 'plain');
  fixed = join(root, 'fixed');
  const a = await runCli(['run', lights, '--out', plain, '--config', await writeConfig(root, base)]);
  const b = await runCli(['run', lights, '--out', fixed, '--config', await writeConfig(root, `${base}stacking:\n  per_frame_cosmetic_correction: true\n`)]);
  codes = [a.code, b.code];
}, 120_000);

afterAll(removeTempDirs);

describe('stacking.per_frame_cosmetic_correction', () => {
  it('both runs finish', () => {
    for (const c of codes) expect([0, 3]).toContain(c);
  });

  it('removes the hot pixels the sensor puts into every frame: far fewer bright pixels in the registered frames, stars being the same', async () => {
    let before = 0;
    let after = 0;
    for (const name of ['light_00002.fits', 'light_00005.fits', 'light_00009.fits']) {
      before += await brightPixels(join(plain, 'registered', name));
      after += await brightPixels(join(fixed, 'registered', name));
    }
    // measured 213 -> 165 (the stars are the rest)
    expect(before - after).toBeGreaterThanOrEqual(20);
  });
});
