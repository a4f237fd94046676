import { invertAffine, type Affine2x3 } from './affine';
import { ransacFit } from './ransac';
import { fitSimilarity } from './similarity';
import { refineWithAllStars, type Point } from './star-grid';

/**
 * Triangle (asterism) matching [REF, METHOD.md P4.3]. A triangle's descriptor (s1/s3, s2/s3) of its
 * sorted sides is invariant to shift, rotation and scale; its vertices are ordered by the rank of
 * the opposite side, so a matched triangle yields three point pairs without further search.
 */

export type { Point };

export interface Triangle {
  /** Star indices: v[0] opposite the shortest side, v[2] opposite the longest. */
  readonly v: readonly [number, number, number];
  readonly d1: number;
  readonly d2: number;
  readonly perimeter: number;
}

export const TRIANGLE_STARS = 30;
export const TRIANGLE_MIN_SIDE_PX = 3;
export const TRIANGLE_KEEP = 600;
export const TRIANGLE_MAX_DESCRIPTOR_DIST = 0.03;
export const TRIANGLE_MAX_MATCHES = 200;
export const TRIANGLE_MIN_PAIRS = 6;
export const TRIANGLE_RANSAC_ITERATIONS = 2000;
/**
 * Distance (proxy px) within which a mapped moving star counts as lying on a reference star when
 * RANSAC scores a hypothesis: above the error of a model fitted to two pairs across the proxy.
 */
export const TRIANGLE_STAR_SCORE_TOL_PX = 2;
export const TRIANGLE_INLIER_TOL_PX = 3;

/** Triangles of the `maxStars` first stars (callers pass stars sorted by flux), largest perimeter first. */
export function buildTriangles(stars: readonly Point[], maxStars = TRIANGLE_STARS, keep = TRIANGLE_KEEP): Triangle[] {
  const n = Math.min(maxStars, stars.length);
  const tris: Triangle[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        // side opposite each vertex
        const oi = dist(stars[j], stars[k]);
        const oj = dist(stars[i], stars[k]);
        const ok = dist(stars[i], stars[j]);
        if (oi < TRIANGLE_MIN_SIDE_PX || oj < TRIANGLE_MIN_SIDE_PX || ok < TRIANGLE_MIN_SIDE_PX) continue;
        const vs: [number, number][] = [
          [oi, i],
          [oj, j],
          [ok, k],
        ];
        vs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        const s3 = vs[2][0];
        tris.push({ v: [vs[0][1], vs[1][1], vs[2][1]], d1: vs[0][0] / s3, d2: vs[1][0] / s3, perimeter: oi + oj + ok });
      }
    }
  }
  tris.sort((a, b) => b.perimeter - a.perimeter || a.v[0] - b.v[0] || a.v[1] - b.v[1] || a.v[2] - b.v[2]);
  return tris.slice(0, keep);
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * Point pairs (moving star index, reference star index) from descriptor matches: each moving
 * triangle (largest first) takes its nearest reference triangle if closer than 0.03; stops after
 * 200 matches. A star pair found by several triangles is kept each time [REF]: the repeats are
 * what lifts a true correspondence above the chance matches in the RANSAC count and share.
 */
export function matchTriangles(movTris: readonly Triangle[], refTris: readonly Triangle[]): { mov: number[]; ref: number[] } {
  const mov: number[] = [];
  const ref: number[] = [];
  let matches = 0;
  for (const t of movTris) {
    if (matches >= TRIANGLE_MAX_MATCHES) break;
    let best = -1;
    let bestD = TRIANGLE_MAX_DESCRIPTOR_DIST;
    for (let r = 0; r < refTris.length; r++) {
      const d = Math.hypot(t.d1 - refTris[r].d1, t.d2 - refTris[r].d2);
      if (d < bestD) {
        bestD = d;
        best = r;
      }
    }
    if (best < 0) continue;
    matches++;
    for (let q = 0; q < 3; q++) {
      mov.push(t.v[q]);
      ref.push(refTris[best].v[q]);
    }
  }
  return { mov, ref };
}

