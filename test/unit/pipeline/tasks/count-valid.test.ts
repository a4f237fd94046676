import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countValid } from '../../../../shared/pipeline/tasks/prepare-task';

describe('countValid (the valid pixels of a prepared frame)', () => {
  it('counts the values that are not NaN, at any length and position (the unrolled loop and its tail)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(0, -0, 1.5, -2, Number.NaN, Infinity, -Infinity), { maxLength: 23 }), fc.integer({ min: 0, max: 3 }), (values, offset) => {
        // a view at an offset into a larger buffer, as the worker's reused arrays are
        const buffer = new Float32Array(values.length + offset + 2).fill(Number.NaN);
        const data = buffer.subarray(offset, offset + values.length);
        data.set(values);
        expect(countValid(data)).toBe(values.filter((v) => !Number.isNaN(v)).length);
      }),
      { numRuns: 300 },
    );
  });
});
