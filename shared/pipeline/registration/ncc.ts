import { boxMean, median3x3 } from '../../image/filters';
import { sampleBilinear } from '../../image/warp';
import { maxCornerMotion, type Affine2x3 } from './affine';

/**
 * Acceptance of a registration candidate (METHOD.md P4.6): NCC between the reference proxy and the
 * moving proxy resampled bilinearly with the candidate, over pixels valid in both [DIFF: REF counts
 * zero borders, which rewards transforms that push content out of the frame].
 */

/**
 * Box (proxy px) of the background removed before the acceptance NCC: 15 proxy px = 30 full-resolution
 * px, several times the widest star yet small against sky gradients and vignetting.
 */
export const NCC_HIGHPASS_BOX = 15;

/**
 * [DIFF] The plane the P4.6 rule compares: the proxy's 3x3 median minus its local background (box
 * mean of NCC_HIGHPASS_BOX; NaN kept). On the plain proxy the NCC is ruled by what is fixed to the
 * sensor, not to the sky: a light-pollution gradient, vignetting and hot pixels correlate best at
 * identity, and the rule threw away correct star fits (15-19 of 50 frames of the 512x384 quality
 * sets were stacked unaligned). The median removes single hot pixels, the box the sky's shape;
 * what is left is what registration aligns, the stars.
 */
export function nccPlane(proxy: Float32Array, w: number, h: number): Float32Array {
  const k = Math.max(1, Math.min(NCC_HIGHPASS_BOX, oddAtMost(Math.min(w, h))));
  const m = median3x3(proxy, w, h);
  const bg = boxMean(m, w, h, k);
  const out = new Float32Array(proxy.length);
  for (let i = 0; i < out.length; i++) out[i] = m[i] - bg[i];
  return out;
}

function oddAtMost(n: number): number {
  return n % 2 === 1 ? n : n - 1;
}

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
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let y = 0; y < refH; y++) {
    let sx = b * y + tx;
    let sy = d * y + ty;
    const row = y * refW;
    for (let x = 0; x < refW; x++, sx += a, sy += c) {
      const u = ref[row + x];
      if (u !== u) continue;
      const v = sampleBilinear(mov, movW, movH, sx, sy);
      if (v !== v) continue;
      n++;
      sa += u;
      sb += v;
      saa += u * u;
      sbb += v * v;
      sab += u * v;
    }
  }
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