export type StarFit =
  | { readonly ok: true; readonly matrix: Affine2x3; readonly inliers: number; readonly pairs: number; readonly residualPx: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Triangle matching of moving against reference stars. Returns the REFERENCE -> MOVING proxy
 * matrix (the fit maps moving -> reference and is inverted, P4.3).
 */
export function registerByTriangles(
  refStars: readonly Point[],
  refTris: readonly Triangle[],
  movStars: readonly Point[],
  random: () => number,
  opts: { minInliers: number; allowRotation: boolean; scaleRange?: readonly [number, number]; model?: 'similarity' | 'affine' },
): StarFit {
  if (movStars.length < 3 || refStars.length < 3) return { ok: false, reason: `too few stars (${movStars.length} moving, ${refStars.length} reference)` };
  const movTris = buildTriangles(movStars);
  const { mov, ref } = matchTriangles(movTris, refTris);
  if (mov.length < TRIANGLE_MIN_PAIRS) return { ok: false, reason: `${mov.length} point pairs from triangles (< ${TRIANGLE_MIN_PAIRS})` };
  const src = new Float64Array(mov.length * 2);
  const dst = new Float64Array(mov.length * 2);
  for (let i = 0; i < mov.length; i++) {
    src[2 * i] = movStars[mov[i]].x;
    src[2 * i + 1] = movStars[mov[i]].y;
    dst[2 * i] = refStars[ref[i]].x;
    dst[2 * i + 1] = refStars[ref[i]].y;
  }
  // [DIFF: REF counts inlier pairs, with an early stop] a hypothesis is scored by the moving stars
  // (all of them, not only the triangle vertices) it puts on a reference star, over all 2000
  // iterations; see RansacOptions.score
  const starsOnReference = starsOnReferenceCounter(refStars, movStars, TRIANGLE_STAR_SCORE_TOL_PX);
  const fit = ransacFit(src, dst, random, {
    maxIterations: TRIANGLE_RANSAC_ITERATIONS,
    inlierTolPx: TRIANGLE_INLIER_TOL_PX,
    confidence: 0.99,
    model: 'similarity',
    score: starsOnReference,
    ...(opts.scaleRange ? { scaleRange: opts.scaleRange } : {}),
  });
  if (!fit) return { ok: false, reason: 'RANSAC found no consistent similarity' };
  const share = fit.inliers.length / mov.length;
  if (fit.inliers.length < opts.minInliers || !(share > 0.05)) {
    return { ok: false, reason: `${fit.inliers.length} inliers of ${mov.length} pairs (need >= ${opts.minInliers} and > 5 %)` };
  }
  let movToRef = fit.matrix;
  if (!opts.allowRotation) {
    const refit = fitSimilarity(src, dst, fit.inliers, false);
    if (!refit) return { ok: false, reason: 'rotation-free refit failed' };
    movToRef = refit;
  }
  // the success test above is the REF's; the returned matrix uses every star [EXT]
  const refined = refineWithAllStars(movToRef, movStars, refStars, TRIANGLE_INLIER_TOL_PX, opts.allowRotation, opts.model);
  const inv = invertAffine(refined?.matrix ?? movToRef);
  if (!inv) return { ok: false, reason: 'singular fit' };
  return { ok: true, matrix: inv, inliers: fit.inliers.length, pairs: mov.length, residualPx: refined?.rmsPx ?? fit.rmsPx };
}

/**
 * Counter of the moving stars that a matrix puts within `tol` of some reference star, for scoring
 * RANSAC hypotheses: a bucket grid (cell = tol) over the reference stars in flat typed arrays,
 * since it runs for hundreds of hypotheses per frame.
 */
export function starsOnReferenceCounter(refStars: readonly Point[], movStars: readonly Point[], tol: number): (M: Affine2x3) => number {
  const n = refStars.length;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const s of refStars) {
    x0 = Math.min(x0, s.x);
    y0 = Math.min(y0, s.y);
    x1 = Math.max(x1, s.x);
    y1 = Math.max(y1, s.y);
  }
  const cell = Math.max(tol, 1e-3);
  const gw = n > 0 ? Math.floor((x1 - x0) / cell) + 1 : 0;
  const gh = n > 0 ? Math.floor((y1 - y0) / cell) + 1 : 0;
  // counting sort of the stars by cell: cell c holds xs/ys[start[c] .. start[c+1])
  const cellOf = new Int32Array(n);
  const start = new Int32Array(gw * gh + 1);
  for (let i = 0; i < n; i++) {
    cellOf[i] = Math.floor((refStars[i].y - y0) / cell) * gw + Math.floor((refStars[i].x - x0) / cell);
    start[cellOf[i] + 1]++;
  }
  for (let c = 0; c < gw * gh; c++) start[c + 1] += start[c];
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const fill = start.slice(0, gw * gh);
  for (let i = 0; i < n; i++) {
    const at = fill[cellOf[i]]++;
    xs[at] = refStars[i].x;
    ys[at] = refStars[i].y;
  }
  const mx = Float64Array.from(movStars, (p) => p.x);
  const my = Float64Array.from(movStars, (p) => p.y);
  const tol2 = tol * tol;
  return (M: Affine2x3): number => {
    let k = 0;
    for (let i = 0; i < mx.length; i++) {
      const x = M[0] * mx[i] + M[1] * my[i] + M[2];
      const y = M[3] * mx[i] + M[4] * my[i] + M[5];
      const cx = Math.floor((x - x0) / cell);
      const cy = Math.floor((y - y0) / cell);
      let hit = false;
      for (let gy = Math.max(0, cy - 1); gy <= Math.min(gh - 1, cy + 1) && !hit; gy++) {
        for (let gx = Math.max(0, cx - 1); gx <= Math.min(gw - 1, cx + 1) && !hit; gx++) {
          const c = gy * gw + gx;
          for (let j = start[c]; j < start[c + 1]; j++) {
            const dx = xs[j] - x;
            const dy = ys[j] - y;
            if (dx * dx + dy * dy < tol2) {
              hit = true;
              break;
            }
          }
        }
      }
      if (hit) k++;
    }
    return k;
  };
}
