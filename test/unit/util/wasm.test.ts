import { describe, expect, it } from 'vitest';
import { instantiateWasm, lazyWasmKernel } from '../../../shared/util/wasm';
import { SOBEL_WASM } from '../../../shared/image/wasm/sobel.wasm';

describe('lazyWasmKernel', () => {
  it('instantiates on the first call only, and gives the same kernel afterwards', () => {
    let built = 0;
    const load = lazyWasmKernel(SOBEL_WASM, (w) => {
      built++;
      return { memory: w.memory, band: w.exports.sobel_band };
    });
    expect(built).toBe(0);
    const a = load();
    expect(a).not.toBeNull();
    expect(typeof a?.band).toBe('function');
    expect(load()).toBe(a);
    expect(built).toBe(1);
  });

  it('gives null, once and for all, where the module cannot be instantiated (the JS twin runs)', () => {
    let built = 0;
    const notAModule = new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]);
    expect(instantiateWasm(notAModule)).toBeNull();
    const load = lazyWasmKernel(notAModule, () => ++built);
    expect(load()).toBeNull();
    expect(load()).toBeNull();
    expect(built).toBe(0);
  });
});
