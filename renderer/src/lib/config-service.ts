/**
 * The renderer's window onto shared/config (pure TypeScript, runs in the page): linting as you
 * type, hover help, presets, the diff against defaults and comment-keeping single-value edits.
 * The host validates the same text again before a run starts (STYLE.md 14).
 */
import { parseDocument } from 'yaml';
import {
  PRESETS,
  configHelp,
  defaultConfigYaml,
  diffFromDefaults,
  documentToString,
  formatProblem,
  loadConfig,
  setConfigValue,
} from '../../../shared/config';
import type { ConfigProblem, ConfigScalar, Lang } from '../../../shared/config';

export type { ConfigProblem, Lang };
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export interface ConfigLint {
  readonly problems: readonly ConfigProblem[];
  readonly errorCount: number;
  readonly diff: ReadonlyArray<{ path: string; value: unknown; default: unknown }>;
}

export function lintConfig(text: string): ConfigLint {
  const { config, problems } = loadConfig(text);
  return {
    problems,
    errorCount: problems.filter((p) => p.severity === 'error').length,
    diff: config ? diffFromDefaults(config) : [],
  };
}

export function problemText(p: ConfigProblem): string {
  return formatProblem(p);
}

export function helpFor(path: string, lang: Lang): string | null {
  return configHelp(path, lang) ?? null;
}

export function presetText(name: PresetName): string {
  return PRESETS[name];
}

export function defaultText(lang: Lang): string {
  return defaultConfigYaml(lang);
}

/** Sets one value and keeps every comment and the key order of the rest of the text. */
export function withValue(text: string, path: string, value: ConfigScalar): string {
  const { document } = loadConfig(text);
  setConfigValue(document, path, value);
  return documentToString(document);
}

/**
 * The dotted key path at a character offset (for hover help), from the YAML syntax tree:
 * the innermost mapping key whose key or value span contains the offset.
 */
export function keyPathAt(text: string, offset: number): string | null {
  const doc = parseDocument(text, { keepSourceTokens: false });
  let found: string | null = null;
  const walk = (node: unknown, prefix: string[]): void => {
    const n = node as { items?: unknown[] } | null;
    if (!n || !Array.isArray(n.items)) return;
    for (const item of n.items) {
      const pair = item as { key?: { value?: unknown; range?: [number, number, number] }; value?: { range?: [number, number, number] } };
      if (!pair || pair.key === undefined || pair.key === null) continue;
      const key = String(pair.key.value ?? '');
      const kr = pair.key.range;
      const vr = pair.value?.range;
      const start = kr ? kr[0] : -1;
      const end = vr ? vr[1] : kr ? kr[1] : -1;
      if (offset >= start && offset <= end) {
        found = [...prefix, key].join('.');
        walk(pair.value, [...prefix, key]);
        return;
      }
    }
  };
  walk(doc.contents, []);
  return found;
}
