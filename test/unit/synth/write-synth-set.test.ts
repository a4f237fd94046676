import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { readFitsImage } from '../../../shared/fits/reader';
import { createSkySpec, renderFrame, renderTruthScene, SynthCancelledError, writeSynthSet, type SynthOptions } from '../../../shared/synth';
import { sha256Hex } from '../../../shared/util/seed';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'synth-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const options: SynthOptions = { frames: 6, width: 96, height: 64, bayer: 'RGGB', seed: 4, cloudFraction: 0.34, trailFraction: 0.34, hotPixelFraction: 1e-3 };

async function hashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const sub of ['', 'truth']) {
    for (const name of (await nodeFileSystem.readdir(join(dir, sub))).sort()) {
      const p = join(dir, sub, name);
      if ((await nodeFileSystem.stat(p)).isFile) out[join(sub, name)] = sha256Hex(await nodeFileSystem.readFile(p));
    }
  }
  return out;
}

describe('writeSynthSet', () => {
  it('writes frames that read back equal to renderFrame, with their header, and the truth', async () => {
    const dir = await tempDir();
    const spec = createSkySpec(options);
    const progress: number[] = [];
    const summary = await writeSynthSet(nodeFileSystem, dir, spec, { onFrame: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(summary.frameFiles.map((p) => p.slice(dir.length + 1))).toEqual(['light_00001.fits', 'light_00002.fits', 'light_00003.fits', 'light_00004.fits', 'light_00005.fits', 'light_00006.fits']);
    for (let f = 0; f < 6; f++) {
      const { image, info, header } = await readFitsImage(nodeFileSystem, summary.frameFiles[f]);
      expect(info.bitpix).toBe(16);
      expect(info.bzero).toBe(32768);
      expect(Array.from(image.data)).toEqual(Array.from(renderFrame(spec, f).data));
      expect(header.getString('BAYERPAT')).toBe('RGGB');
      expect(header.getString('DATE-OBS')).toBe(spec.frames[f].dateObs);
    }
    const scene = await readFitsImage(nodeFileSystem, join(dir, 'truth', 'scene.fits'));
    expect(scene.info.bitpix).toBe(-32);
    expect(scene.image.planes).toBe(3);
    expect(Array.from(scene.image.data)).toEqual(Array.from(renderTruthScene(spec).data));

    const frames = JSON.parse(await nodeFileSystem.readText(join(dir, 'truth', 'frames.json')));
    expect(frames.frames).toHaveLength(6);
    expect(frames.frames[3].matrix).toEqual([
      [spec.frames[3].sceneToFrame[0], spec.frames[3].sceneToFrame[1], spec.frames[3].sceneToFrame[2]],
      [spec.frames[3].sceneToFrame[3], spec.frames[3].sceneToFrame[4], spec.frames[3].sceneToFrame[5]],
    ]);
    expect(frames.frames[0].file).toBe('light_00001.fits');
    const stars = JSON.parse(await nodeFileSystem.readText(join(dir, 'truth', 'stars.json')));
    expect(stars.stars).toHaveLength(spec.stars.length);
    expect(stars.stars[5].x).toBe(spec.stars[5].x);
    expect(stars.stars[5].flux_rgb[0]).toBe(spec.stars[5].flux * spec.stars[5].colour[0]);
    const sensor = JSON.parse(await nodeFileSystem.readText(join(dir, 'truth', 'sensor.json')));
    expect(sensor.hot_pixels).toEqual(spec.hotPixels.map((h) => ({ x: h.x, y: h.y, adu: h.adu })));
    expect(await nodeFileSystem.readText(join(dir, 'truth', 'README.txt'))).toContain('scene -> frame');
  });

  it('writes byte-identical sets for the same options, and different ones for another seed', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await writeSynthSet(nodeFileSystem, a, createSkySpec(options));
    await writeSynthSet(nodeFileSystem, b, createSkySpec(options));
    await writeSynthSet(nodeFileSystem, c, createSkySpec({ ...options, seed: 5 }));
    const [ha, hb, hc] = [await hashes(a), await hashes(b), await hashes(c)];
    expect(Object.keys(ha)).toHaveLength(11);
    expect(hb).toEqual(ha);
    expect(hc['light_00001.fits']).not.toBe(ha['light_00001.fits']);
  });

  it('writes noise-free sets as float32 expectation frames', async () => {
    const dir = await tempDir();
    const spec = createSkySpec({ ...options, noiseFree: true });
    const { frameFiles } = await writeSynthSet(nodeFileSystem, dir, spec);
    const { image, info } = await readFitsImage(nodeFileSystem, frameFiles[2]);
    expect(info.bitpix).toBe(-32);
    expect(Array.from(image.data)).toEqual(Array.from(renderFrame(spec, 2).data));
  });

  it('stops with CANCELLED between frames when the signal is aborted', async () => {
    const dir = await tempDir();
    const controller = new AbortController();
    const run = writeSynthSet(nodeFileSystem, dir, createSkySpec(options), {
      signal: controller.signal,
      onFrame: (done) => {
        if (done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(SynthCancelledError);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    const names = (await nodeFileSystem.readdir(dir)).filter((n) => n.endsWith('.fits'));
    expect(names).toEqual(['light_00001.fits', 'light_00002.fits']);
  });
});
