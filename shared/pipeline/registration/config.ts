/**
 * The `registration.*` keys of METHOD.md section 4, named exactly as in the YAML so the validated
 * config plan plugs in directly. Defaults are the method's defaults.
 */
export type RegistrationEngine = 'triangle_star_matching' | 'star_similarity' | 'robust_phase_ecc' | 'hybrid_phase_ecc';

export interface RegistrationConfig {
  readonly engine: RegistrationEngine;
  readonly enable_star_pair_fallback: boolean;
  readonly allow_rotation: boolean;
  readonly star_topk: number;
  readonly star_min_inliers: number;
  /** Proxy px. */
  readonly star_inlier_tol_px: number;
  /** Proxy px. */
  readonly star_dist_bin_px: number;
  readonly delta_ncc: number;
  /** [EXT] model of the final all-star refit; hypotheses are always similarities. */
  readonly transform_model: 'similarity' | 'affine';
  readonly interpolation: 'lanczos3' | 'bilinear';
  readonly predict_failed: boolean;
  readonly min_success_fraction: number;
  readonly reject_outliers: boolean;
  readonly reject_cc_min_abs: number;
  readonly reject_cc_mad_multiplier: number;
  /** Full-resolution px. */
  readonly reject_shift_px_min: number;
  readonly reject_shift_median_multiplier: number;
  readonly reject_scale_min: number;
  readonly reject_scale_max: number;
}

export const DEFAULT_REGISTRATION_CONFIG: RegistrationConfig = {
  engine: 'triangle_star_matching',
  enable_star_pair_fallback: true,
  allow_rotation: true,
  star_topk: 120,
  star_min_inliers: 6,
  star_inlier_tol_px: 2.5,
  star_dist_bin_px: 2.5,
  delta_ncc: 0.01,
  transform_model: 'similarity',
  interpolation: 'lanczos3',
  predict_failed: true,
  min_success_fraction: 0.5,
  reject_outliers: true,
  reject_cc_min_abs: 0.35,
  reject_cc_mad_multiplier: 4,
  reject_shift_px_min: 25,
  reject_shift_median_multiplier: 3,
  reject_scale_min: 0.92,
  reject_scale_max: 1.08,
};
