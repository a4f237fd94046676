import { invertAffine, type Affine2x3 } from './affine';
import { fitSimilarity } from './similarity';
import { refineWithAllStars, StarGrid, type Point } from './star-grid';
import type { StarFit } from './triangles';

/**
 * Star-pair matching [REF, METHOD.md P4.4]: every moving star pair is hypothesized to be a reference
 * pair of similar length (distance buckets key-1..key+1, both vertex orders [DIFF: REF one order]);
 * each hypothesis is a similarity scored by how many moving stars land within `tol` of a reference
 * star. Works when too few stars are shared for triangles, e.g. under partial cloud.
 */

export const STAR_PAIRS_KEEP = 800;
export const STAR_PAIRS_MIN_HYPOTHESES = 4000;

interface Pair {
  readonly i: number;
  readonly j: number;
  readonly d: number;
}

/** Pairs with distance > 1 px, longest first (ties by indices), at most `keep`. */
export function longestPairs(stars: readonly Point[], keep = STAR_PAIRS_KEEP): Pair[] {
  const pairs: Pair[] = [];
  for (let i = 0; i < stars.length; i++) {
    for (let j = i + 1; j < stars.length; j++) {
      const d = Math.hypot(stars[i].x - stars[j].x, stars[i].y - stars[j].y);
      if (d > 1) pairs.push({ i, j, d });
    }
  }
  pairs.sort((a, b) => b.d - a.d || a.i - b.i || a.j - b.j);
  return pairs.slice(0, keep);
}

function score(M: Affine2x3, mov: readonly Point[], grid: StarGrid, tol: number): { count: number; meanErr: number } {
  let count = 0;
  let sum = 0;
  for (const s of mov) {
    const { k, d } = grid.nearest(M[0] * s.x + M[1] * s.y + M[2], M[3] * s.x + M[4] * s.y + M[5], tol);
    if (k >= 0) {
      count++;
      sum += d;
    }
  }
  return { count, meanErr: count > 0 ? sum / count : Infinity };
}

export interface StarPairOptions {
  readonly minInliers: number;
  readonly inlierTolPx: number;
  readonly distBinPx: number;
  readonly allowRotation: boolean;
  /** Admissible hypothesis scale; [0.5, 2] [REF]. */
  readonly scaleRange?: readonly [number, number];
  /** Model of the final all-star refit (hypotheses are similarities). */
  readonly model?: 'similarity' | 'affine';
}

/** Star-pair registration; on success the REFERENCE -> MOVING proxy matrix. */
export function registerByStarPairs(refStars: readonly Point[], movStars: readonly Point[], opts: StarPairOptions): StarFit {
  if (movStars.length < 2 || refStars.length < 2) return { ok: false, reason: `too few stars (${movStars.length} moving, ${refStars.length} reference)` };
  const tol = opts.inlierTolPx;
  const [scaleLo, scaleHi] = opts.scaleRange ?? [0.5, 2];
  const refPairs = longestPairs(refStars);
  const movPairs = longestPairs(movStars);
  const buckets = new Map<number, Pair[]>();
  for (const p of refPairs) {
    const key = Math.round(p.d / opts.distBinPx);
    const list = buckets.get(key);
    if (list) list.push(p);
    else buckets.set(key, [p]);
  }
  const grid = new StarGrid(refStars, tol);
  const src = new Float64Array(4);
  const dst = new Float64Array(4);
  let best: Affine2x3 | null = null;
  let bestCount = 0;
  let bestErr = Infinity;
  let hypotheses = 0;
  outer: for (const mp of movPairs) {
    const key = Math.round(mp.d / opts.distBinPx);
    src[0] = movStars[mp.i].x;
    src[1] = movStars[mp.i].y;
    src[2] = movStars[mp.j].x;
    src[3] = movStars[mp.j].y;
    for (let kk = key - 1; kk <= key + 1; kk++) {
      const list = buckets.get(kk);
      if (!list) continue;
      for (const rp of list) {
        for (let order = 0; order < 2; order++) {
          const a = order === 0 ? rp.i : rp.j;
          const b = order === 0 ? rp.j : rp.i;
          dst[0] = refStars[a].x;
          dst[1] = refStars[a].y;
          dst[2] = refStars[b].x;
          dst[3] = refStars[b].y;
          const M = fitSimilarity(src, dst, null, true);
          hypotheses++;
          if (M) {
            const s = Math.hypot(M[0], M[3]);
            if (s >= scaleLo && s <= scaleHi) {
              const r = score(M, movStars, grid, tol);
              if (r.count > bestCount || (r.count === bestCount && r.count > 0 && r.meanErr < bestErr)) {
                best = M;
                bestCount = r.count;
                bestErr = r.meanErr;
              }
            }
          }
          if (hypotheses >= STAR_PAIRS_MIN_HYPOTHESES && bestCount >= opts.minInliers) break outer;
        }
      }
    }
  }
  if (!best || bestCount < opts.minInliers || !(bestErr < 1.2 * tol)) {
    return { ok: false, reason: `best star-pair hypothesis: ${bestCount} stars within ${tol} px (need ${opts.minInliers}), mean error ${bestErr.toFixed(2)} px` };
  }
  // least-squares refit on the inlier correspondences [EXT], one-to-one
  const refined = refineWithAllStars(best, movStars, refStars, tol, opts.allowRotation, opts.model);
  const refit = refined?.matrix ?? (opts.allowRotation ? best : null);
  if (!refit) return { ok: false, reason: 'rotation-free refit failed' };
  const inv = invertAffine(refit);
  if (!inv) return { ok: false, reason: 'singular fit' };
  return { ok: true, matrix: inv, inliers: bestCount, pairs: movPairs.length, residualPx: refined?.rmsPx ?? bestErr };
}
