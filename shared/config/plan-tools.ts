import { canonicalJson, sha256Hex } from '../util/seed';
import type { Lang, TileCompileConfig } from './config-types';
import { getAtPath, setAtPath } from './defaults';
import { RENAMED_KEYS } from './deprecated';
import { ENTRY_BY_PATH, SCHEMA, describeExpected, yamlLiteral } from './schema';
import type { SchemaEntry } from './schema-entry';

/**
 * Keys that do not change the result and therefore stay out of config_hash (METHOD.md section 7
 * "Lifecycle (0)"): where things run and how many workers, never what is computed.
 */
export function isHashExcluded(e: SchemaEntry): boolean {
  if (e.path.startsWith('runtime.') || e.path.startsWith('distributed.')) return true;
  return e.path.startsWith('output.') && e.kind === 'string' && e.role === 'path';
}

/** sha256 hex of the canonical JSON of the effective config minus output paths, runtime.*, distributed.*. */
export function configHash(config: TileCompileConfig): string {
  const kept: { [key: string]: unknown } = {};
  for (const e of SCHEMA) {
    if (isHashExcluded(e)) continue;
    setAtPath(kept, e.path, getAtPath(config, e.path));
  }
  return sha256Hex(canonicalJson(kept));
}

export interface ConfigDifference {
  readonly path: string;
  readonly value: unknown;
  readonly default: unknown;
}

/** Keys whose value differs from the default, in schema order (the "what did I change" view). */
export function diffFromDefaults(config: TileCompileConfig): ConfigDifference[] {
  const out: ConfigDifference[] = [];
  for (const e of SCHEMA) {
    const value = getAtPath(config, e.path);
    if (!sameValue(value, e.default)) out.push({ path: e.path, value, default: e.default });
  }
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** The schema row of a path; reference names resolve to their new key. */
export function schemaEntry(path: string): SchemaEntry | undefined {
  return ENTRY_BY_PATH.get(path) ?? ENTRY_BY_PATH.get(RENAMED_KEYS[path] ?? '');
}

const LABELS = {
  en: { range: 'Expected', def: 'Default', ref: 'METHOD.md', renamed: 'Reference name of' },
  de: { range: 'Erwartet', def: 'Standard', ref: 'METHOD.md', renamed: 'Referenzname von' },
} as const;

/**
 * Hover help for a key: one sentence of meaning, then the accepted values and the default, e.g.
 * "Overlap of neighbouring tiles as a fraction of the tile size. Expected: a number in [0, 0.5].
 * Default: 0.25." Null for paths that are not keys (a section, or unknown).
 */
export function configHelp(path: string, lang: Lang = 'en'): string | null {
  const entry = schemaEntry(path);
  if (!entry) return null;
  const l = LABELS[lang];
  const renamed = entry.path !== path ? `${l.renamed} ${entry.path}. ` : '';
  return `${renamed}${entry.help[lang]} ${l.range}: ${describeExpected(entry, lang)}. ${l.def}: ${yamlLiteral(entry.default)}. (${l.ref} ${entry.ref})`;
}
