import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeSky, starGrid } from './sky-fixture';

// Without WebAssembly the local metrics silently run the JS definition: the same values.
// The modules are imported after the global is removed, so the kernel's first (lazy) load fails.

describe('local metrics without WebAssembly', () => {
  beforeAll(() => vi.stubGlobal('WebAssembly', undefined));
  afterAll(() => vi.unstubAllGlobals());

  it('reports the kernel unavailable and measures with the JS definition to the same values', async () => {
    const { tileStatsKernel } = await import('../../../shared/image/wasm/tile-stats');
    const { measureLocalMetrics } = await import('../../../shared/pipeline/local-metrics');
    expect(tileStatsKernel()).toBeNull();
    const data = makeSky(120, 100, { bg: 1, noise: 0.01, seed: 3, stars: starGrid(120, 100, 15, 6, 4, 1.3) });
    for (let i = 0; i < 120 * 4; i++) data[i] = Number.NaN;
    const y = { width: 120, height: 100, data };
    const boxes = [
      { x0: 0, y0: 0, w: 64, h: 64 },
      { x0: 48, y0: 30, w: 64, h: 64 },
    ];
    const auto = measureLocalMetrics(y, boxes, 2.2);
    const js = measureLocalMetrics(y, boxes, 2.2, undefined, 'js');
    expect(JSON.stringify(auto)).toBe(JSON.stringify(js));
    expect(auto.every((m) => m !== null && m.nstar > 0)).toBe(true);
  });
});
