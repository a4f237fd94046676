import { median, mad } from '../../image/stats';
import { determinant, toFullResolution } from './affine';
import type { RegistrationResult } from './cascade';
import type { RegistrationConfig } from './config';

/**
 * Post-checks over the accepted frames (METHOD.md P4.7) [REF]: mirror, scale, NCC outlier and
 * shift outlier. The reference frame is never rejected and does not enter the statistics (its
 * NCC of 1 and zero shift would only bias them). Shifts are measured at full resolution
 * (`reject_shift_px_min` is in full-resolution px); a meridian flip (|theta| > 135°) is measured as
 * the distance of t from a pure rotation about the image centre, in its own family.
 */

export interface ProxySize {
  readonly w: number;
  readonly h: number;
}

function shiftOf(r: RegistrationResult, size: ProxySize): { flip: boolean; shift: number } {
  const F = toFullResolution(r.proxyMatrix);
  const flip = Math.abs(r.rotationDeg) > 135;
  if (!flip) return { flip, shift: Math.hypot(F[2], F[5]) };
  // full-resolution centre of a frame whose proxy is w x h: 2*c_proxy + 0.5
  const cx = 2 * ((size.w - 1) / 2) + 0.5;
  const cy = 2 * ((size.h - 1) / 2) + 0.5;
  const px = cx - (F[0] * cx + F[1] * cy);
  const py = cy - (F[3] * cx + F[4] * cy);
  return { flip, shift: Math.hypot(F[2] - px, F[5] - py) };
}

/** Results with failing accepted frames marked `accepted: false` plus a rejection code. */
export function postCheckRegistrations(results: readonly RegistrationResult[], cfg: RegistrationConfig, size: ProxySize): RegistrationResult[] {
  if (!cfg.reject_outliers) return results.slice();
  const candidates = results.filter((r) => r.accepted && r.method !== 'identity_reference');
  const nccs = candidates.map((r) => r.ncc).filter(Number.isFinite);
  const nccMed = median(nccs);
  const nccMad = mad(nccs);
  const nccFloor = Math.max(cfg.reject_cc_min_abs, Number.isFinite(nccMed) ? nccMed - cfg.reject_cc_mad_multiplier * nccMad : -Infinity);
  const shifts = candidates.map((r) => shiftOf(r, size));
  const familyMedian = (flip: boolean): number => {
    const s = shifts.filter((x) => x.flip === flip).map((x) => x.shift);
    return s.length > 0 ? median(s) : 0;
  };
  const medNormal = familyMedian(false);
  const medFlip = familyMedian(true);
  return results.map((r) => {
    if (!r.accepted || r.method === 'identity_reference') return r;
    const det = determinant(r.proxyMatrix);
    if (det < 0) return reject(r, 'MIRRORED', `determinant ${det.toFixed(4)} < 0 (mirrored frame)`);
    const scale = Math.sqrt(Math.abs(det));
    if (scale < cfg.reject_scale_min || scale > cfg.reject_scale_max) {
      return reject(r, 'SCALE', `scale ${scale.toFixed(4)} outside [${cfg.reject_scale_min}, ${cfg.reject_scale_max}]`);
    }
    if (!(r.ncc >= nccFloor) && !starVerified(r, cfg)) return reject(r, 'LOW_NCC', `NCC ${r.ncc.toFixed(4)} < ${nccFloor.toFixed(4)}`);
    const s = shiftOf(r, size);
    const limit = Math.max(cfg.reject_shift_px_min, cfg.reject_shift_median_multiplier * (s.flip ? medFlip : medNormal));
    if (s.shift > limit) return reject(r, 'SHIFT', `shift ${s.shift.toFixed(1)} px > ${limit.toFixed(1)} px`);
    return r;
  });
}

/**
 * [DIFF] The relative NCC floor (median − k·MAD) also falls on frames that are merely worse:
 * bad seeing or thin cloud lower a frame's NCC with the reference although its stars fit
 * perfectly. Rejecting them would select frames by quality, which METHOD.md 1.2 forbids (low
 * quality → low weight). A star fit with many inliers is its own geometric proof, so the relative
 * floor applies only to intensity-based, identity and predicted transforms; the absolute floor
 * (reject_cc_min_abs) still applies to every frame.
 */
const STAR_VERIFIED_MIN_INLIERS = 10;

function starVerified(r: RegistrationResult, cfg: RegistrationConfig): boolean {
  return (r.method === 'triangles' || r.method === 'star_pairs') && r.inliers >= Math.max(cfg.star_min_inliers, STAR_VERIFIED_MIN_INLIERS) && r.ncc >= cfg.reject_cc_min_abs;
}

function reject(r: RegistrationResult, code: NonNullable<RegistrationResult['rejection']>['code'], message: string): RegistrationResult {
  return { ...r, accepted: false, rejection: { code, message } };
}

/** P4.8 abort rule: accepted share < min_success_fraction -> REGISTRATION_FAILED_MAJORITY. */
export function checkSuccessFraction(results: readonly RegistrationResult[], cfg: RegistrationConfig): { share: number; ok: boolean } {
  if (results.length === 0) return { share: 0, ok: false };
  const share = results.filter((r) => r.accepted).length / results.length;
  return { share, ok: share >= cfg.min_success_fraction };
}
