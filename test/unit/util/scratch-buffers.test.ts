import { describe, expect, it } from 'vitest';
import { ScratchBuffers } from '../../../shared/util/scratch-buffers';

describe('ScratchBuffers', () => {
  it('gives the same memory back to the next task asking for a slot, as a view of the length asked', () => {
    const s = new ScratchBuffers();
    const a = s.float32('frame', 100);
    a[0] = 7;
    const b = s.float32('frame', 60);
    expect(b.length).toBe(60);
    expect(b.buffer).toBe(a.buffer);
    expect(b[0]).toBe(7); // contents are left as they were: callers overwrite them
    expect(s.bytes).toBe(400);
  });

  it('grows a slot that is too small, keeps slots apart and never shrinks', () => {
    const s = new ScratchBuffers();
    const small = s.float32('frame', 10);
    const canvas = s.float32('canvas', 10);
    expect(canvas.buffer).not.toBe(small.buffer);
    const big = s.float32('frame', 20);
    expect(big.buffer).not.toBe(small.buffer);
    expect(s.float32('frame', 5).buffer).toBe(big.buffer);
    expect(s.bytes).toBe(4 * (20 + 10));
  });

  it('refuses a negative or fractional length', () => {
    const s = new ScratchBuffers();
    expect(() => s.float32('frame', -1)).toThrow(RangeError);
    expect(() => s.float32('frame', 1.5)).toThrow(RangeError);
  });
});
