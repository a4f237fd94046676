import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../../../shared/util/seed';

// Without WebAssembly (instantiation impossible) the tile reconstruction silently runs the JS code.
// The modules are imported after the global is removed, so the kernel's first (lazy) load fails.

describe('P9 tile reconstruction without WebAssembly', () => {
  beforeAll(() => vi.stubGlobal('WebAssembly', undefined));
  afterAll(() => vi.unstubAllGlobals());

  it('reports the kernel unavailable, writes nothing through it and reconstructs with the JS code', async () => {
    const { tileRowsWasm, wasmTileClipAvailable } = await import('../../../../shared/pipeline/wasm/tile-clip-wasm');
    const { reconstructTile } = await import('../../../../shared/pipeline/tile-reconstruction');
    expect(wasmTileClipAvailable()).toBe(false);

    const u = mulberry32(11);
    const frames = 15; // enough for a single outlier to lie beyond 3 sigma
    const data = Float32Array.from({ length: frames * 5 * 3 }, () => 100 + 10 * u());
    data[4] = 5000;
    const out = { R: new Float32Array(15), mean: new Float32Array(15), coverage: new Float32Array(15), synth: [], frameUsed: new Uint8Array(frames), samplesIn: 0, samplesKept: 0, clipFallbackPixels: 0 };
    const job = {
      frames,
      width: 5,
      height: 3,
      average: false,
      synthClip: false,
      clip: { sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 },
      members: [],
      laneWeights: () => ({ r: new Float64Array(frames).fill(1), clusters: [] }),
    };
    expect(tileRowsWasm(job, { data, offset: 0, frameStride: 15, planes: 1, rows: 3 }, 0, out)).toBe(false);
    expect(out.R.every((x) => x === 0) && out.samplesIn === 0 && out.frameUsed.every((x) => x === 0)).toBe(true);

    const cfg = { stacking: { method: 'rej' as const, sigma_clip: job.clip } };
    const stack = { data, frames, planes: 1, width: 5, height: 3 };
    const tileWeights = [new Float64Array(frames).fill(1)];
    const auto = reconstructTile(stack, { tileWeights }, cfg);
    const js = reconstructTile(stack, { tileWeights }, cfg, { kernels: 'js' });
    expect(Array.from(new Uint32Array(auto.R.buffer))).toEqual(Array.from(new Uint32Array(js.R.buffer)));
    expect(auto.diagnostics).toEqual(js.diagnostics);
    // the outlier of pixel 4 was clipped: the JS code really ran
    expect(auto.R[4]).toBeLessThan(200);
    expect(auto.diagnostics.clippedShare).toBeGreaterThan(0);
  });
});
