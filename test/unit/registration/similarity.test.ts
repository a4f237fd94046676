import { describe, expect, it } from 'vitest';
import { applyAffine, invertAffine, similarity, toFullResolution, composeAffine, decompose, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { countInliers, ransacFit, uniquePairs } from '../../../shared/pipeline/registration/ransac';
import { fitAffine, fitModel, fitSimilarity, pairResidual } from '../../../shared/pipeline/registration/similarity';
import { mulberry32 } from '../../../shared/util/seed';

function points(n: number, seed: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: 2 * n }, () => u() * 200);
}

function mapAll(M: Affine2x3, src: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < src.length; i += 2) out.push(...applyAffine(M, src[i], src[i + 1]));
  return out;
}

/**
 * A RANSAC score like triangle matching's: how many of `others` a hypothesis puts within `tol` of
 * where `truth` puts them.
 */
function partnersScore(truth: Affine2x3, others: number[], tol: number): (M: Affine2x3) => number {
  const partners = mapAll(truth, others);
  return (M) => {
    const m = mapAll(M, others);
    let k = 0;
    for (let i = 0; i < m.length; i += 2) if (Math.hypot(m[i] - partners[i], m[i + 1] - partners[i + 1]) < tol) k++;
    return k;
  };
}

function expectMatrix(got: Affine2x3 | null, want: Affine2x3, digits = 9): void {
  expect(got).not.toBeNull();
  for (let i = 0; i < 6; i++) expect(got![i]).toBeCloseTo(want[i], digits);
}

describe('fitSimilarity', () => {
  it('is exact on noise-free points', () => {
    const src = points(12, 1);
    const M = similarity(1.03, 0.4, 12.5, -7.25);
    expectMatrix(fitSimilarity(src, mapAll(M, src)), M);
  });

  it('recovers a 180° rotation', () => {
    const src = points(8, 2);
    const M = similarity(1, Math.PI, 300, 210);
    expectMatrix(fitSimilarity(src, mapAll(M, src)), M);
  });

  it('never fits a reflection: a mirrored point set gets a large residual instead', () => {
    const src = points(20, 3);
    const mirror: Affine2x3 = [-1, 0, 200, 0, 1, 0];
    const dst = mapAll(mirror, src);
    const fit = fitSimilarity(src, dst)!;
    expect(fit[0] * fit[4] - fit[1] * fit[3]).toBeGreaterThanOrEqual(0);
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const [x, y] = applyAffine(fit, src[2 * i], src[2 * i + 1]);
      worst = Math.max(worst, Math.hypot(x - dst[2 * i], y - dst[2 * i + 1]));
    }
    expect(worst).toBeGreaterThan(20);
  });

  it('fixes theta to 0 when rotation is not allowed', () => {
    const src = points(10, 4);
    const fit = fitSimilarity(src, mapAll(similarity(1, 0.01, 3, 4), src), null, false)!;
    expect(fit[1]).toBe(-0);
    expect(fit[3]).toBe(0);
  });

  it('returns null for fewer than two pairs or coincident points', () => {
    expect(fitSimilarity([1, 2], [3, 4])).toBeNull();
    expect(fitSimilarity([1, 1, 1, 1], [0, 0, 5, 5])).toBeNull();
  });
});

describe('fitAffine', () => {
  it('is exact on noise-free points, shear included', () => {
    const src = points(10, 5);
    const M: Affine2x3 = [1.02, 0.05, 3, -0.03, 0.97, -8];
    expectMatrix(fitAffine(src, mapAll(M, src)), M);
  });

  it('returns null for collinear points', () => {
    expect(fitAffine([0, 0, 1, 1, 2, 2, 3, 3], [0, 0, 1, 1, 2, 2, 3, 3])).toBeNull();
  });
});

