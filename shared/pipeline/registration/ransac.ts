import type { Affine2x3 } from './affine';
import { fitModel, pairResidual, type TransformModel } from './similarity';

/**
 * RANSAC over point pairs (P4.3): minimal samples (2 pairs for a similarity, 3 for an affine map),
 * the hypothesis with most pairs within `inlierTolPx` wins (ties: lower residual sum), early stop
 * once `iterations >= log(1 - confidence) / log(1 - share^m)`, then least-squares on the inliers,
 * re-evaluated until the inlier set stops changing. The PRNG is passed in (mulberry32 seeded with
 * seed('reg:<f>')), so the result depends only on the inputs.
 */

export interface RansacOptions {
  readonly maxIterations: number;
  readonly inlierTolPx: number;
  readonly confidence: number;
  readonly model: TransformModel;
  readonly allowRotation: boolean;
  /** Minimal-sample points closer than this are degenerate. */
  readonly minSampleSpanPx: number;
  /**
   * Admissible sqrt|det|. Without it a near-zero scale maps every point onto one destination and
   * "explains" all pairs that share it; [0.5, 2] as in the star-pair stage (P4.4).
   */
  readonly scaleRange: readonly [number, number];
  /**
   * [DIFF] Score of a hypothesis replacing its inlier-pair count (ties: more inlier pairs, then the
   * lower residual sum), with no early stop (the confidence rule assumes the pair count). Triangle
   * matching scores by how many of ALL the moving stars land on a reference star: its pair list
   * repeats each correspondence once per triangle, and a few wrong correspondences repeated across
   * many similar triangles outnumbered the true ones (bench/QUALITY.md).
   */
  readonly score?: (M: Affine2x3) => number;
}

/** With a score function: hypotheses below this share of the most inlier pairs seen are not scored. */
const SCORED_MIN_PAIR_SHARE = 0.5;

export const DEFAULT_RANSAC: RansacOptions = {
  maxIterations: 2000,
  inlierTolPx: 3,
  confidence: 0.99,
  model: 'similarity',
  allowRotation: true,
  minSampleSpanPx: 1,
  scaleRange: [0.5, 2],
};

export interface RansacResult {
  readonly matrix: Affine2x3;
  /** Indices of the inlier pairs, ascending. */
  readonly inliers: Uint32Array;
  /** RMS residual of the inliers under `matrix` (dst units). */
  readonly rmsPx: number;
  readonly iterations: number;
}

function inliersOf(M: Affine2x3, src: ArrayLike<number>, dst: ArrayLike<number>, tol: number): number[] {
  const n = src.length / 2;
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (pairResidual(M, src, dst, i) < tol) idx.push(i);
  return idx;
}

/**
 * The inlier count of inliersOf without the list and without Math.hypot where the squared distance
 * decides (this is the inner loop of every hypothesis, 2000 x up to 600 pairs per frame, and
 * Math.hypot cost most of it): only a squared distance within a relative 1e-9 of tol^2, far wider
 * than its rounding, is left to pairResidual's exact test, so the count is the same. With
 * `withSum`, also the sum of the inliers' residuals, as sqrt(dx^2 + dy^2): the tie-break between
 * hypotheses of equal score and count, within rounding of inliersOf's sum. `mult[i]`: how many
 * times pair i stands in the list it was taken from (uniquePairs); each counts that often.
 */
export function countInliers(
  M: Affine2x3,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  tol: number,
  withSum: boolean,
  mult?: ArrayLike<number>,
): { count: number; sum: number } {
  const n = src.length / 2;
  const [m0, m1, m2, m3, m4, m5] = M;
  const near = tol * tol * (1 - 1e-9);
  const far = tol * tol * (1 + 1e-9);
  let count = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = src[2 * i];
    const y = src[2 * i + 1];
    // pairResidual's terms in its order
    const dx = m0 * x + m1 * y + m2 - dst[2 * i];
    const dy = m3 * x + m4 * y + m5 - dst[2 * i + 1];
    const d2 = dx * dx + dy * dy;
    if (d2 < near || (d2 <= far && Math.hypot(dx, dy) < tol)) {
      const k = mult === undefined ? 1 : mult[i];
      count += k;
      if (withSum) sum += k * Math.sqrt(d2);
    }
  }
  return { count, sum };
}

/**
 * The distinct pairs of a pair list with their multiplicities (`of[i]`: the distinct pair of list
 * entry i). Triangle matching lists a star
 * correspondence once per matched triangle (600 pairs hold ~100 distinct ones); equal pairs have
 * equal residuals under every hypothesis, so counting the distinct ones with their multiplicity
 * gives the same counts at a fraction of the work.
 */
