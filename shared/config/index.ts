/**
 * Configuration (METHOD.md section 4): the public API of shared/config. Everything derives from the
 * schema table (schema-*.ts); validation is pure and never throws for bad input.
 */
export type {
  ConfigPath,
  ConfigProblem,
  ConfigProblemCode,
  ConfigValueAt,
  Lang,
  Pair,
  TileCompileConfig,
} from './config-types';
export { loadConfig, type LoadedConfig } from './load-config';
export { formatProblem } from './problems';
export { DEFAULT_CONFIG } from './defaults';
export { checkConfigPaths, type PathCheckOptions } from './paths-check';
export { setConfigValue, documentToString, type ConfigScalar } from './round-trip';
export { configToYaml, defaultConfigYaml } from './default-yaml';
export { PRESETS, PRESET_NAMES, type PresetName } from './presets';
export { configHash, configHelp, diffFromDefaults, type ConfigDifference } from './plan-tools';
export { SCHEMA, describeExpected } from './schema';
export type { SchemaEntry } from './schema-entry';
export { MAX_CONFIG_BYTES } from './guard';