describe('ransacFit', () => {
  const M = similarity(1.001, 0.02, 15.3, -9.8);
  const make = (outlierShare: number) => {
    const src = points(100, 6);
    const dst = mapAll(M, src);
    const u = mulberry32(7);
    const nOut = Math.round(outlierShare * 100);
    for (let i = 0; i < nOut; i++) {
      dst[2 * i] = u() * 200;
      dst[2 * i + 1] = u() * 200;
    }
    return { src, dst, nOut };
  };

  it('recovers the model with 40 % outliers and flags them', () => {
    const { src, dst, nOut } = make(0.4);
    const r = ransacFit(src, dst, mulberry32(42))!;
    expectMatrix(r.matrix, M, 6);
    expect(r.inliers.length).toBeGreaterThanOrEqual(100 - nOut);
    expect(r.inliers.length).toBeLessThanOrEqual(100 - nOut + 2);
    expect(r.rmsPx).toBeLessThan(1e-6);
  });

  it('is deterministic for a given PRNG seed', () => {
    const { src, dst } = make(0.4);
    expect(ransacFit(src, dst, mulberry32(9))).toEqual(ransacFit(src, dst, mulberry32(9)));
  });

  it('fits an affine model when asked', () => {
    const A: Affine2x3 = [1.01, 0.02, 5, -0.01, 0.99, 3];
    const src = points(30, 8);
    const r = ransacFit(src, mapAll(A, src), mulberry32(1), { model: 'affine' })!;
    expectMatrix(r.matrix, A, 6);
  });

  it('returns null when there are too few pairs', () => {
    expect(ransacFit([1, 2], [3, 4], mulberry32(1))).toBeNull();
  });

  it('with a score function, keeps the hypothesis it scores best (not the one with most pairs) and runs every iteration', () => {
    // the wrong model explains more listed pairs (a correspondence repeated across triangles);
    // only the truth puts the other stars of the frame onto their partners
    const truth = similarity(1, 0.01, 4, -3);
    const wrong = similarity(1.004, -0.02, -7, 5);
    const tSrc = points(10, 31);
    const wSrc = points(6, 32);
    const src: number[] = [];
    const dst: number[] = [];
    for (const [s, M, times] of [[tSrc, truth, 2], [wSrc, wrong, 6]] as const) {
      const d = mapAll(M, s);
      for (let k = 0; k < times; k++) {
        src.push(...s);
        dst.push(...d);
      }
    }
    const onPartners = partnersScore(truth, points(40, 33), 1);
    const byPairs = ransacFit(src, dst, mulberry32(5))!;
    expectMatrix(byPairs.matrix, wrong, 6);
    const byScore = ransacFit(src, dst, mulberry32(5), { score: onPartners })!;
    expectMatrix(byScore.matrix, truth, 6);
    expect(byScore.iterations).toBe(2000);
    expect(byPairs.iterations).toBeLessThan(2000);
  });

  it('finds no consensus in pure noise (fewer inliers than a real model would have)', () => {
    const src = points(50, 10);
    const dst = points(50, 11);
    const r = ransacFit(src, dst, mulberry32(3));
    expect(r === null || r.inliers.length < 10).toBe(true);
  });
});

