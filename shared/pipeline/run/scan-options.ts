import type { TileCompileConfig } from '../../config';
import type { ScanOptions } from '../scan';

/** The scan settings of a configuration (input.*, data.*, assumptions.*, runtime.allow_emergency_mode). */
export function scanOptionsFor(c: TileCompileConfig): Partial<ScanOptions> {
  return {
    pattern: c.input.pattern,
    sort: c.input.sort,
    maxFrames: c.input.max_frames,
    colorMode: c.data.color_mode,
    bayerPattern: c.data.bayer_pattern,
    exposureTolerancePercent: c.assumptions.exposure_time_tolerance_percent,
    framesMin: c.assumptions.frames_min,
    framesReducedThreshold: c.assumptions.frames_reduced_threshold,
    allowEmergencyMode: c.runtime.allow_emergency_mode,
    imageWidth: c.data.image_width,
    imageHeight: c.data.image_height,
  };
}
