/**
 * Names of the reference implementation (METHOD.md section 4) that a tile_compile.yaml written for it
 * may still use. Renamed keys are read into their new place with a DEPRECATED warning (the new name
 * wins if both are given); reference-only keys and sections are ignored with a warning.
 */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  'runtime_limits.parallel_workers': 'runtime.max_workers',
  'runtime_limits.memory_budget': 'runtime.memory_limit_mb',
  'runtime_limits.allow_emergency_mode': 'runtime.allow_emergency_mode',
  'output.crop_to_nonzero_bbox': 'output.crop_to_valid',
};

/** Sections that only exist in the reference; their keys are either renamed or ignored. */
export const REFERENCE_SECTIONS: ReadonlySet<string> = new Set(['runtime_limits']);

/** Top-level keys of reference configs with no meaning here. */
export const REFERENCE_ONLY_TOP_LEVEL: ReadonlySet<string> = new Set([
  'pipeline',
  'chroma_denoise',
  'hypermetric_stretch',
  'aqmh',
  'method',
  'run_dir',
  'log_level',
]);