describe('toFullResolution', () => {
  // full = 2*proxy + 0.5, proxy = 2x2 block mean: a 180° flip of a frame is exact at full resolution
  it('maps a 180° flip of a full frame to the exact full-resolution flip (checked with a real 2x block-mean proxy)', () => {
    const W = 16;
    const H = 12;
    const u = mulberry32(12);
    const full = Float64Array.from({ length: W * H }, () => u());
    const flipped = new Float64Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) flipped[y * W + x] = full[(H - 1 - y) * W + (W - 1 - x)];
    const proxy = (img: Float64Array) => {
      const p = new Float64Array((W / 2) * (H / 2));
      for (let y = 0; y < H / 2; y++) for (let x = 0; x < W / 2; x++) {
        p[y * (W / 2) + x] = (img[2 * y * W + 2 * x] + img[2 * y * W + 2 * x + 1] + img[(2 * y + 1) * W + 2 * x] + img[(2 * y + 1) * W + 2 * x + 1]) / 4;
      }
      return p;
    };
    const pRef = proxy(full);
    const pMov = proxy(flipped);
    // proxy registration of the flip: mov(q) = ref(w-1-x, h-1-y) => M_proxy = [-1 0 w-1; 0 -1 h-1]
    const w = W / 2;
    const h = H / 2;
    const Mp: Affine2x3 = [-1, 0, w - 1, 0, -1, h - 1];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const [mx, my] = applyAffine(Mp, x, y);
      expect(pMov[my * w + mx]).toBeCloseTo(pRef[y * w + x], 12);
    }
    const Mf = toFullResolution(Mp);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const [mx, my] = applyAffine(Mf, x, y);
      expect(flipped[my * W + mx]).toBe(full[y * W + x]);
    }
    // the REF rule (2*t_proxy) is one pixel off here
    expect(2 * Mp[2]).not.toBe(Mf[2]);
  });

  it('keeps the linear part and is consistent with composition', () => {
    const Mp = similarity(1, 0.3, 4, -2);
    const Mf = toFullResolution(Mp);
    expect(Mf[0]).toBe(Mp[0]);
    expect(decompose(Mf).rotationDeg).toBeCloseTo((0.3 * 180) / Math.PI, 10);
    composeAffine(Mf, invertAffine(Mf)!).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0, 0, 1, 0][i], 9));
  });
});

describe('countInliers', () => {
  // pairs at residuals straddling the tolerance by a few ulps: the squared-distance shortcut must
  // count exactly the pairs pairResidual puts below tol
  const M = similarity(1.0003, 0.013, 2.5, -1.25);
  const tol = 3;
  const src = points(400, 51);
  const mapped = mapAll(M, src);
  const u = mulberry32(52);
  const dst = mapped.map((v, i) => {
    if (i % 2 === 1) return v;
    const k = (i / 2) % 4;
    // residual exactly tol, one ulp-ish either side, or anywhere in [0, 2 tol)
    const r = k === 0 ? tol : k === 1 ? tol * (1 - 1e-15) : k === 2 ? tol * (1 + 1e-15) : 2 * tol * u();
    return v + r;
  });
  const byHypot = (A: Affine2x3) => {
    let n = 0;
    let s = 0;
    for (let i = 0; i < src.length / 2; i++) {
      const r = pairResidual(A, src, dst, i);
      if (r < tol) {
        n++;
        s += r;
      }
    }
    return { n, s };
  };

  it('counts the pairs pairResidual puts within the tolerance, at the boundary too, and sums their residuals', () => {
    for (const A of [M, similarity(1.0003, 0.013, 2.5 + 1e-13, -1.25), similarity(1, 0, 2, -1)]) {
      const want = byHypot(A);
      const got = countInliers(A, Float64Array.from(src), Float64Array.from(dst), tol, true);
      expect(got.count).toBe(want.n);
      expect(got.sum).toBeCloseTo(want.s, 9);
    }
    // the boundary pairs are really at the boundary: some fall just inside, some just outside
    const near = Array.from({ length: src.length / 2 }, (_, i) => pairResidual(M, src, dst, i)).filter((r) => Math.abs(r - tol) < 1e-12);
    expect(near.some((r) => r < tol) && near.some((r) => r >= tol)).toBe(true);
    expect(byHypot(M).n).toBeGreaterThan(40);
  });

  it('a looser tolerance counts more pairs (the count is not a constant)', () => {
    const a = countInliers(M, src, dst, tol, false).count;
    const b = countInliers(M, src, dst, 2 * tol, false).count;
    expect(b).toBeGreaterThan(a);
    expect(countInliers(M, src, dst, tol, false).sum).toBe(0);
  });
});

