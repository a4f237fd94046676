import type { TileCompileConfig } from './config-types';

/**
 * Settings this version accepts (they are METHOD.md keys, so a config written for the method
 * loads) but does not carry out. Each one set by the user is reported, never silently ignored:
 * as a warning at its line in the editor and by `tile-compile config check`, and as a warning
 * event when a run starts. The run goes on without the feature; its result is the method's
 * result without that optional step.
 */
interface Unavailable {
  readonly path: string;
  readonly isSet: (c: TileCompileConfig) => boolean;
  readonly what: string;
  /** What the run does instead (default: it continues without the feature). */
  readonly instead?: string;
}

const UNAVAILABLE: readonly Unavailable[] = [
  { path: 'bge.enabled', isSet: (c) => c.bge.enabled, what: 'background gradient extraction (METHOD.md P14)' },
  { path: 'astrometry.enabled', isSet: (c) => c.astrometry.enabled, what: 'plate solving with ASTAP (METHOD.md P14)' },
  { path: 'pcc.enabled', isSet: (c) => c.pcc.enabled, what: 'photometric colour calibration (METHOD.md P14)' },
  { path: 'tile_denoise.soft_threshold.enabled', isSet: (c) => c.tile_denoise.soft_threshold.enabled, what: 'soft-threshold tile denoising (METHOD.md P14)' },
  { path: 'tile_denoise.wiener.enabled', isSet: (c) => c.tile_denoise.wiener.enabled, what: 'Wiener tile denoising (METHOD.md P14)' },
  { path: 'distributed.enabled', isSet: (c) => c.distributed.enabled, what: 'distributed tile tasks over RabbitMQ (METHOD.md 7); the run uses this computer\'s workers' },
  { path: 'normalization.per_channel', isSet: (c) => !c.normalization.per_channel, what: 'one background for all colour channels (false)', instead: 'every channel is normalized by its own background' },
  { path: 'stacking.output_stretch', isSet: (c) => c.stacking.output_stretch, what: 'a preview stretch setting', instead: 'the previews are always auto-stretched and the FITS stay linear' },
];

export interface UnavailableSetting {
  readonly path: string;
  readonly message: string;
}

/** The unavailable settings a config turns on, with the warning text for each. */
export function unavailableSettings(config: TileCompileConfig): UnavailableSetting[] {
  return UNAVAILABLE.filter((u) => u.isSet(config)).map((u) => ({ path: u.path, message: `${u.what} is not available in this version; ${u.instead ?? 'the run continues without it'}` }));
}
