import { seedFor, mulberry32 } from '../../util/seed';
import { decompose, IDENTITY, toFullResolution, type Affine2x3 } from './affine';
import type { RegistrationConfig } from './config';
import { buildIntensityPyramid, registerByIntensity, type IntensityMethod, type IntensityPyramid } from './intensity';
import { nccPlane, nccPlaneAndIdentity } from './high-pass';
import { acceptsCandidate, nccUnderTransform } from './ncc';
import { nccPairWasm, type NccPlanePair } from './ncc-wasm';
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
  /** NCC of the plain proxies (the post-checks' floors and the report). */
  readonly ncc: number;
  readonly nccIdentity: number;
  /** NCC of the high-passed proxies (nccPlane), which the P4.6 acceptance rule compares. */
  readonly nccHighPass: number;
  readonly nccHighPassIdentity: number;
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
  /** The proxy minus its local background, for the acceptance NCC. */
  readonly highPass: Float32Array;
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
  return { frameIndex, proxy, w, h, stars, triangles: buildTriangles(stars), highPass: nccPlane(proxy, w, h), intensity: new Map() };
}

/** The four NCC values of one candidate: plain and high-passed, the candidate's and identity's. */
interface Ncc {
  readonly plain: number;
  readonly plainIdentity: number;
  readonly highPass: number;
  readonly highPassIdentity: number;
}

const NO_NCC: Ncc = { plain: 1, plainIdentity: 1, highPass: 1, highPassIdentity: 1 };

/**
 * NCC of a candidate against the reference, plain and high-passed, with identity's for the rule;
 * `identity` is the scorer's value at IDENTITY, computed once per frame. Where WebAssembly SIMD
 * runs, a candidate's two NCCs come from one sweep (ncc-wasm.ts); otherwise the plain NCC, a sweep
 * of its own (~65 ms on a 24 MP frame's proxy) that only an accepted candidate needs (the absolute
 * floor and the report), is computed once the high-passed rule has passed.
 */
interface NccScorer {
  readonly identity: Ncc;
  of(M: Affine2x3): LazyNcc;
}

/** A candidate's NCC values, the plain one on demand. */
interface LazyNcc {
  readonly highPass: number;
  readonly highPassIdentity: number;
  readonly plainIdentity: number;
  plain(): number;
}

function nccScorer(ref: RegistrationReference, moving: MovingFrame): NccScorer {
  const { plane: movingHp, plainIdentity, highPassIdentity } = nccPlaneAndIdentity(moving.proxy, moving.w, moving.h, ref);
  const planes: NccPlanePair = { ref: [ref.proxy, ref.highPass], refW: ref.w, refH: ref.h, mov: [moving.proxy, movingHp], movW: moving.w, movH: moving.h };
  const plainOf = (M: Affine2x3) => nccUnderTransform(ref.proxy, ref.w, ref.h, moving.proxy, moving.w, moving.h, M);
  const hpOf = (M: Affine2x3) => nccUnderTransform(ref.highPass, ref.w, ref.h, movingHp, moving.w, moving.h, M);
  return {
    identity: { plain: plainIdentity, plainIdentity, highPass: highPassIdentity, highPassIdentity },
    of: (M) => {
      const both = nccPairWasm(planes, M);
      if (both !== null) return { highPass: both[1], highPassIdentity, plainIdentity, plain: () => both[0] };
      let plain: number | undefined;
      return { highPass: hpOf(M), highPassIdentity, plainIdentity, plain: () => (plain ??= plainOf(M)) };
    },
  };
}

