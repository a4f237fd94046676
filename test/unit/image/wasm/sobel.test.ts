import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeCommittedWasm } from '../../../fixtures/wasm';
import { sobelMagnitudeSq } from '../../../../shared/image/filters';
import { SOBEL_WASM } from '../../../../shared/image/wasm/sobel.wasm';
import { sobelInteriorWasm } from '../../../../shared/image/wasm/sobel';
import { mulberry32 } from '../../../../shared/util/seed';

// sobelMagnitudeSq runs its interior through the sobel kernel on float32 planes: the values must
// be the JS definition's bit for bit (NaN where it gives NaN). The reference is the same function
// on a plain array, which takes the per-pixel JS path.

const WAT = fileURLToPath(new URL('../../../../shared/image/wasm/sobel.wat', import.meta.url));
describeCommittedWasm(WAT, SOBEL_WASM);

type Kind = 'sky' | 'wide' | 'special';

function plane(w: number, h: number, kind: Kind, seed: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: w * h }, () => {
    const r = u();
    if (kind === 'sky') return 1 + 0.01 * (u() - 0.5) + (r < 0.01 ? 5 * u() : 0);
    if (kind === 'wide') return (u() - 0.5) * 2 ** (Math.floor(u() * 60) - 30);
    return r < 0.03 ? Number.NaN : r < 0.04 ? Infinity : r < 0.2 ? (u() < 0.5 ? -0 : 0) : 1000 * (u() - 0.5);
  });
}

function sameValues(got: Float32Array, want: ArrayLike<number>, label: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const w = Math.fround(want[i]);
    if (Number.isNaN(w)) expect(Number.isNaN(got[i]), `${label} at ${i}: NaN expected`).toBe(true);
    else expect(Object.is(got[i], w), `${label} at ${i}: ${got[i]} vs ${w}`).toBe(true);
  }
}

describe('sobelMagnitudeSq through the sobel kernel', () => {
  it('runs the kernel here', () => {
    expect(sobelInteriorWasm(new Float32Array(9), 3, 3, new Float32Array(9))).toBe(true);
  });

  for (const kind of ['sky', 'wide', 'special'] as const) {
    it(`gives the JS values on ${kind} planes: odd and even widths, bands of rows and a last band of one row`, () => {
      for (const [w, h, seed] of [[3, 3, 1], [4, 5, 2], [5, 4, 3], [97, 66, 4], [64, 67, 5], [130, 131, 6], [1031, 20, 7]] as const) {
        const p = plane(w, h, kind, seed);
        sameValues(sobelMagnitudeSq(p, w, h), sobelMagnitudeSq(Array.from(p), w, h), `${kind} ${w}x${h}`);
      }
    });
  }

  it('writes into a given output and leaves nothing of its earlier contents', () => {
    const p = plane(50, 70, 'sky', 8);
    const out = new Float32Array(50 * 70 + 5).fill(-123);
    sobelMagnitudeSq(p, 50, 70, out);
    sameValues(out.subarray(0, 50 * 70), sobelMagnitudeSq(Array.from(p), 50, 70), 'into');
    expect(out[50 * 70]).toBe(-123);
  });
});
