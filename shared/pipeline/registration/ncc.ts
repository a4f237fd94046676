import { sampleBilinearView, type View } from '../../image/warp-kernels';
import { maxCornerMotion, type Affine2x3 } from './affine';

/**
 * Acceptance of a registration candidate (METHOD.md P4.6): NCC between the reference proxy and the
 * moving proxy resampled bilinearly with the candidate, over pixels valid in both [DIFF: REF counts
 * zero borders, which rewards transforms that push content out of the frame].
 */

/** Pixels used for NCC need at least this many valid overlaps to be meaningful. */
const MIN_OVERLAP = 16;

/** NCC of ref(q) and mov(M*q) over q valid in both; NaN if the overlap is tiny or flat. */
export function nccUnderTransform(
  ref: Float32Array,
  refW: number,
  refH: number,
  mov: Float32Array,
  movW: number,
  movH: number,
  M: Affine2x3,
): number {
  const [a, b, tx, c, d, ty] = M;
  if (isWholePixelShift(M)) return nccShifted(ref, refW, refH, mov, movW, movH, tx, ty);
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const view: View = { data: mov, base: 0, xs: 1, ys: movW, vw: movW, vh: movH };
  // positions whose 2x2 lies inside the moving proxy skip the sampler's edge handling
  const xEnd = movW - 1;
  const yEnd = movH - 1;
  for (let y = 0; y < refH; y++) {
    let sx = b * y + tx;
    let sy = d * y + ty;
    const row = y * refW;
    for (let x = 0; x < refW; x++, sx += a, sy += c) {
      const u = ref[row + x];
      if (u !== u) continue;
      let v: number;
      if (sx >= 0 && sx < xEnd && sy >= 0 && sy < yEnd) {
        // floor of a non-negative position below 2^31, without Math.floor's float result
        const x0 = sx | 0;
        const y0 = sy | 0;
        const fx = sx - x0;
        const fy = sy - y0;
        if (fx !== 0 && fy !== 0) {
          // bilinearInterior's general case written out (the hot path)
          const i = y0 * movW + x0;
          const j = i + movW;
          const gx = 1 - fx;
          const gy = 1 - fy;
          v = gy * (gx * mov[i] + fx * mov[i + 1]) + fy * (gx * mov[j] + fx * mov[j + 1]);
        } else v = bilinearInterior(mov, movW, x0, y0, sx, sy);
      } else v = sampleBilinearView(view, sx, sy);
      if (v !== v) continue;
      n++;
      sa += u;
      sb += v;
      saa += u * u;
      sbb += v * v;
      sab += u * v;
    }
  }
  return nccOfSums(n, sa, sb, saa, sbb, sab);
}

/** M moves every pixel by the same whole number of pixels (identity included). */
export function isWholePixelShift(M: Affine2x3): boolean {
  return M[0] === 1 && M[1] === 0 && M[3] === 0 && M[4] === 1 && Number.isInteger(M[2]) && Number.isInteger(M[5]);
}

/**
 * Bilinear value of m (row length w) at (sx, sy) with x0 = floor(sx), y0 = floor(sy) and the 2x2 at
 * x0..x0+1, y0..y0+1 inside: sampleBilinearView's arithmetic without its edge clamping.
 */
export function bilinearInterior(m: Float32Array, w: number, x0: number, y0: number, sx: number, sy: number): number {
  const fx = sx - x0;
  const fy = sy - y0;
  const i = y0 * w + x0;
  if (fx !== 0 && fy !== 0) {
    const top = (1 - fx) * m[i] + fx * m[i + 1];
    const bot = (1 - fx) * m[i + w] + fx * m[i + w + 1];
    return (1 - fy) * top + fy * bot;
  }
  if (fy !== 0) return (1 - fy) * m[i] + fy * m[i + w];
  if (fx !== 0) return (1 - fx) * m[i] + fx * m[i + 1];
  return m[i];
}

/**
 * nccUnderTransform for a whole-pixel shift (identity above all, evaluated for every frame): the
 * bilinear sample at an integer position is the source pixel itself, so the moving proxy is read
 * directly over the overlap. Same sums in the same order, so the same result to the last bit.
 */
function nccShifted(ref: Float32Array, refW: number, refH: number, mov: Float32Array, movW: number, movH: number, tx: number, ty: number): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  const x0 = Math.max(0, -tx);
  const x1 = Math.min(refW, movW - tx);
  const y0 = Math.max(0, -ty);
  const y1 = Math.min(refH, movH - ty);
  for (let y = y0; y < y1; y++) {
    const row = y * refW;
    const mrow = (y + ty) * movW + tx;
    for (let x = x0; x < x1; x++) {
      const u = ref[row + x];
      const v = mov[mrow + x];
      if (u !== u || v !== v) continue;
      n++;
      sa += u;
      sb += v;
      saa += u * u;
      sbb += v * v;
      sab += u * v;
    }
  }
  return nccOfSums(n, sa, sb, saa, sbb, sab);
}

/** NCC from the sums over n pixels; NaN below MIN_OVERLAP pixels or for a flat side. */
export function nccOfSums(n: number, sa: number, sb: number, saa: number, sbb: number, sab: number): number {
  if (n < MIN_OVERLAP) return Number.NaN;
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  if (!(va > 0 && vb > 0)) return Number.NaN;
  return cov / Math.sqrt(va * vb);
}

/**
 * P4.6 rule: accept iff NCC >= NCC_id + delta, or NCC >= NCC_id - 0.001 and no proxy corner moves
 * more than 1 px (an undithered frame's near-identity fit is as good as identity, not worse).
 */
export function acceptsCandidate(ncc: number, nccIdentity: number, M: Affine2x3, w: number, h: number, deltaNcc: number): boolean {
  if (!Number.isFinite(ncc)) return false;
  if (Number.isFinite(nccIdentity)) {
    if (ncc >= nccIdentity + deltaNcc) return true;
    return ncc >= nccIdentity - 0.001 && maxCornerMotion(M, w, h) <= 1;
  }
  // identity has no valid overlap (e.g. a flat frame): only a real improvement can be accepted
  return false;
}
