import { applyAffine, composeAffine, invertAffine, translation, type Affine2x3 } from './affine';

/**
 * Output canvas (METHOD.md P4.10). `reference` [DIFF default]: the reference frame's grid, matrices
 * unchanged. `union` [REF]: bounding box (in reference pixel centres) of every given frame's
 * footprint, sizes rounded up to even, offset o = -min corner (even for OSC so the Bayer phase is
 * kept), and each matrix becomes M' = M * T(-o).
 */

export type Framing = 'reference' | 'union';

export interface Canvas {
  readonly width: number;
  readonly height: number;
  /** Canvas pixel q shows reference pixel q - offset. */
  readonly offsetX: number;
  readonly offsetY: number;
  /** Canvas -> moving-frame full-resolution matrices, in the order given. */
  readonly matrices: Affine2x3[];
}

/** `matrices`: full-resolution reference -> moving matrices of the accepted frames (w x h frames). */
export function computeCanvas(framing: Framing, matrices: readonly Affine2x3[], w: number, h: number, isOsc: boolean): Canvas {
  if (framing === 'reference') return { width: w, height: h, offsetX: 0, offsetY: 0, matrices: matrices.slice() };
  if (framing !== 'union') throw new RangeError(`output.framing: unknown value ${String(framing)}`);
  // the reference frame itself always belongs to the union
  let minX = 0;
  let minY = 0;
  let maxX = w - 1;
  let maxY = h - 1;
  for (const M of matrices) {
    const inv = invertAffine(M);
    if (!inv) throw new RangeError('computeCanvas: singular registration matrix');
    for (const [x, y] of [
      [0, 0],
      [w - 1, 0],
      [0, h - 1],
      [w - 1, h - 1],
    ]) {
      const [u, v] = applyAffine(inv, x, y);
      minX = Math.min(minX, u);
      minY = Math.min(minY, v);
      maxX = Math.max(maxX, u);
      maxY = Math.max(maxY, v);
    }
  }
  // tolerance: corners that land within 1e-6 of a pixel centre do not add a column of NaN
  let x0 = Math.floor(minX + 1e-6);
  let y0 = Math.floor(minY + 1e-6);
  if (isOsc) {
    x0 = 2 * Math.floor(x0 / 2);
    y0 = 2 * Math.floor(y0 / 2);
  }
  const x1 = Math.ceil(maxX - 1e-6);
  const y1 = Math.ceil(maxY - 1e-6);
  const width = roundUpEven(x1 - x0 + 1);
  const height = roundUpEven(y1 - y0 + 1);
  const shift = translation(x0, y0);
  return { width, height, offsetX: 0 - x0, offsetY: 0 - y0, matrices: matrices.map((M) => composeAffine(M, shift)) };
}

function roundUpEven(n: number): number {
  return n % 2 === 0 ? n : n + 1;
}

/** Dither diagnostic (P4.10): share of frames whose full-resolution |t| >= minShiftPx. */
export function ditherShare(matrices: readonly Affine2x3[], minShiftPx: number): number {
  if (matrices.length === 0) return 0;
  return matrices.filter((M) => Math.hypot(M[2], M[5]) >= minShiftPx).length / matrices.length;
}