describe('ransacFit over a list with repeated pairs (as triangle matching gives it)', () => {
  // the plain definition: every draw fitted and counted over the whole list with pairResidual,
  // scored, ties by count then residual sum; then the same least-squares refinement
  function plainRansac(src: number[], dst: number[], random: () => number, score: (M: Affine2x3) => number): Affine2x3 | null {
    const n = src.length / 2;
    let best: Affine2x3 | null = null;
    let bestScore = -Infinity;
    let bestCount = 0;
    let bestSum = Infinity;
    let mostPairs = 0;
    const inl = (M: Affine2x3) => {
      const idx: number[] = [];
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const r = pairResidual(M, src, dst, i);
        if (r < 3) {
          idx.push(i);
          sum += r;
        }
      }
      return { idx, sum };
    };
    for (let it = 0; it < 2000; it++) {
      const sample = Uint32Array.from([Math.min(n - 1, Math.floor(random() * n)), Math.min(n - 1, Math.floor(random() * n))]);
      const [a, b] = sample;
      if (a === b || Math.hypot(src[2 * a] - src[2 * b], src[2 * a + 1] - src[2 * b + 1]) < 1) continue;
      const M = fitModel('similarity', src, dst, sample, true);
      if (!M || !M.every(Number.isFinite)) continue;
      const sc = Math.sqrt(Math.abs(M[0] * M[4] - M[1] * M[3]));
      if (sc < 0.5 || sc > 2) continue;
      const { idx, sum } = inl(M);
      if (idx.length < 2) continue;
      mostPairs = Math.max(mostPairs, idx.length);
      if (idx.length < 0.5 * mostPairs) continue;
      const s = score(M);
      if (s > bestScore || (s === bestScore && (idx.length > bestCount || (idx.length === bestCount && sum < bestSum)))) {
        best = M;
        bestScore = s;
        bestCount = idx.length;
        bestSum = sum;
      }
    }
    if (!best) return null;
    let M = best;
    let idx = inl(M).idx;
    for (let round = 0; round < 5; round++) {
      const fit = fitModel('similarity', src, dst, idx, true);
      if (!fit) break;
      const next = inl(fit).idx;
      if (next.length < 2) break;
      M = fit;
      const same = next.length === idx.length && next.every((v, i) => v === idx[i]);
      idx = next;
      if (same) break;
    }
    return M;
  }

  it('finds the same transform as the plain definition, on lists of a few distinct pairs repeated many times', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const u = mulberry32(100 + seed);
      const truth = similarity(1 + 0.002 * u(), 0.05 * (u() - 0.5), 20 * u(), -20 * u());
      const base = points(24, 200 + seed);
      const mapped = mapAll(truth, base);
      // a third of the distinct pairs wrong; each pair repeated 1-25 times, in shuffled order
      const distinct: [number, number, number, number][] = [];
      for (let i = 0; i < 24; i++) distinct.push([base[2 * i], base[2 * i + 1], i % 3 === 0 ? u() * 200 : mapped[2 * i] + 0.3 * (u() - 0.5), i % 3 === 0 ? u() * 200 : mapped[2 * i + 1]]);
      const list: [number, number, number, number][] = [];
      for (const p of distinct) for (let k = 1 + Math.floor(u() * 25); k > 0; k--) list.push(p);
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(u() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
      }
      const src = list.flatMap((p) => [p[0], p[1]]);
      const dst = list.flatMap((p) => [p[2], p[3]]);
      const score = partnersScore(truth, points(60, 300 + seed), 2);
      expect(uniquePairs(src, dst).mult.length).toBe(24);
      const got = ransacFit(src, dst, mulberry32(seed), { score })!;
      const want = plainRansac(src, dst, mulberry32(seed), score)!;
      expect(Array.from(got.matrix)).toEqual(Array.from(want));
      // and it is the truth, within what 0.3 px of noise and the odd wrong pair inside 3 px allow
      expectMatrix(got.matrix, truth, 0);
    }
  });

  it('uniquePairs counts each distinct pair and maps every entry to it', () => {
    const u = uniquePairs([1, 2, 3, 4, 1, 2, 1, 2], [5, 6, 7, 8, 5, 6, 5, 7]);
    expect(Array.from(u.mult)).toEqual([2, 1, 1]);
    expect(Array.from(u.of)).toEqual([0, 1, 0, 2]);
    expect(Array.from(u.src)).toEqual([1, 2, 3, 4, 1, 2]);
  });
});
