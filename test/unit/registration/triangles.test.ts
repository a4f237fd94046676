import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { starsOnReferenceCounter } from '../../../shared/pipeline/registration/triangles';

/** The definition: moving stars that M maps strictly within tol of some reference star. */
function bruteForce(ref: { x: number; y: number }[], mov: { x: number; y: number }[], tol: number, M: Affine2x3): number {
  let k = 0;
  for (const p of mov) {
    const x = M[0] * p.x + M[1] * p.y + M[2];
    const y = M[3] * p.x + M[4] * p.y + M[5];
    if (ref.some((q) => (q.x - x) ** 2 + (q.y - y) ** 2 < tol * tol)) k++;
  }
  return k;
}

const point = fc.record({ x: fc.double({ min: -50, max: 400, noNaN: true }), y: fc.double({ min: -50, max: 300, noNaN: true }) });

describe('starsOnReferenceCounter (scores triangle RANSAC hypotheses)', () => {
  it('counts exactly what the definition counts, for any stars, tolerance and similarity', () => {
    fc.assert(
      fc.property(
        fc.array(point, { maxLength: 60 }),
        fc.array(point, { maxLength: 60 }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        fc.double({ min: -0.2, max: 0.2, noNaN: true }),
        fc.double({ min: 0.9, max: 1.1, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        fc.double({ min: -20, max: 20, noNaN: true }),
        (ref, mov, tol, theta, s, tx, ty) => {
          const M: Affine2x3 = [s * Math.cos(theta), -s * Math.sin(theta), tx, s * Math.sin(theta), s * Math.cos(theta), ty];
          expect(starsOnReferenceCounter(ref, mov, tol)(M)).toBe(bruteForce(ref, mov, tol, M));
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('counts the stars a true shift puts back onto their partners, and none for a wrong one', () => {
    const ref = Array.from({ length: 30 }, (_, i) => ({ x: 10 + ((i * 37) % 200), y: 5 + ((i * 53) % 150) }));
    const mov = ref.map((p) => ({ x: p.x - 3.5, y: p.y + 2.25 }));
    const count = starsOnReferenceCounter(ref, mov, 1);
    expect(count([1, 0, 3.5, 0, 1, -2.25])).toBe(30);
    expect(count([1, 0, 13.5, 0, 1, 8])).toBeLessThan(5);
    expect(starsOnReferenceCounter([], mov, 1)([1, 0, 0, 0, 1, 0])).toBe(0);
  });
});
