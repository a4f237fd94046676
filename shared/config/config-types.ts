/**
 * The validated configuration plan (METHOD.md section 4): every key present, defaults filled,
 * deep-frozen, JSON-serialisable. Written out by hand so readers see the whole shape at once; the
 * schema table (schema-*.ts) is checked against it at compile time through `ConfigPath` and
 * `ConfigValueAt` (a schema entry whose path or default does not fit this type does not compile, and
 * test/unit/config/schema.test.ts fails to compile if a path here has no schema entry).
 */

export type Pair = readonly [number, number];

export interface InputConfig {
  readonly pattern: string;
  readonly sort: 'natural' | 'lexicographic';
  readonly max_frames: number;
  readonly checksums: boolean;
}

export interface DataConfig {
  readonly color_mode: 'auto' | 'MONO' | 'OSC' | 'RGB';
  readonly bayer_pattern: 'auto' | 'RGGB' | 'BGGR' | 'GRBG' | 'GBRG';
  readonly image_width: number;
  readonly image_height: number;
  readonly linear_required: boolean;
}

export interface LinearityConfig {
  readonly max_frames: number;
  readonly strictness: 'strict' | 'moderate' | 'permissive';
}

export interface CalibrationConfig {
  readonly use_bias: boolean;
  readonly use_dark: boolean;
  readonly use_flat: boolean;
  readonly bias_dir: string;
  readonly darks_dir: string;
  readonly flats_dir: string;
  readonly bias_master: string;
  readonly dark_master: string;
  readonly flat_master: string;
  readonly bias_use_master: boolean;
  readonly dark_use_master: boolean;
  readonly flat_use_master: boolean;
  readonly dark_auto_select: boolean;
  readonly dark_match_exposure_tolerance_percent: number;
  readonly dark_match_use_temp: boolean;
  readonly dark_match_temp_tolerance_c: number;
  readonly dark_scale_to_exposure: boolean;
  readonly flat_min: number;
}

export interface AssumptionsConfig {
  readonly pipeline_profile: 'practical' | 'strict';
  readonly frames_min: number;
  readonly frames_reduced_threshold: number;
  readonly frames_optimal: number;
  readonly exposure_time_tolerance_percent: number;
  readonly reduced_mode_skip_clustering: boolean;
  readonly reduced_mode_cluster_range: Pair;
}

export interface NormalizationConfig {
  readonly enabled: boolean;
  readonly mode: 'background';
  readonly per_channel: boolean;
  readonly local_background: {
    readonly enabled: boolean;
    readonly cell_px: number;
  };
}

export interface RegistrationConfig {
  readonly engine: 'triangle_star_matching' | 'star_similarity' | 'robust_phase_ecc' | 'hybrid_phase_ecc';
  readonly enable_star_pair_fallback: boolean;
  readonly allow_rotation: boolean;
  readonly star_topk: number;
  readonly star_min_inliers: number;
  readonly star_inlier_tol_px: number;
  readonly star_dist_bin_px: number;
  readonly delta_ncc: number;
  readonly transform_model: 'similarity' | 'affine';
  readonly interpolation: 'lanczos3' | 'bilinear';
  readonly predict_failed: boolean;
  readonly min_success_fraction: number;
  readonly reject_outliers: boolean;
  readonly reject_cc_highpass_min: number;
  readonly reject_cc_min_abs: number;
  readonly reject_cc_mad_multiplier: number;
  readonly reject_shift_px_min: number;
  readonly reject_shift_median_multiplier: number;
  readonly reject_scale_min: number;
  readonly reject_scale_max: number;
}

export interface DitheringConfig {
  readonly enabled: boolean;
  readonly min_shift_px: number;
}

export interface GlobalMetricsConfig {
  readonly weights: {
    readonly background: number;
    readonly noise: number;
    readonly gradient: number;
  };
  readonly clamp: Pair;
  readonly adaptive_weights: boolean;
  readonly weight_exponent_scale: number;
  readonly z_floor_rel: number;
}

export interface TileConfig {
  readonly size_factor: number;
  readonly min_size: number;
  readonly max_divisor: number;
  readonly overlap_fraction: number;
  readonly star_min_count: number;
}

export interface LocalMetricsConfig {
  readonly clamp: Pair;
  readonly weight_exponent_scale: number;
  readonly z_floor_rel: number;
  readonly star_mode: {
    readonly weights: {
      readonly fwhm: number;
      readonly roundness: number;
      readonly contrast: number;
    };
  };
  readonly structure_mode: {
    readonly metric_weight: number;
    readonly background_weight: number;
  };
}

export interface SyntheticConfig {
  readonly weighting: 'global' | 'tile_weighted';
  readonly frames_min: number;
  readonly frames_max: number;
  readonly clustering: {
    readonly mode: 'kmeans' | 'quantile';
    readonly cluster_count_range: Pair;
  };
}

export interface StackingConfig {
  readonly method: 'rej' | 'average';
  readonly sigma_clip: {
    readonly sigma_low: number;
    readonly sigma_high: number;
    readonly max_iters: number;
    readonly min_fraction: number;
  };
  readonly cluster_quality_weighting: {
    readonly enabled: boolean;
    readonly kappa_cluster: number;
    readonly cap_enabled: boolean;
    readonly cap_ratio: number;
  };
  readonly cosmetic_correction: boolean;
  readonly cosmetic_correction_sigma: number;
  readonly per_frame_cosmetic_correction: boolean;
  readonly per_frame_cosmetic_correction_sigma: number;
  readonly output_stretch: boolean;
  readonly debayer_method: 'rcd' | 'bilinear';
}

