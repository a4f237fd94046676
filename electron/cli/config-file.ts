import { loadConfig } from '../../shared/config';
import type { TileCompileConfig } from '../../shared/config';
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

/** The scan settings of a configuration (one definition, in shared/pipeline/run/scan-options.ts). */
export { scanOptionsFor as scanOptionsFromConfig } from '../../shared/pipeline/run/scan-options';