export function uniquePairs(src: ArrayLike<number>, dst: ArrayLike<number>): { src: Float64Array; dst: Float64Array; mult: Float64Array; of: Int32Array } {
  const n = src.length / 2;
  const index = new Map<string, number>();
  const of = new Int32Array(n);
  const us: number[] = [];
  const ud: number[] = [];
  const mult: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${src[2 * i]},${src[2 * i + 1]},${dst[2 * i]},${dst[2 * i + 1]}`;
    const k = index.get(key);
    if (k !== undefined) {
      mult[k]++;
      of[i] = k;
      continue;
    }
    of[i] = mult.length;
    index.set(key, mult.length);
    us.push(src[2 * i], src[2 * i + 1]);
    ud.push(dst[2 * i], dst[2 * i + 1]);
    mult.push(1);
  }
  return { src: Float64Array.from(us), dst: Float64Array.from(ud), mult: Float64Array.from(mult), of };
}

/** Robust fit of src -> dst; null if no hypothesis has a full minimal sample of inliers. */
export function ransacFit(
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  random: () => number,
  options: Partial<RansacOptions> = {},
): RansacResult | null {
  const opt = { ...DEFAULT_RANSAC, ...options };
  if (src.length !== dst.length || src.length % 2 !== 0) throw new RangeError('ransacFit: src and dst must be equal-length flat (x, y) lists');
  const n = src.length / 2;
  const m = opt.model === 'affine' ? 3 : 2;
  if (n < m) return null;
  let best: Affine2x3 | null = null;
  let bestScore = -Infinity;
  let bestCount = 0;
  let bestSum = Infinity;
  let mostPairs = 0;
  let needed = opt.maxIterations;
  const sample = new Uint32Array(m);
  // hypotheses are drawn from the list as given (the PRNG sequence) and counted over its distinct pairs
  const distinct = uniquePairs(src, dst);
  // a sample of the same distinct pairs (in the same order) is the same hypothesis with the same
  // outcome: ~30 distinct pairs give ~900 ordered 2-samples for 2000 draws, evaluated once each
  const seen = new Set<number>();
  const nDistinct = distinct.mult.length;
  let it = 0;
  for (; it < Math.min(opt.maxIterations, needed); it++) {
    for (let k = 0; k < m; k++) sample[k] = Math.min(n - 1, Math.floor(random() * n));
    if (!sampleIsUsable(sample, src, opt.minSampleSpanPx)) continue;
    let key = 0;
    for (let k = 0; k < m; k++) key = key * nDistinct + distinct.of[sample[k]];
    if (seen.has(key)) continue;
    seen.add(key);
    const M = fitModel(opt.model, src, dst, sample, opt.allowRotation);
    if (!M || !M.every(Number.isFinite) || !scaleOk(M, opt.scaleRange)) continue;
    const { count } = countInliers(M, distinct.src, distinct.dst, opt.inlierTolPx, false, distinct.mult);
    if (count < m) continue;
    // the score function is dearer than the pair count: only hypotheses with at least half the
    // most inlier pairs seen so far are scored (true and repeated-wrong fits are within 20 %)
    mostPairs = Math.max(mostPairs, count);
    if (opt.score && count < SCORED_MIN_PAIR_SHARE * mostPairs) continue;
    const score = opt.score ? opt.score(M) : count;
    if (!(score >= bestScore) || (score === bestScore && count < bestCount)) continue;
    // the residual sum only breaks a tie of score and count
    const { sum } = countInliers(M, distinct.src, distinct.dst, opt.inlierTolPx, true, distinct.mult);
    if (score > bestScore || count > bestCount || sum < bestSum) {
      best = M;
      bestScore = score;
      bestCount = count;
      bestSum = sum;
      if (!opt.score) {
        const share = bestCount / n;
        const pAllIn = share ** m;
        needed = pAllIn >= 1 ? 0 : Math.ceil(Math.log(1 - opt.confidence) / Math.log(1 - pAllIn));
      }
    }
  }
  if (!best || bestCount < m) return null;
  // refine: least squares on the inliers, re-evaluated until the set is stable (at most 5 rounds)
  let M = best;
  let idx = inliersOf(M, src, dst, opt.inlierTolPx);
  for (let round = 0; round < 5; round++) {
    const fit = fitModel(opt.model, src, dst, idx, opt.allowRotation);
    if (!fit || !scaleOk(fit, opt.scaleRange)) break;
    const next = inliersOf(fit, src, dst, opt.inlierTolPx);
    if (next.length < m) break;
    M = fit;
    const same = next.length === idx.length && next.every((v, i) => v === idx[i]);
    idx = next;
    if (same) break;
  }
  let ss = 0;
  for (const i of idx) ss += pairResidual(M, src, dst, i) ** 2;
  return { matrix: M, inliers: Uint32Array.from(idx), rmsPx: Math.sqrt(ss / Math.max(1, idx.length)), iterations: it };
}

function scaleOk(M: Affine2x3, range: readonly [number, number]): boolean {
  const s = Math.sqrt(Math.abs(M[0] * M[4] - M[1] * M[3]));
  return s >= range[0] && s <= range[1];
}

function sampleIsUsable(sample: Uint32Array, src: ArrayLike<number>, minSpan: number): boolean {
  for (let i = 0; i < sample.length; i++) {
    for (let j = i + 1; j < sample.length; j++) {
      if (sample[i] === sample[j]) return false;
      const dx = src[2 * sample[i]] - src[2 * sample[j]];
      const dy = src[2 * sample[i] + 1] - src[2 * sample[j] + 1];
      if (dx * dx + dy * dy < minSpan * minSpan) return false;
    }
  }
  return true;
}
