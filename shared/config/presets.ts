/**
 * The example profiles of METHOD.md section 4, as YAML text (differences from the defaults only).
 * Each must load with no problems (tested).
 */
export type PresetName = 'smart-telescope' | 'mono-full' | 'small-n';

export const PRESETS: Readonly<Record<PresetName, string>> = {
  'smart-telescope': `# smart-telescope.yaml - Seestar/Dwarf: OSC, Alt/Az field rotation, many short frames
assumptions: {frames_min: 30, frames_reduced_threshold: 120, exposure_time_tolerance_percent: 8}
runtime: {allow_emergency_mode: true}
registration: {star_topk: 150, star_min_inliers: 4, star_inlier_tol_px: 4.0, star_dist_bin_px: 5.0,
  reject_cc_min_abs: 0.30, reject_shift_px_min: 100, reject_shift_median_multiplier: 5}
output: {framing: union, min_coverage_fraction: 0.2, crop_to_valid: true}
tile: {size_factor: 24, min_size: 48, overlap_fraction: 0.30, star_min_count: 5}
synthetic: {weighting: tile_weighted, frames_min: 4, frames_max: 20, clustering: {cluster_count_range: [3, 12]}}
`,
  'mono-full': `# mono-full.yaml - mono camera, equatorial mount, N >= 150
data: {color_mode: MONO}
assumptions: {frames_reduced_threshold: 150}
tile: {star_min_count: 8}
synthetic: {weighting: tile_weighted}
global_metrics: {adaptive_weights: true}   # the REF profile's weight_exponent_scale 1.8 is too steep (section 9)
`,
  'small-n': `# small-n.yaml - 10..150 frames: larger tiles, more overlap, gentler weights
assumptions: {frames_min: 10}
runtime: {allow_emergency_mode: true}
tile: {min_size: 128, overlap_fraction: 0.40, star_min_count: 8}
global_metrics: {weight_exponent_scale: 0.8}
local_metrics: {weight_exponent_scale: 0.8}
stacking: {method: average}
`,
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
