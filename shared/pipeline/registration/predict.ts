import { similarity, type Affine2x3 } from './affine';
import type { RegistrationResult } from './cascade';

/**
 * Prediction for frames without an accepted transform (METHOD.md P4.8): angle (unwrapped over the
 * accepted frames in index order), tx and ty of the proxy matrix linearly interpolated over the
 * frame index between the nearest accepted neighbours, constant beyond the ends. A prediction is
 * only a candidate: the caller verifies it with the NCC rule (`verifyPrediction`) [DIFF: REF
 * stacks unverified predictions at full weight]. Frames the post-checks found mirrored or scaled
 * are not predicted: their content is not the reference sky as a similarity sees it. (The
 * verification also applies reject_cc_min_abs, so a blank frame is not rescued by the NCC rule's
 * "no corner moves" clause in an undithered sequence.)
 */

export interface PredictedTransform {
  readonly frameIndex: number;
  readonly matrix: Affine2x3;
}

export function predictFailed(results: readonly RegistrationResult[]): PredictedTransform[] {
  const known = results.filter((r) => r.accepted).sort((a, b) => a.frameIndex - b.frameIndex);
  if (known.length === 0) return [];
  const idx = known.map((r) => r.frameIndex);
  const tx = known.map((r) => r.proxyMatrix[2]);
  const ty = known.map((r) => r.proxyMatrix[5]);
  const ang: number[] = [];
  for (const r of known) {
    const M = r.proxyMatrix;
    let a = Math.atan2(M[3] - M[1], M[0] + M[4]);
    if (ang.length > 0) {
      const prev = ang[ang.length - 1];
      while (a - prev > Math.PI) a -= 2 * Math.PI;
      while (a - prev < -Math.PI) a += 2 * Math.PI;
    }
    ang.push(a);
  }
  const interp = (v: number[], f: number): number => {
    if (f <= idx[0]) return v[0];
    const last = idx.length - 1;
    if (f >= idx[last]) return v[last];
    let hi = 1;
    while (idx[hi] < f) hi++;
    const lo = hi - 1;
    const u = (f - idx[lo]) / (idx[hi] - idx[lo]);
    return v[lo] + u * (v[hi] - v[lo]);
  };
  return results
    .filter((r) => !r.accepted && r.rejection?.code !== 'MIRRORED' && r.rejection?.code !== 'SCALE')
    .map((r) => ({ frameIndex: r.frameIndex, matrix: similarity(1, interp(ang, r.frameIndex), interp(tx, r.frameIndex), interp(ty, r.frameIndex)) }));
}
