import type { RunModeName } from './scan-types';

/**
 * Run mode decision of METHOD.md section 1 ("Modes"), taken after registration with N = usable frames.
 * Pure: the runner turns a refusal into the fatal INSUFFICIENT_FRAMES error event.
 */

/** The parts of the effective config this module reads (YAML key names of METHOD.md section 4). */
export interface ModeConfig {
  readonly assumptions: {
    readonly frames_min: number;
    readonly frames_reduced_threshold: number;
    readonly reduced_mode_skip_clustering: boolean;
    readonly reduced_mode_cluster_range: readonly [number, number] | readonly number[];
  };
  readonly runtime: { readonly allow_emergency_mode: boolean };
  readonly synthetic: { readonly clustering: { readonly cluster_count_range: readonly [number, number] | readonly number[] } };
}

export interface ModeDecision {
  readonly mode: RunModeName;
  readonly nUsable: number;
  /** Run status flag `emergency` (run_finished.emergency). */
  readonly emergency: boolean;
  /** P8 runs and P9 builds synthetic frames per cluster; P11 stacks them. */
  readonly clustering: boolean;
  /** [K_min, K_max] for P8 when clustering runs, else null. */
  readonly clusterRange: readonly [number, number] | null;
  /** Set only when refused. */
  readonly code: 'INSUFFICIENT_FRAMES' | null;
  readonly message: string | null;
}

export function decideMode(nUsable: number, cfg: ModeConfig): ModeDecision {
  const { frames_min: framesMin, frames_reduced_threshold: threshold } = cfg.assumptions;
  const range = (r: readonly number[]): [number, number] => [r[0], r[1]];
  if (nUsable >= threshold && nUsable >= 1) {
    return decision('full', nUsable, false, range(cfg.synthetic.clustering.cluster_count_range));
  }
  // reduced_mode_skip_clustering: false brings clustering (and therefore synthetic frames and the
  // P11 cluster stack) back into reduced and emergency runs, with the reduced-mode range.
  const reducedRange = cfg.assumptions.reduced_mode_skip_clustering ? null : range(cfg.assumptions.reduced_mode_cluster_range);
  if (nUsable >= framesMin && nUsable >= 1) return decision('reduced', nUsable, false, reducedRange);
  if (nUsable >= 1 && cfg.runtime.allow_emergency_mode) return decision('emergency', nUsable, true, reducedRange);
  return {
    mode: 'refused',
    nUsable,
    emergency: false,
    clustering: false,
    clusterRange: null,
    code: 'INSUFFICIENT_FRAMES',
    message: refusalMessage(nUsable, framesMin),
  };
}

function decision(mode: RunModeName, nUsable: number, emergency: boolean, clusterRange: [number, number] | null): ModeDecision {
  return { mode, nUsable, emergency, clustering: clusterRange !== null, clusterRange, code: null, message: null };
}

function refusalMessage(n: number, framesMin: number): string {
  const have = n === 1 ? '1 usable frame' : `${n} usable frames`;
  if (n < 1) {
    return `No usable frames (N = 0); at least ${framesMin} are needed. Add frames that pass the scan and registration checks.`;
  }
  return (
    `Only ${have} (N = ${n}); at least ${framesMin} (assumptions.frames_min) are needed. ` +
    `Add more frames, or set runtime.allow_emergency_mode: true to run in emergency mode anyway.`
  );
}
