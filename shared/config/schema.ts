import { stringify } from 'yaml';
import type { ConfigPath, Lang } from './config-types';
import type { SchemaEntry } from './schema-entry';
import { INPUT_ENTRIES } from './schema-inputs';
import { METHOD_ENTRIES } from './schema-method';
import { OUTPUT_ENTRIES } from './schema-outputs';

/**
 * The single schema table: one row per key, in the order of the default file. Defaults, validation,
 * the commented default YAML, hover help and did-you-mean all derive from it.
 */
export const SCHEMA = [...INPUT_ENTRIES, ...METHOD_ENTRIES, ...OUTPUT_ENTRIES] as const;

export type SchemaPath = (typeof SCHEMA)[number]['path'];
/** Paths of TileCompileConfig without a schema row; `never` when the two agree (checked in tests). */
export type PathsWithoutSchemaRow = Exclude<ConfigPath, SchemaPath>;

export const ENTRY_BY_PATH: ReadonlyMap<string, SchemaEntry> = new Map(SCHEMA.map((e) => [e.path, e as SchemaEntry]));

/** Every mapping that holds keys ('tile', 'global_metrics.weights', …). */
export const SECTION_PATHS: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (const e of SCHEMA) {
    const parts = e.path.split('.');
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return out;
})();

/** Key names directly under a section ('' = top level), in schema order. */
export function childKeys(section: string): string[] {
  const out: string[] = [];
  const prefix = section === '' ? '' : `${section}.`;
  for (const p of [...ENTRY_BY_PATH.keys(), ...SECTION_PATHS]) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    if (rest.includes('.')) continue;
    if (!out.includes(rest)) out.push(rest);
  }
  return out;
}

const WORDS = {
  en: {
    bool: 'true or false',
    zeroOr: (min: number) => `0 or an integer >= ${min}`,
    integer: 'an integer',
    number: 'a number',
    oneOf: 'one of',
    glob: 'file name patterns separated by ";"',
    url: 'an amqp:// or amqps:// URL without a password, or ""',
    path: 'a path as text ("" = none)',
    text: 'text',
    nonEmptyText: 'non-empty text',
    intRange: (min: number) => `a list [a, b] of integers >= ${min} with a <= b`,
    clamp: 'a list [lo, hi] of numbers with lo < hi',
  },
  de: {
    bool: 'true oder false',
    zeroOr: (min: number) => `0 oder eine ganze Zahl >= ${min}`,
    integer: 'eine ganze Zahl',
    number: 'eine Zahl',
    oneOf: 'einer von',
    glob: 'Dateinamenmuster, getrennt durch ";"',
    url: 'eine amqp://- oder amqps://-URL ohne Passwort, oder ""',
    path: 'ein Pfad als Text ("" = keiner)',
    text: 'Text',
    nonEmptyText: 'nicht-leerer Text',
    intRange: (min: number) => `eine Liste [a, b] ganzer Zahlen >= ${min} mit a <= b`,
    clamp: 'eine Liste [lo, hi] von Zahlen mit lo < hi',
  },
} as const;

/**
 * The `expected …` half of a problem message for a key, e.g. `a number in [0, 0.5]`. Problem
 * messages are always English; the German form is for the German default file and hover help.
 */
export function describeExpected(e: SchemaEntry, lang: Lang = 'en'): string {
  const w = WORDS[lang];
  switch (e.kind) {
    case 'bool':
      return e.mustBe === undefined ? w.bool : String(e.mustBe);
    case 'int':
      if (e.zeroOrMin) return w.zeroOr(e.min ?? 0);
      return `${w.integer}${describeBounds(e.min, e.max, false, false)}`;
    case 'number':
      return `${w.number}${describeBounds(e.min, e.max, e.minOpen ?? false, e.maxOpen ?? false)}`;
    case 'enum':
      return `${w.oneOf} ${e.values.join(', ')}`;
    case 'string':
      if (e.role === 'glob') return w.glob;
      if (e.role === 'url') return w.url;
      if (e.role === 'path') return w.path;
      return e.nonEmpty ? w.nonEmptyText : w.text;
    case 'intRange':
      return w.intRange(e.min);
    case 'clamp':
      return w.clamp;
  }
}

function describeBounds(min: number | undefined, max: number | undefined, minOpen: boolean, maxOpen: boolean): string {
  if (min !== undefined && max !== undefined) return ` in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
  if (min !== undefined) return ` ${minOpen ? '>' : '>='} ${min}`;
  if (max !== undefined) return ` ${maxOpen ? '<' : '<='} ${max}`;
  return '';
}

/** A value as it is written in YAML (plain where that is unambiguous, else quoted; lists in flow style). */
export function yamlLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(yamlLiteral).join(', ')}]`;
  if (typeof value === 'string') return stringify(value, { lineWidth: 0 }).trimEnd();
  return String(value);
}
