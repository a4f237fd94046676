import { describe, expect, it } from 'vitest';
import { detectStars } from '../../../shared/pipeline/registration/stars';
import { mulberry32 } from '../../../shared/util/seed';
import * as before from '../pipeline/before/stars-before';
import { makeSky, starGrid } from '../pipeline/sky-fixture';

// detectStars with the ring offsets computed once, against the frozen previous definition: the
// same stars in the same order, every coordinate bit for bit.

describe('detectStars against the previous definition', () => {
  it('finds the same stars on fields with stars, a trail, hot pixels and a gradient', () => {
    for (const [w, h, seed] of [[160, 120, 1], [257, 193, 2]]) {
      const data = makeSky(w, h, { bg: 1, noise: 0.02, seed, stars: starGrid(w, h, 14, 8, 3, 1.3, 0.4), gx: 2e-4, gy: -1e-4 });
      const u = mulberry32(seed);
      for (let k = 0; k < 30; k++) data[Math.floor(u() * data.length)] += 2;
      for (let x = 20; x < 120; x++) data[Math.round(40 + 0.3 * x) * w + x] += 0.5;
      const got = detectStars(data, w, h, { topK: 60 });
      expect(got.length).toBeGreaterThan(10);
      expect(got).toEqual(before.detectStars(data, w, h, { topK: 60 }));
    }
  });

  it('still returns no stars for a plane without finite pixels (the failure twin)', () => {
    const data = new Float32Array(64 * 64).fill(Number.NaN);
    expect(detectStars(data, 64, 64, { topK: 10 })).toEqual([]);
    expect(before.detectStars(data, 64, 64, { topK: 10 })).toEqual([]);
  });
});
