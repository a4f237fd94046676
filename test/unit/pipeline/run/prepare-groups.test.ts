import { describe, expect, it } from 'vitest';
import { prepareGroups } from '../../../../shared/pipeline/run/run-pipeline';

describe('prepareGroups (P6 units)', () => {
  it('puts the reference frame alone first, then runs of consecutive usable frames', () => {
    const usable = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12];
    expect(prepareGroups(usable, 6, 4)).toEqual([[6], [0, 1, 2, 3], [5], [7, 8, 9, 10], [12]]);
    expect(prepareGroups(usable, 0, 4)).toEqual([[0], [1, 2, 3, 5], [6, 7, 8, 9], [10, 12]]);
    expect(prepareGroups(usable, 12, 1)).toEqual([[12], ...usable.slice(0, -1).map((f) => [f])]);
  });

  it('covers every usable frame once, each group consecutive in usable order, whatever the size', () => {
    const usable = Array.from({ length: 37 }, (_, i) => i * 2 + (i % 3 === 0 ? 1 : 0));
    for (const size of [1, 2, 3, 4, 8]) {
      for (const reference of [usable[0], usable[17], usable[36]]) {
        const groups = prepareGroups(usable, reference, size);
        expect(groups[0]).toEqual([reference]);
        expect(groups.flat().sort((a, b) => a - b)).toEqual([...usable].sort((a, b) => a - b));
        for (const g of groups) {
          expect(g.length).toBeLessThanOrEqual(size);
          const at = g.map((f) => usable.indexOf(f));
          at.forEach((p, i) => expect(p).toBe(at[0] + i));
        }
      }
    }
  });
});
