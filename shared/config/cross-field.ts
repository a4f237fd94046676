import type { ConfigProblem } from './config-types';
import { expectedProblem, type Place } from './problems';

/** Tolerance of the weight sums (METHOD.md section 4). */
export const WEIGHT_SUM_TOLERANCE = 1e-3;

export interface CrossFieldInput {
  /** Effective value of every schema path (defaults filled). */
  readonly values: ReadonlyMap<string, unknown>;
  /** Paths whose own value was rejected; rules touching them are skipped to avoid echo errors. */
  readonly rejected: ReadonlySet<string>;
  /** Where a path (key or section) was written, or null if it was not. */
  readonly placeOf: (path: string) => Place | null;
}

const SUMS: ReadonlyArray<{ section: string; keys: readonly string[] }> = [
  { section: 'global_metrics.weights', keys: ['background', 'noise', 'gradient'] },
  { section: 'local_metrics.star_mode.weights', keys: ['fwhm', 'roundness', 'contrast'] },
  { section: 'local_metrics.structure_mode', keys: ['metric_weight', 'background_weight'] },
];

/** `lo <= hi` (or `<` when strict); `when` limits the rule (min_workers only binds a set max_workers). */
const ORDERS: ReadonlyArray<{ lo: string; hi: string; strict: boolean; when?: (v: ReadonlyMap<string, unknown>) => boolean }> = [
  { lo: 'assumptions.frames_min', hi: 'assumptions.frames_reduced_threshold', strict: false },
  { lo: 'synthetic.frames_min', hi: 'synthetic.frames_max', strict: false },
  { lo: 'registration.reject_scale_min', hi: 'registration.reject_scale_max', strict: false },
  { lo: 'runtime.min_workers', hi: 'runtime.max_workers', strict: false, when: (v) => (v.get('runtime.max_workers') as number) > 0 },
  { lo: 'distributed.backoff_base_s', hi: 'distributed.backoff_max_s', strict: false },
  { lo: 'pcc.mag_bright_limit', hi: 'pcc.mag_limit', strict: true },
  { lo: 'pcc.aperture_fwhm_mult', hi: 'pcc.annulus_inner_fwhm_mult', strict: true },
  { lo: 'pcc.annulus_inner_fwhm_mult', hi: 'pcc.annulus_outer_fwhm_mult', strict: true },
];

const CALIBRATION_STAGES = [
  { stage: 'bias', dir: 'bias_dir', what: 'bias frames' },
  { stage: 'dark', dir: 'darks_dir', what: 'dark frames' },
  { stage: 'flat', dir: 'flats_dir', what: 'flat frames' },
] as const;

/** Rules between keys (METHOD.md section 4 "Validation"); every violated rule is one error. */
export function checkCrossFields(input: CrossFieldInput): ConfigProblem[] {
  const { values, rejected, placeOf } = input;
  const problems: ConfigProblem[] = [];
  const usable = (...paths: string[]) => paths.every((p) => !rejected.has(p));
  const num = (p: string) => values.get(p) as number;
  const firstPlace = (...paths: string[]): Place | null => {
    for (const p of paths) {
      const place = placeOf(p);
      if (place) return place;
    }
    return null;
  };

  for (const { section, keys } of SUMS) {
    const paths = keys.map((k) => `${section}.${k}`);
    if (!usable(...paths)) continue;
    const sum = paths.reduce((s, p) => s + num(p), 0);
    if (Math.abs(sum - 1) <= WEIGHT_SUM_TOLERANCE) continue;
    const place = firstPlace(section, ...paths);
    if (!place) continue;
    const got = `${paths.map((p) => String(num(p))).join(' + ')} = ${round(sum)}`;
    problems.push(expectedProblem(section, place, 'CROSS_FIELD', `${keys.join(' + ')} = 1 (± ${WEIGHT_SUM_TOLERANCE})`, got));
  }

  for (const { lo, hi, strict, when } of ORDERS) {
    if (!usable(lo, hi) || (when && !when(values))) continue;
    const a = num(lo);
    const b = num(hi);
    if (strict ? a < b : a <= b) continue;
    // Report at the key the user wrote (the upper one if both), naming the other with its value.
    if (placeOf(hi) || !placeOf(lo)) {
      const place = firstPlace(hi, lo);
      if (place) problems.push(expectedProblem(hi, place, 'CROSS_FIELD', `a value ${strict ? '>' : '>='} ${lo} (${a})`, String(b)));
    } else {
      problems.push(expectedProblem(lo, placeOf(lo) as Place, 'CROSS_FIELD', `a value ${strict ? '<' : '<='} ${hi} (${b})`, String(a)));
    }
  }

  for (const { stage, dir, what } of CALIBRATION_STAGES) {
    const use = `calibration.use_${stage}`;
    const useMaster = `calibration.${stage}_use_master`;
    const source = values.get(useMaster) ? `calibration.${stage}_master` : `calibration.${dir}`;
    if (!usable(use, useMaster, source) || values.get(use) !== true || values.get(source) !== '') continue;
    const place = firstPlace(source, use);
    if (!place) continue;
    const expected = values.get(useMaster) ? `a master ${stage} file because ${use} and ${useMaster} are true` : `a folder of ${what} because ${use} is true`;
    problems.push(expectedProblem(source, place, 'REQUIRED', expected, '""'));
  }

  if (usable('distributed.enabled') && values.get('distributed.enabled') === true) {
    for (const [key, expected] of [
      ['distributed.url', 'an amqp:// or amqps:// broker URL because distributed.enabled is true'],
      ['distributed.shared_dir', 'a folder shared by all hosts because distributed.enabled is true'],
    ] as const) {
      if (!usable(key) || values.get(key) !== '') continue;
      const place = firstPlace(key, 'distributed.enabled');
      if (place) problems.push(expectedProblem(key, place, 'REQUIRED', expected, '""'));
    }
  }
  return problems;
}

function round(x: number): number {
  return Number(x.toPrecision(12));
}
