import type { Affine2x3 } from '../../image/warp';

export type { Affine2x3 };

/** Small algebra on 2x3 affine maps [a, b, tx, c, d, ty]: x' = a*x + b*y + tx, y' = c*x + d*y + ty. */

export const IDENTITY: Affine2x3 = [1, 0, 0, 0, 1, 0];

export function applyAffine(M: Affine2x3, x: number, y: number): [number, number] {
  return [M[0] * x + M[1] * y + M[2], M[3] * x + M[4] * y + M[5]];
}

/** (P ∘ Q)(x) = P(Q(x)). */
export function composeAffine(P: Affine2x3, Q: Affine2x3): Affine2x3 {
  return [
    P[0] * Q[0] + P[1] * Q[3],
    P[0] * Q[1] + P[1] * Q[4],
    P[0] * Q[2] + P[1] * Q[5] + P[2],
    P[3] * Q[0] + P[4] * Q[3],
    P[3] * Q[1] + P[4] * Q[4],
    P[3] * Q[2] + P[4] * Q[5] + P[5],
  ];
}

export function determinant(M: Affine2x3): number {
  return M[0] * M[4] - M[1] * M[3];
}

/** Inverse map; null when the linear part is singular. */
export function invertAffine(M: Affine2x3): Affine2x3 | null {
  const det = determinant(M);
  if (!(Math.abs(det) > 1e-12) || !Number.isFinite(det)) return null;
  const ia = M[4] / det;
  const ib = -M[1] / det;
  const ic = -M[3] / det;
  const id = M[0] / det;
  return [ia, ib, -(ia * M[2] + ib * M[5]), ic, id, -(ic * M[2] + id * M[5])];
}

export function translation(tx: number, ty: number): Affine2x3 {
  return [1, 0, tx, 0, 1, ty];
}

/** Similarity x' = s*R(theta)*x + t. */
export function similarity(scale: number, thetaRad: number, tx: number, ty: number): Affine2x3 {
  const a = scale * Math.cos(thetaRad);
  const b = scale * Math.sin(thetaRad);
  return [a, -b, tx, b, a, ty];
}

/** Rotation by theta about centre (cx, cy) followed by a shift (tx, ty). */
export function rotationAbout(thetaRad: number, cx: number, cy: number, tx = 0, ty = 0): Affine2x3 {
  const co = Math.cos(thetaRad);
  const si = Math.sin(thetaRad);
  return [co, -si, cx - co * cx + si * cy + tx, si, co, cy - si * cx - co * cy + ty];
}

/** Scale = sqrt|det|; rotation of the closest similarity, degrees in (-180, 180]. */
export function decompose(M: Affine2x3): { scale: number; rotationDeg: number; tx: number; ty: number } {
  return {
    scale: Math.sqrt(Math.abs(determinant(M))),
    rotationDeg: (Math.atan2(M[3] - M[1], M[0] + M[4]) * 180) / Math.PI,
    tx: M[2],
    ty: M[5],
  };
}

/**
 * P4.9: proxy -> full resolution. With full = 2*proxy + 0.5 the linear part is unchanged and
 * t = 2*t_proxy + 0.5*(I - A)*(1, 1)^T (REF drops the second term: 1 px off after a 180° flip).
 */
export function toFullResolution(proxyMatrix: Affine2x3): Affine2x3 {
  const [a, b, tx, c, d, ty] = proxyMatrix;
  return [a, b, 2 * tx + 0.5 * (1 - a - b), c, d, 2 * ty + 0.5 * (1 - c - d)];
}

/** Largest displacement |M*p - p| over the four pixel-centre corners of a w x h image. */
export function maxCornerMotion(M: Affine2x3, w: number, h: number): number {
  let m = 0;
  for (const [x, y] of [
    [0, 0],
    [w - 1, 0],
    [0, h - 1],
    [w - 1, h - 1],
  ]) {
    const [u, v] = applyAffine(M, x, y);
    m = Math.max(m, Math.hypot(u - x, v - y));
  }
  return m;
}