export interface TileDenoiseConfig {
  readonly soft_threshold: { readonly enabled: boolean };
  readonly wiener: { readonly enabled: boolean };
}

export interface ReconstructionConfig {
  readonly tile_normalization: boolean;
}

export interface OutputConfig {
  readonly framing: 'reference' | 'union';
  readonly min_coverage_fraction: number;
  readonly invalid_value: 'zero' | 'nan';
  readonly crop_to_valid: boolean;
  readonly write_registered_frames: boolean;
  readonly write_mean_stack: boolean;
  readonly keep_work: boolean;
  readonly write_synthetic: boolean;
  readonly preview: boolean;
  readonly qa_maps: boolean;
}

export interface RuntimeConfig {
  readonly max_workers: number;
  readonly min_workers: number;
  readonly fallback_workers: number;
  readonly memory_limit_mb: number;
  readonly eta: number;
  readonly gamma: number;
  readonly worker_overhead_mb: number;
  readonly reserve_mb: number;
  readonly allow_emergency_mode: boolean;
  readonly work_dir: string;
}

export interface ValidationConfig {
  readonly min_fwhm_improvement_percent: number;
  readonly min_tile_weight_variance: number;
  readonly require_no_tile_pattern: boolean;
}

export interface DistributedConfig {
  readonly enabled: boolean;
  readonly url: string;
  readonly vhost: string;
  readonly shared_dir: string;
  readonly tls: {
    readonly ca_file: string;
    readonly cert_file: string;
    readonly key_file: string;
  };
  readonly max_attempts: number;
  readonly backoff_base_s: number;
  readonly backoff_max_s: number;
  readonly task_timeout_s: number;
  readonly local_fallback: boolean;
  readonly max_failed_tiles: number;
}

export interface BgeConfig {
  readonly enabled: boolean;
  readonly sample_quantile: number;
  readonly min_valid_samples_for_apply: number;
  readonly min_valid_sample_fraction_for_apply: number;
  readonly fit: {
    readonly method: 'rbf' | 'poly';
    readonly polynomial_order: number;
  };
}

export interface AstrometryConfig {
  readonly enabled: boolean;
  readonly astap_bin: string;
  readonly astap_data_dir: string;
  readonly search_radius: number;
}

export interface PccConfig {
  readonly enabled: boolean;
  readonly source: 'auto' | 'siril' | 'vizier_gaia' | 'vizier_apass';
  readonly mag_limit: number;
  readonly mag_bright_limit: number;
  readonly aperture_fwhm_mult: number;
  readonly annulus_inner_fwhm_mult: number;
  readonly annulus_outer_fwhm_mult: number;
  readonly min_stars: number;
  readonly max_condition_number: number;
  readonly max_residual_rms: number;
  readonly siril_catalog_dir: string;
}

export interface TileCompileConfig {
  readonly input: InputConfig;
  readonly data: DataConfig;
  readonly linearity: LinearityConfig;
  readonly calibration: CalibrationConfig;
  readonly assumptions: AssumptionsConfig;
  readonly normalization: NormalizationConfig;
  readonly registration: RegistrationConfig;
  readonly dithering: DitheringConfig;
  readonly global_metrics: GlobalMetricsConfig;
  readonly tile: TileConfig;
  readonly local_metrics: LocalMetricsConfig;
  readonly synthetic: SyntheticConfig;
  readonly stacking: StackingConfig;
  readonly tile_denoise: TileDenoiseConfig;
  readonly reconstruction: ReconstructionConfig;
  readonly debayer: boolean;
  readonly output: OutputConfig;
  readonly runtime: RuntimeConfig;
  readonly validation: ValidationConfig;
  readonly distributed: DistributedConfig;
  readonly bge: BgeConfig;
  readonly astrometry: AstrometryConfig;
  readonly pcc: PccConfig;
}

type Leaf = string | number | boolean | Pair;

/** Every dotted leaf path of T, e.g. 'tile.overlap_fraction' | 'debayer' | … */
export type ConfigPath<T = TileCompileConfig> = {
  [K in keyof T & string]: T[K] extends Leaf ? K : `${K}.${ConfigPath<T[K]>}`;
}[keyof T & string];

/** The value type at a dotted path. */
export type ConfigValueAt<P extends string, T = TileCompileConfig> = P extends `${infer H}.${infer R}`
  ? H extends keyof T
    ? ConfigValueAt<R, T[H]>
    : never
  : P extends keyof T
    ? T[P]
    : never;

export type ConfigProblemCode =
  | 'TYPE'
  | 'RANGE'
  | 'ENUM'
  | 'CROSS_FIELD'
  | 'REQUIRED'
  | 'UNKNOWN_KEY'
  | 'YAML_SYNTAX'
  | 'TOO_LARGE'
  | 'ALIAS_BOMB'
  | 'DEPRECATED'
  | 'UNAVAILABLE'
  | 'PATH_NOT_FOUND';

/**
 * One finding about a configuration document. Line and column are 1-based and point at the value
 * (at the key for unknown and deprecated keys); `offset`/`endOffset` are the same place as
 * character offsets into the text (editor markers). Position 0/0 = not tied to the document.
 */
export interface ConfigProblem {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly endOffset: number;
  readonly code: ConfigProblemCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly expected?: string;
  readonly got?: string;
  /** Did-you-mean candidates (full paths) for UNKNOWN_KEY, the new path for DEPRECATED. */
  readonly suggestions?: readonly string[];
}

export type Lang = 'en' | 'de';
