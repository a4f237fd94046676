import type { Affine2x3 } from './affine';
import { fitModel, fitSimilarity, pairResidual, type TransformModel } from './similarity';
import { median } from '../../image/stats';

const REFINE_ROUNDS = 8;
/** Tolerance of the first rounds as a share of the caller's tolerance. */
const REFINE_SCHEDULE = [1, 2 / 3, 1 / 2, 1 / 3];
const REFINE_MIN_TOL_PX = 0.3;
/** Inlier distance of the consensus step, proxy px: above the centroid scatter of bad-seeing stars. */
const CONSENSUS_TOL_PX = 1;
/** Residual distance of a Rayleigh-distributed centroid error: ~3x its median covers > 99.8 % of true pairs. */
const REFINE_TOL_FACTOR = 3;

/** Uniform grid over star positions for nearest-neighbour queries within a tolerance. */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export class StarGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly cell: number;
  constructor(
    private readonly stars: readonly Point[],
    tol: number,
  ) {
    this.cell = Math.max(tol, 1e-3);
    stars.forEach((s, k) => {
      const key = this.key(Math.floor(s.x / this.cell), Math.floor(s.y / this.cell));
      const list = this.cells.get(key);
      if (list) list.push(k);
      else this.cells.set(key, [k]);
    });
  }
  private key(cx: number, cy: number): number {
    // cell indices stay far below 2^20 for any image size we handle
    return (cx + 1048576) * 2097152 + (cy + 1048576);
  }
  /** Nearest star strictly within `tol` of (x, y) (ties: lower index), or k = -1. `tol` <= grid tolerance. */
  nearest(x: number, y: number, tol: number): { k: number; d: number } {
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    let best = -1;
    let bestD = tol;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const list = this.cells.get(this.key(cx + dx, cy + dy));
        if (!list) continue;
        for (const k of list) {
          const d = Math.hypot(this.stars[k].x - x, this.stars[k].y - y);
          if (d < bestD || (d === bestD && best >= 0 && k < best)) {
            bestD = d;
            best = k;
          }
        }
      }
    }
    return { k: best, d: bestD };
  }
}

/**
 * Each moving star mapped by M with its nearest reference star within `tol`, one to one, closest
 * pairs first (ties: lower moving index): src/dst as interleaved x, y.
 */
function pairStars(M: Affine2x3, movStars: readonly Point[], refStars: readonly Point[], grid: StarGrid, tol: number): { src: Float64Array; dst: Float64Array; n: number } {
  const cand: { m: number; r: number; d: number }[] = [];
  movStars.forEach((s, m) => {
    const { k, d } = grid.nearest(M[0] * s.x + M[1] * s.y + M[2], M[3] * s.x + M[4] * s.y + M[5], tol);
    if (k >= 0) cand.push({ m, r: k, d });
  });
  cand.sort((a, b) => a.d - b.d || a.m - b.m);
  const usedRef = new Set<number>();
  const pairs = cand.filter((c) => (usedRef.has(c.r) ? false : (usedRef.add(c.r), true)));
  const n = pairs.length;
  const src = new Float64Array(2 * n);
  const dst = new Float64Array(2 * n);
  pairs.forEach((p, i) => {
    src[2 * i] = movStars[p.m].x;
    src[2 * i + 1] = movStars[p.m].y;
    dst[2 * i] = refStars[p.r].x;
    dst[2 * i + 1] = refStars[p.r].y;
  });
  return { src, dst, n };
}

/**
 * Consensus of the nearest-neighbour pairs under the first fit: each candidate pair proposes the
 * first fit shifted so that it maps exactly; the shift that most pairs follow within
 * CONSENSUS_TOL_PX wins (ties: smaller residual sum, then the closer pair), refitted on its pairs.
 * Why: when the frames share only a third of their listed stars (the worst seeing of a night, a
 * cloud), chance neighbours within the first tolerance outnumber the true pairs, and a least-squares
 * fit over all of them lands 1-3 px off at the corners (quality sets, bench/QUALITY.md); chance pairs
 * do not agree with each other, true pairs do. Deterministic (no sampling). Null below 3 pairs.
 */