/** All four values of an accepted candidate (the plain NCC is computed now if it was not yet). */
function settled(ncc: LazyNcc): Ncc {
  return { plain: ncc.plain(), plainIdentity: ncc.plainIdentity, highPass: ncc.highPass, highPassIdentity: ncc.highPassIdentity };
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
  ncc: Ncc,
  inliers: number,
  residualPx: number,
  stars: number,
  attempts: RegistrationAttempt[],
): RegistrationResult {
  const d = decompose(M);
  const full = toFullResolution(M);
  return { frameIndex, accepted, method, proxyMatrix: M, ncc: ncc.plain, nccIdentity: ncc.plainIdentity, nccHighPass: ncc.highPass, nccHighPassIdentity: ncc.highPassIdentity, inliers, residualPx, scale: d.scale, rotationDeg: d.rotationDeg, tx: full[2], ty: full[5], stars, attempts };
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
    return makeResult(frameIndex, 'identity_reference', true, IDENTITY, NO_NCC, nStars, 0, nStars, [{ method: 'identity_reference', ok: true, reason: 'reference frame' }]);
  }
  const scorer = nccScorer(ref, moving);
  const nccId = scorer.identity;
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
      // [DIFF] identity too must show the reference's stars: an unaligned frame stacked as it is
      // blurs every star, a failed one only loses its own signal
      const overlap = Number.isFinite(nccId.plain);
      const ok = overlap && nccId.highPassIdentity >= cfg.reject_cc_highpass_min;
      attempts.push({
        method: 'identity',
        ok,
        reason: ok
          ? 'all other methods failed; identity kept (warning)'
          : overlap
            ? `identity refused: high-passed NCC ${fmt(nccId.highPassIdentity)} below reject_cc_highpass_min ${cfg.reject_cc_highpass_min} (the stars do not line up)`
            : 'no valid overlap with the reference',
      });
      if (ok) return makeResult(frameIndex, 'identity', true, IDENTITY, nccId, 0, 0, nStars, attempts);
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
    const ncc = scorer.of(fit.matrix);
    const { ok, reason } = judge(ncc, fit.matrix, ref, cfg);
    attempts.push({ method: stage, ok, reason });
    if (ok) return makeResult(frameIndex, stage, true, fit.matrix, settled(ncc), fit.inliers, fit.residualPx, nStars, attempts);
  }
  return makeResult(frameIndex, 'failed', false, IDENTITY, { ...nccId, plain: Number.NaN, highPass: Number.NaN }, 0, 0, nStars, attempts);
}

/**
 * P4.6 on the high-passed NCC, then the absolute floor on the plain NCC (computed only here, once
 * the high-passed checks pass); the reason names the numbers.
 */
function judge(ncc: LazyNcc, M: Affine2x3, ref: RegistrationReference, cfg: RegistrationConfig): { ok: boolean; reason: string } {
  const ruleOk = acceptsCandidate(ncc.highPass, ncc.highPassIdentity, M, ref.w, ref.h, cfg.delta_ncc);
  const numbers = `high-passed NCC ${fmt(ncc.highPass)} vs identity ${fmt(ncc.highPassIdentity)}`;
  if (!ruleOk) return { ok: false, reason: `rejected by the NCC rule: ${numbers}` };
  // a chance star match improves on identity a little, but the stars still do not correlate
  if (!(ncc.highPass >= cfg.reject_cc_highpass_min)) return { ok: false, reason: `rejected: ${numbers}, below reject_cc_highpass_min ${cfg.reject_cc_highpass_min}` };
  const plain = ncc.plain();
  if (!passesNccFloor(plain, cfg)) return { ok: false, reason: `NCC ${fmt(plain)} below reject_cc_min_abs ${cfg.reject_cc_min_abs}` };
  return { ok: true, reason: `accepted: ${numbers} (plain NCC ${fmt(plain)})` };
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
  const ncc = nccScorer(ref, moving).of(matrix);
  const { ok, reason } = judge(ncc, matrix, ref, cfg);
  const attempts = [...previous, { method: 'predicted' as const, ok, reason }];
  return ok
    ? makeResult(frameIndex, 'predicted', true, matrix, settled(ncc), 0, 0, moving.stars.length, attempts)
    : makeResult(frameIndex, 'failed', false, IDENTITY, { plain: Number.NaN, plainIdentity: ncc.plainIdentity, highPass: Number.NaN, highPassIdentity: ncc.highPassIdentity }, 0, 0, moving.stars.length, attempts);
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
