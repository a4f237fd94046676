import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../../../shared/util/seed';

// Without WebAssembly (instantiation impossible) the warp silently runs the JS kernels: same bytes.
// The modules are imported after the global is removed, so the kernel's first (lazy) load fails.

describe('the Lanczos warp without WebAssembly', () => {
  beforeAll(() => vi.stubGlobal('WebAssembly', undefined));
  afterAll(() => vi.unstubAllGlobals());

  it('reports the kernel unavailable and warps with the JS kernels to the same bytes', async () => {
    const { lanczosPlaneWasm, wasmLanczosAvailable } = await import('../../../../shared/image/wasm/lanczos-wasm');
    const { warpImage } = await import('../../../../shared/image/warp');
    expect(wasmLanczosAvailable()).toBe(false);
    const u = mulberry32(3);
    const src = { width: 40, height: 30, planes: 1, data: Float32Array.from({ length: 1200 }, () => 100 * u()) };
    const out = new Float32Array(1200);
    expect(lanczosPlaneWasm({ data: src.data, base: 0, xs: 1, ys: 40, vw: 40, vh: 30 }, [1, 0, 0.3, 0, 1, 0.4], out, 0, 40, 0, 30)).toBe(false);
    expect(out.every((x) => x === 0)).toBe(true);
    for (const cfa of [false, true]) {
      const M = [0.999, -0.03, 0.41, 0.03, 0.999, -0.27] as const;
      const auto = warpImage(src, M, 40, 30, 'lanczos3', { cfa });
      const js = warpImage(src, M, 40, 30, 'lanczos3', { cfa, kernels: 'js' });
      expect(Array.from(new Uint32Array(auto.data.buffer))).toEqual(Array.from(new Uint32Array(js.data.buffer)));
      expect(auto.data.some((x) => !Number.isNaN(x))).toBe(true);
    }
  });
});
