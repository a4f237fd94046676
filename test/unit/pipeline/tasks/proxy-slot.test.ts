import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../electron/host/node-file-system';
import type { Star } from '../../../../shared/pipeline/registration/stars';
import type { RunContext } from '../../../../shared/pipeline/run/run-context';
import { runPaths } from '../../../../shared/pipeline/run/run-paths';
import { measurePaths, proxySlot, readProxySlot, writeProxySlot } from '../../../../shared/pipeline/tasks/measure-task';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-proxy-slot-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What proxySlot and the slot I/O read of a run: the frame size, star_topk, the paths. */
function context(width: number, height: number, topK: number): RunContext {
  return {
    fs: nodeFileSystem,
    paths: runPaths(nodeFileSystem, dir),
    manifest: { width, height },
    config: { registration: { star_topk: topK } },
  } as unknown as RunContext;
}

function starsOf(n: number, seed: number): Star[] {
  return Array.from({ length: n }, (_, i) => ({ x: seed + i / 3, y: 1e-17 * (i + 1), flux: 1e300 / (i + 1), fwhm: Math.PI * i, roundness: 1 / (i + 7), peak: -0.1 * i }));
}

describe('the P2 proxy slots (work/proxies.f32)', () => {
  it('sizes every slot for a (W/2)x(H/2) proxy and star_topk stars, 8-byte aligned', () => {
    const s = proxySlot(context(101, 60, 5), 3);
    expect([s.proxyWidth, s.proxyHeight, s.maxStars]).toEqual([50, 30, 5]);
    expect(s.starsAt).toBe(6000);
    expect(s.bytes).toBe(6000 + 8 * (1 + 6 * 5));
    expect(s.offset).toBe(3 * s.bytes);
    expect(proxySlot(context(101, 61, 5), 0).starsAt % 8).toBe(0);
  });

  it('gives back each frame\'s proxy and stars exactly (frames written out of order, side by side)', async () => {
    const ctx = context(9, 7, 4);
    await nodeFileSystem.mkdirp(ctx.paths.work);
    await (await open(measurePaths(ctx).slots, 'w+')).close();
    const proxyOf = (f: number) => Float32Array.from({ length: 12 }, (_, i) => f * 100 + i + 0.25);
    const stars = [starsOf(4, 0.5), starsOf(0, 0), starsOf(2, 9.75)];
    await Promise.all([2, 0, 1].map((f) => writeProxySlot(nodeFileSystem, ctx, f, proxyOf(f), stars[f])));
    for (const f of [0, 1, 2]) {
      const got = await readProxySlot(ctx, f);
      expect([got.width, got.height]).toEqual([4, 3]);
      expect(Array.from(got.proxy)).toEqual(Array.from(proxyOf(f)));
      // float64 keeps what the JSON star lists held, to the last bit
      expect(got.stars).toEqual(stars[f]);
      expect(JSON.stringify(got.stars)).toBe(JSON.stringify(stars[f]));
    }
    // the last slot ends with its last star: nothing is written past what the frame has
    expect((await stat(measurePaths(ctx).slots)).size).toBe(proxySlot(ctx, 2).offset + proxySlot(ctx, 2).starsAt + 8 * (1 + 6 * 2));
  });

  it('refuses a proxy of another size or more stars than star_topk, and a slot that holds no star count', async () => {
    const ctx = context(8, 8, 2);
    await nodeFileSystem.mkdirp(ctx.paths.work);
    await (await open(measurePaths(ctx).slots, 'w+')).close();
    await expect(writeProxySlot(nodeFileSystem, ctx, 0, new Float32Array(15), [])).rejects.toThrow(/does not fit its slot/);
    await expect(writeProxySlot(nodeFileSystem, ctx, 0, new Float32Array(16), starsOf(3, 0))).rejects.toThrow(/do not fit/);
    // a slot zeroed by a restart reads as no stars; one of garbage is named
    const fh = await open(measurePaths(ctx).slots, 'r+');
    const slot = proxySlot(ctx, 1);
    await fh.write(new Uint8Array(slot.bytes), 0, slot.bytes, slot.offset);
    expect((await readProxySlot(ctx, 1)).stars).toEqual([]);
    const bad = new Float64Array([2.5]);
    await fh.write(new Uint8Array(bad.buffer), 0, 8, slot.offset + slot.starsAt);
    await fh.close();
    await expect(readProxySlot(ctx, 1)).rejects.toThrow(/frame 1's slot holds no valid star count/);
  });
});
