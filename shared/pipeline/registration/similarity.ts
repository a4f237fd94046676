import type { Affine2x3 } from './affine';

/**
 * Least-squares transforms from point pairs src[i] -> dst[i] (flat [x0, y0, x1, y1, ...]).
 * The similarity is the closed form on centred coordinates; its linear part [a -b; b a] cannot
 * reflect, so a mirrored point set gets a poor fit instead of a flipped one (P4.3, P4.7).
 */

export type TransformModel = 'similarity' | 'affine';

function checkPairs(src: ArrayLike<number>, dst: ArrayLike<number>, idx: ArrayLike<number> | null): number {
  if (src.length !== dst.length || src.length % 2 !== 0) throw new RangeError('fit: src and dst must be equal-length flat (x, y) lists');
  return idx ? idx.length : src.length / 2;
}

/**
 * Closed-form least-squares similarity (no reflection) mapping src -> dst, over the pairs listed in
 * `idx` (all pairs when omitted). With `allowRotation = false` theta is fixed to 0 (scale and
 * shift only). Null when fewer than 2 pairs or all src points coincide.
 */
export function fitSimilarity(
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  idx: ArrayLike<number> | null = null,
  allowRotation = true,
): Affine2x3 | null {
  const n = checkPairs(src, dst, idx);
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    sx += src[2 * i];
    sy += src[2 * i + 1];
    dx += dst[2 * i];
    dy += dst[2 * i + 1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let spp = 0;
  let sab = 0;
  let scr = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const px = src[2 * i] - sx;
    const py = src[2 * i + 1] - sy;
    const qx = dst[2 * i] - dx;
    const qy = dst[2 * i + 1] - dy;
    spp += px * px + py * py;
    sab += px * qx + py * qy;
    scr += px * qy - py * qx;
  }
  if (!(spp > 1e-12)) return null;
  const a = sab / spp;
  const b = allowRotation ? scr / spp : 0;
  if (!(a * a + b * b > 0)) return null;
  return [a, -b, dx - a * sx + b * sy, b, a, dy - b * sx - a * sy];
}

/** Least-squares affine map src -> dst (6 parameters); null with < 3 pairs or collinear points. */
export function fitAffine(src: ArrayLike<number>, dst: ArrayLike<number>, idx: ArrayLike<number> | null = null): Affine2x3 | null {
  const n = checkPairs(src, dst, idx);
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  let ux = 0;
  let uy = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    mx += src[2 * i];
    my += src[2 * i + 1];
    ux += dst[2 * i];
    uy += dst[2 * i + 1];
  }
  mx /= n;
  my /= n;
  ux /= n;
  uy /= n;
  // centred normal equations: [sxx sxy; sxy syy] [a b]^T = [sxu syu]^T (same matrix for c, d)
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let sxu = 0;
  let syu = 0;
  let sxv = 0;
  let syv = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const x = src[2 * i] - mx;
    const y = src[2 * i + 1] - my;
    const u = dst[2 * i] - ux;
    const v = dst[2 * i + 1] - uy;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
    sxu += x * u;
    syu += y * u;
    sxv += x * v;
    syv += y * v;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-9 * Math.max(1, sxx * syy))) return null;
  const a = (syy * sxu - sxy * syu) / det;
  const b = (sxx * syu - sxy * sxu) / det;
  const c = (syy * sxv - sxy * syv) / det;
  const d = (sxx * syv - sxy * sxv) / det;
  return [a, b, ux - a * mx - b * my, c, d, uy - c * mx - d * my];
}

export function fitModel(
  model: TransformModel,
  src: ArrayLike<number>,
  dst: ArrayLike<number>,
  idx: ArrayLike<number> | null = null,
  allowRotation = true,
): Affine2x3 | null {
  return model === 'affine' ? fitAffine(src, dst, idx) : fitSimilarity(src, dst, idx, allowRotation);
}

/** Euclidean residual of pair i under M (in dst units). */
export function pairResidual(M: Affine2x3, src: ArrayLike<number>, dst: ArrayLike<number>, i: number): number {
  const x = src[2 * i];
  const y = src[2 * i + 1];
  return Math.hypot(M[0] * x + M[1] * y + M[2] - dst[2 * i], M[3] * x + M[4] * y + M[5] - dst[2 * i + 1]);
}
