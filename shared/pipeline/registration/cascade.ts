import { seedFor, mulberry32 } from '../../util/seed';
import { decompose, IDENTITY, toFullResolution, type Affine2x3 } from './affine';
import type { RegistrationConfig } from './config';
import { buildIntensityPyramid, registerByIntensity, type IntensityMethod, type IntensityPyramid } from './intensity';
import { acceptsCandidate, nccUnderTransform } from './ncc';
import { registerByStarPairs } from './star-pairs';
import type { Star } from './stars';
import { buildTriangles, registerByTriangles, type StarFit, type Triangle } from './triangles';

/**
 * Per-frame registration cascade (METHOD.md P4.2-P4.6): triangles -> star pairs -> robust
 * phase+ECC -> hybrid phase+ECC -> identity, starting at `registration.engine`; the first candidate
 * that passes the NCC rule wins. Every attempt is recorded with its reason, so a frame's report
 * says which method registered it and why the earlier ones did not.
 */

export type RegistrationMethod =
  | 'identity_reference'
  | 'triangles'
  | 'star_pairs'
  | 'robust_phase_ecc'
  | 'hybrid_phase_ecc'
  | 'identity'
  | 'predicted'
  | 'failed';

export interface RegistrationAttempt {
  readonly method: RegistrationMethod;
  readonly ok: boolean;
  readonly reason: string;
}

export type RejectionCode = 'MIRRORED' | 'SCALE' | 'LOW_NCC' | 'SHIFT';

export interface RegistrationResult {
  readonly frameIndex: number;
  readonly accepted: boolean;
  readonly method: RegistrationMethod;
  /** Reference (canvas) -> moving-frame proxy coordinates; identity when nothing was accepted. */
  readonly proxyMatrix: Affine2x3;
  readonly ncc: number;
  readonly nccIdentity: number;
  /** Star correspondences supporting the fit (0 for intensity methods). */
  readonly inliers: number;
  /** RMS of the inlier residuals, proxy px (0 for intensity methods). */
  readonly residualPx: number;
  readonly scale: number;
  readonly rotationDeg: number;
  /** Translation of the full-resolution matrix (P4.9), full-resolution px. */
  readonly tx: number;
  readonly ty: number;
  /** Registration stars of the moving frame. */
  readonly stars: number;
  readonly attempts: readonly RegistrationAttempt[];
  /** Set by the post-checks (P4.7) when an accepted frame is rejected. */
  readonly rejection?: { readonly code: RejectionCode; readonly message: string };
}

export interface RegistrationReference {
  readonly frameIndex: number;
  readonly proxy: Float32Array;
  readonly w: number;
  readonly h: number;
  readonly stars: readonly Star[];
  readonly triangles: readonly Triangle[];
  /** Intensity pyramids are built on first use only: most runs never need them. */
  readonly intensity: Map<IntensityMethod, IntensityPyramid>;
}

export interface MovingFrame {
  readonly proxy: Float32Array;
  readonly w: number;
  readonly h: number;
  readonly stars: readonly Star[];
}

export function prepareReference(proxy: Float32Array, w: number, h: number, stars: readonly Star[], frameIndex: number): RegistrationReference {
  if (proxy.length !== w * h) throw new RangeError(`prepareReference: proxy has ${proxy.length} values, expected ${w}x${h}`);
  return { frameIndex, proxy, w, h, stars, triangles: buildTriangles(stars), intensity: new Map() };
}

type Stage = 'triangles' | 'star_pairs' | 'robust_phase_ecc' | 'hybrid_phase_ecc' | 'identity';

function stagesFor(cfg: RegistrationConfig): Stage[] {
  const all: Stage[] = ['triangles', 'star_pairs', 'robust_phase_ecc', 'hybrid_phase_ecc', 'identity'];
  const first = { triangle_star_matching: 0, star_similarity: 1, robust_phase_ecc: 2, hybrid_phase_ecc: 3 }[cfg.engine];
  if (first === undefined) throw new RangeError(`registration.engine: unknown engine ${String(cfg.engine)}`);
  // the star-pair switch disables a fallback, not an explicitly chosen engine
  return all.slice(first).filter((s) => s !== 'star_pairs' || cfg.enable_star_pair_fallback || cfg.engine === 'star_similarity');
}

function makeResult(
  frameIndex: number,
  method: RegistrationMethod,
  accepted: boolean,
  M: Affine2x3,
  ncc: number,
  nccIdentity: number,
  inliers: number,
  residualPx: number,
  stars: number,
  attempts: RegistrationAttempt[],
): RegistrationResult {
  const d = decompose(M);
  const full = toFullResolution(M);
  return { frameIndex, accepted, method, proxyMatrix: M, ncc, nccIdentity, inliers, residualPx, scale: d.scale, rotationDeg: d.rotationDeg, tx: full[2], ty: full[5], stars, attempts };
}

