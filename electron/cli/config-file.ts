import { loadConfig } from '../../shared/config';
import type { TileCompileConfig } from '../../shared/config';
import type { ScanOptions } from '../../shared/pipeline/scan';
import { nodeFileSystem } from '../host/node-file-system';
import type { CliIO } from './command';

/**
 * Loads and validates a YAML config for a CLI command. Prints every problem as
 * `FILE:line:column: severity: message`; returns undefined when there are errors (exit 2).
 */
export async function loadConfigFile(file: string, io: CliIO): Promise<TileCompileConfig | undefined> {
  let text: string;
  try {
    text = await nodeFileSystem.readText(file);
  } catch (err) {
    io.stderr(`${file}: cannot read the configuration (${(err as Error).message})\n`);
    return undefined;
  }
  const { config, problems } = loadConfig(text, file);
  for (const p of problems) io.stderr(`${file}:${p.line}:${p.column}: ${p.severity}: ${p.message}\n`);
  return config ?? undefined;
}

export function scanOptionsFromConfig(c: TileCompileConfig): Partial<ScanOptions> {
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
