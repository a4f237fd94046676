import type { Affine, CloudBand, FrameConditions, SkySpec } from './spec-types';

/**
 * The smooth, per-pixel models of a frame (frame coordinates), exported so tests and later
 * acceptance checks compute the truth with the very formulas the renderer uses.
 */

const DEG = Math.PI / 180;

/** frame = R(theta) (scene - c) + c + (dx, dy). */
export function sceneToFrameAffine(cx: number, cy: number, dx: number, dy: number, rotationDeg: number): Affine {
  const cos = Math.cos(rotationDeg * DEG);
  const sin = Math.sin(rotationDeg * DEG);
  return [cos, -sin, cx + dx - (cos * cx - sin * cy), sin, cos, cy + dy - (sin * cx + cos * cy)];
}

/** Inverse of a 2x3 affine. */
export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

export function applyAffine(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Where a scene point lands in frame f. */
export function sceneToFrame(spec: SkySpec, f: number, x: number, y: number): [number, number] {
  return applyAffine(spec.frames[f].sceneToFrame, x, y);
}

/** The field-seeing factor never falls below this (a guard for extreme options). */
const MIN_FIELD_FACTOR = 0.3;

/** Seeing FWHM at frame pixel (x, y): linear across the field, `amplitude` at the corners. */
export function fwhmAt(spec: SkySpec, frame: FrameConditions, x: number, y: number): number {
  const a = frame.fieldSeeing.angleDeg * DEG;
  const u = ((x - spec.centre[0]) * Math.cos(a) + (y - spec.centre[1]) * Math.sin(a)) / spec.halfDiagonal;
  return frame.fwhmPx * Math.max(MIN_FIELD_FACTOR, 1 + frame.fieldSeeing.amplitude * u);
}

/** Dimming (0 = clear) of a cloud band at frame pixel (x, y). */
export function cloudDimming(cloud: CloudBand, cx: number, cy: number, x: number, y: number): number {
  return cloudDimmingFn(cloud, cx, cy)(x, y);
}

/** cloudDimming with the trigonometry done once (the renderer calls it per pixel). */
export function cloudDimmingFn(cloud: CloudBand, cx: number, cy: number): (x: number, y: number) => number {
  const cos = Math.cos(cloud.angleDeg * DEG);
  const sin = Math.sin(cloud.angleDeg * DEG);
  const { halfWidthPx, edgePx, depth, offsetPx } = cloud;
  return (x, y) => {
    const s = Math.abs((x - cx) * cos + (y - cy) * sin - offsetPx);
    if (s <= halfWidthPx) return depth;
    const e = s - halfWidthPx;
    if (e >= edgePx) return 0;
    return depth * 0.5 * (1 + Math.cos((Math.PI * e) / edgePx));
  };
}

/** Transmission of the atmosphere at frame pixel (x, y): haze times cloud. */
export function transmissionAt(spec: SkySpec, frame: FrameConditions, x: number, y: number): number {
  const cloud = frame.cloud ? cloudDimming(frame.cloud, spec.centre[0], spec.centre[1], x, y) : 0;
  return frame.transparency * (1 - cloud);
}

/** Sky level above the pedestal at frame pixel (x, y) before the CFA colour factor [ADU]. */
export function skyAt(spec: SkySpec, frame: FrameConditions, x: number, y: number): number {
  return skyFn(spec, frame)(x, y);
}

/** skyAt with the trigonometry done once. */
export function skyFn(spec: SkySpec, frame: FrameConditions): (x: number, y: number) => number {
  const { levelAdu, gradient, quadratic, angleDeg } = frame.sky;
  const gx = (gradient * Math.cos(angleDeg * DEG)) / (0.5 * spec.width);
  const gy = (gradient * Math.sin(angleDeg * DEG)) / (0.5 * spec.height);
  const qx = quadratic / (0.25 * spec.width * spec.width);
  const qy = quadratic / (0.25 * spec.height * spec.height);
  const [cx, cy] = spec.centre;
  return (x, y) => {
    const u = x - cx;
    const v = y - cy;
    return levelAdu * (1 + gx * u + gy * v + qx * u * u + qy * v * v);
  };
}