function consensusStart(
  movToRef: Affine2x3,
  movStars: readonly Point[],
  refStars: readonly Point[],
  grid: StarGrid,
  tol: number,
  allowRotation: boolean,
): Affine2x3 | null {
  const M = movToRef;
  const { src, dst, n } = pairStars(M, movStars, refStars, grid, tol);
  if (n < 3) return null;
  // hypotheses: the first fit's rotation and scale with the shift that makes one pair exact; the
  // shift is what a near-miss start gets wrong, and one pair pins it without the lever-arm noise of
  // a two-pair rotation
  let best: Affine2x3 | null = null;
  let bestCount = 0;
  let bestSum = Infinity;
  for (let i = 0; i < n; i++) {
    const sx = src[2 * i];
    const sy = src[2 * i + 1];
    const H: Affine2x3 = [M[0], M[1], dst[2 * i] - M[0] * sx - M[1] * sy, M[3], M[4], dst[2 * i + 1] - M[3] * sx - M[4] * sy];
    let count = 0;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const e = pairResidual(H, src, dst, k);
      if (e < CONSENSUS_TOL_PX) {
        count++;
        sum += e;
      }
    }
    if (count > bestCount || (count === bestCount && sum < bestSum)) {
      best = H;
      bestCount = count;
      bestSum = sum;
    }
  }
  if (!best || bestCount < 3) return null;
  const inliers: number[] = [];
  for (let k = 0; k < n; k++) if (pairResidual(best, src, dst, k) < CONSENSUS_TOL_PX) inliers.push(k);
  return fitSimilarity(src, dst, inliers, allowRotation) ?? best;
}

/**
 * Guided refinement [EXT]: with a first moving -> reference fit, pair every moving star with the
 * nearest reference star within `tol` (one-to-one, closest pairs first) and refit by least squares;
 * later rounds use a tolerance of 3x the median residual (at least 0.3 px) until it stops shrinking. A triangle fit
 * rests on the ~30 brightest stars and may include near-miss pairs; all top-K stars, one-to-one,
 * pin the transform down far better (P4.3's accuracy target is 0.05 px).
 */
export function refineWithAllStars(
  movToRef: Affine2x3,
  movStars: readonly Point[],
  refStars: readonly Point[],
  firstTol: number,
  allowRotation: boolean,
  model: TransformModel = 'similarity',
): { matrix: Affine2x3; pairs: number; rmsPx: number } | null {
  const grid = new StarGrid(refStars, firstTol);
  const agreed = consensusStart(movToRef, movStars, refStars, grid, firstTol, allowRotation);
  let M = agreed ?? movToRef;
  // after the consensus the start is within a fraction of a pixel: the schedule starts at its tolerance
  const tol = agreed ? Math.min(firstTol, CONSENSUS_TOL_PX) : firstTol;
  let t = tol;
  let result: { matrix: Affine2x3; pairs: number; rmsPx: number } | null = null;
  for (let round = 0; round < REFINE_ROUNDS; round++) {
    const { src, dst } = pairStars(M, movStars, refStars, grid, t);
    if (src.length < 6) break;
    // an affine fit needs more support than a similarity: fall back to the similarity below 10 pairs
    const fit = fitModel(model === 'affine' && src.length >= 20 ? 'affine' : 'similarity', src, dst, null, allowRotation);
    if (!fit) break;
    const n = src.length / 2;
    const res = new Float64Array(n);
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const ex = fit[0] * src[2 * i] + fit[1] * src[2 * i + 1] + fit[2] - dst[2 * i];
      const ey = fit[3] * src[2 * i] + fit[4] * src[2 * i + 1] + fit[5] - dst[2 * i + 1];
      res[i] = Math.hypot(ex, ey);
      ss += ex * ex + ey * ey;
    }
    M = fit;
    result = { matrix: fit, pairs: n, rmsPx: Math.sqrt(ss / n) };
    // the next tolerance follows the robust spread of the residuals, not their RMS: a few wrong
    // pairs inflate the RMS and would keep themselves in (the centroid scatter of faint stars is
    // ~0.2 proxy px, chance neighbours sit at 1-3 px)
    // first a fixed shrinking schedule (a start that is ~1 px off keeps its true pairs and sheds chance
    // neighbours), then 3x the median residual until the tolerance stops shrinking
    const medRes = median(res);
    const scheduled = round + 1 < REFINE_SCHEDULE.length ? tol * REFINE_SCHEDULE[round + 1] : Infinity;
    const next = Math.min(tol, scheduled, Math.max(REFINE_MIN_TOL_PX, REFINE_TOL_FACTOR * medRes));
    if (round + 1 >= REFINE_SCHEDULE.length && next >= t) break;
    t = next;
  }
  return result;
}