/** Registers one frame's proxy against the reference (P4.2-P4.6). Deterministic for a given runKey. */
export function registerFrame(
  ref: RegistrationReference,
  moving: MovingFrame,
  cfg: RegistrationConfig,
  frameIndex: number,
  runKey: string,
): RegistrationResult {
  if (moving.proxy.length !== moving.w * moving.h) throw new RangeError(`registerFrame: proxy has ${moving.proxy.length} values, expected ${moving.w}x${moving.h}`);
  const nStars = moving.stars.length;
  if (frameIndex === ref.frameIndex) {
    return makeResult(frameIndex, 'identity_reference', true, IDENTITY, 1, 1, nStars, 0, nStars, [{ method: 'identity_reference', ok: true, reason: 'reference frame' }]);
  }
  const nccOf = (M: Affine2x3): number => nccUnderTransform(ref.proxy, ref.w, ref.h, moving.proxy, moving.w, moving.h, M);
  const nccId = nccOf(IDENTITY);
  const attempts: RegistrationAttempt[] = [];
  const random = mulberry32(seedFor(runKey, `reg:${frameIndex}`));
  // [EXT] star hypotheses whose scale the post-checks (P4.7) would reject anyway are not
  // considered: otherwise a chance consensus (e.g. scale 1.12 near a flip) can pass the weak NCC
  // rule of a star field with NCC_id ~ 0 and hide the true fit of the next stage.
  const scaleRange: readonly [number, number] = cfg.reject_outliers
    ? [Math.max(0.5, cfg.reject_scale_min), Math.min(2, cfg.reject_scale_max)]
    : [0.5, 2];
  for (const stage of stagesFor(cfg)) {
    let fit: StarFit | { ok: true; matrix: Affine2x3; inliers: number; residualPx: number } | { ok: false; reason: string };
    if (stage === 'identity') {
      const ok = Number.isFinite(nccId);
      attempts.push({ method: 'identity', ok, reason: ok ? 'all other methods failed; identity kept (warning)' : 'no valid overlap with the reference' });
      if (ok) return makeResult(frameIndex, 'identity', true, IDENTITY, nccId, nccId, 0, 0, nStars, attempts);
      break;
    } else if (stage === 'triangles') {
      fit = registerByTriangles(ref.stars, ref.triangles, moving.stars, random, {
        minInliers: cfg.star_min_inliers,
        allowRotation: cfg.allow_rotation,
        scaleRange,
        model: cfg.transform_model,
      });
    } else if (stage === 'star_pairs') {
      fit = registerByStarPairs(ref.stars, moving.stars, {
        minInliers: cfg.star_min_inliers,
        inlierTolPx: cfg.star_inlier_tol_px,
        distBinPx: cfg.star_dist_bin_px,
        allowRotation: cfg.allow_rotation,
        scaleRange,
        model: cfg.transform_model,
      });
    } else {
      if (ref.w !== moving.w || ref.h !== moving.h) {
        fit = { ok: false, reason: 'reference and moving proxies differ in size' };
      } else {
        let refPyr = ref.intensity.get(stage);
        if (!refPyr) {
          refPyr = buildIntensityPyramid(ref.proxy, ref.w, ref.h, stage);
          ref.intensity.set(stage, refPyr);
        }
        const r = registerByIntensity(refPyr, buildIntensityPyramid(moving.proxy, moving.w, moving.h, stage), cfg.allow_rotation);
        fit = r.ok ? { ok: true, matrix: r.matrix, inliers: 0, residualPx: 0 } : r;
      }
    }
    if (!fit.ok) {
      attempts.push({ method: stage, ok: false, reason: fit.reason });
      continue;
    }
    const ncc = nccOf(fit.matrix);
    const ruleOk = acceptsCandidate(ncc, nccId, fit.matrix, ref.w, ref.h, cfg.delta_ncc);
    const floorOk = passesNccFloor(ncc, cfg);
    const ok = ruleOk && floorOk;
    attempts.push({
      method: stage,
      ok,
      reason: ok
        ? `accepted: NCC ${fmt(ncc)} vs identity ${fmt(nccId)}`
        : !ruleOk
          ? `rejected by the NCC rule: NCC ${fmt(ncc)} vs identity ${fmt(nccId)}`
          : `NCC ${fmt(ncc)} below reject_cc_min_abs ${cfg.reject_cc_min_abs}`,
    });
    if (ok) return makeResult(frameIndex, stage, true, fit.matrix, ncc, nccId, fit.inliers, fit.residualPx, nStars, attempts);
  }
  return makeResult(frameIndex, 'failed', false, IDENTITY, Number.NaN, nccId, 0, 0, nStars, attempts);
}

/** Verifies a predicted matrix (P4.8) with the NCC rule; accepted as 'predicted' or 'failed'. */
export function verifyPrediction(
  ref: RegistrationReference,
  moving: MovingFrame,
  matrix: Affine2x3,
  cfg: RegistrationConfig,
  frameIndex: number,
  previous: readonly RegistrationAttempt[] = [],
): RegistrationResult {
  const nccId = nccUnderTransform(ref.proxy, ref.w, ref.h, moving.proxy, moving.w, moving.h, IDENTITY);
  const ncc = nccUnderTransform(ref.proxy, ref.w, ref.h, moving.proxy, moving.w, moving.h, matrix);
  const ok = acceptsCandidate(ncc, nccId, matrix, ref.w, ref.h, cfg.delta_ncc) && passesNccFloor(ncc, cfg);
  const attempts = [...previous, { method: 'predicted' as const, ok, reason: `${ok ? 'accepted' : 'rejected'}: NCC ${fmt(ncc)} vs identity ${fmt(nccId)}` }];
  return ok
    ? makeResult(frameIndex, 'predicted', true, matrix, ncc, nccId, 0, 0, moving.stars.length, attempts)
    : makeResult(frameIndex, 'failed', false, IDENTITY, Number.NaN, nccId, 0, 0, moving.stars.length, attempts);
}

/**
 * [EXT] A candidate whose NCC is below the post-checks' absolute floor would be rejected by them
 * anyway (P4.7); failing it here lets the cascade try the next stage instead. Star fields have
 * NCC_id ~ 0 once shifted, so the P4.6 rule alone accepts chance fits that gain only 0.01.
 */
function passesNccFloor(ncc: number, cfg: RegistrationConfig): boolean {
  return !cfg.reject_outliers || ncc >= cfg.reject_cc_min_abs;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : 'NaN';
}
