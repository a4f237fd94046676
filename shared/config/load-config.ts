import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node, type Pair as YamlPair } from 'yaml';
import type { ConfigProblem, TileCompileConfig } from './config-types';
import { checkValue, deref, renderNode } from './check-value';
import { checkCrossFields } from './cross-field';
import { buildConfig } from './defaults';
import { REFERENCE_ONLY_TOP_LEVEL, REFERENCE_SECTIONS, RENAMED_KEYS } from './deprecated';
import { MAX_NESTING_DEPTH, checkAliases, checkSize } from './guard';
import { DOCUMENT_START, expectedProblem, noteProblem, placeOfNode, placeOfRange, sortProblems, type Place } from './problems';
import { rememberSource } from './round-trip';
import { ENTRY_BY_PATH, SECTION_PATHS } from './schema';
import { suggestPaths } from './suggest';
import { unavailableSettings } from './unavailable';

export interface LoadedConfig {
  /** The frozen, defaults-filled plan; null when any problem is an error. */
  readonly config: TileCompileConfig | null;
  /** Every problem found, errors and warnings, in document order. */
  readonly problems: ConfigProblem[];
  /** The parsed document for comment-preserving edits; null if the text was too large to parse. */
  readonly document: Document.Parsed | null;
}

/** yaml options shared by every parse of a config text. */
export function parseOptions(lineCounter: LineCounter) {
  return { lineCounter, prettyErrors: true, strict: true, uniqueKeys: true, merge: false, version: '1.2' as const };
}

interface Assignment {
  readonly target: string;
  readonly written: string;
  readonly raw: unknown;
  readonly keyPlace: Place;
  readonly renamed: boolean;
}

/**
 * Parses and validates a tile_compile.yaml text (METHOD.md section 4). Never throws for bad input:
 * everything wrong is a problem with path, position and a message the user can act on.
 * `sourceName` (e.g. the file name) replaces "document" in messages about the whole text.
 */
export function loadConfig(text: string, sourceName = 'document'): LoadedConfig {
  const result = validateText(text);
  if (sourceName === 'document') return result;
  // Document-level problems name the file instead of "document".
  const problems = result.problems.map((p) =>
    p.path === '' ? { ...p, message: `${sourceName}${p.message.slice('document'.length)}` } : p,
  );
  return { ...result, problems };
}

function validateText(text: string): LoadedConfig {
  const tooLarge = checkSize(text);
  if (tooLarge) return { config: null, problems: [tooLarge], document: null };

  const lc = new LineCounter();
  const doc = parseDocument(text, parseOptions(lc));
  rememberSource(doc, text);
  const problems: ConfigProblem[] = [];
  for (const e of doc.errors) problems.push(yamlProblem(lc, e, 'error'));
  for (const w of doc.warnings) problems.push(yamlProblem(lc, w, 'warning'));
  if (doc.errors.length > 0) return { config: null, problems: sortProblems(problems), document: doc };

  const aliasProblems = checkAliases(doc, lc);
  if (aliasProblems.length > 0) return { config: null, problems: sortProblems([...problems, ...aliasProblems]), document: doc };

  const walked = walkDocument(doc, lc);
  problems.push(...walked.problems);

  // Explicit new names win over reference names for the same key.
  const chosen = new Map<string, Assignment>();
  for (const a of walked.assignments) {
    const prev = chosen.get(a.target);
    if (prev && !prev.renamed) {
      problems.push(noteProblem(a.written, a.keyPlace, 'DEPRECATED', 'warning', `ignored because ${a.target} is also set`, [a.target]));
      continue;
    }
    if (prev) problems.push(noteProblem(prev.written, prev.keyPlace, 'DEPRECATED', 'warning', `ignored because ${a.target} is also set`, [a.target]));
    chosen.set(a.target, a);
  }

  const overrides = new Map<string, unknown>();
  const rejected = new Set<string>();
  const places = new Map<string, Place>(walked.sectionPlaces);
  for (const [target, a] of chosen) {
    const entry = ENTRY_BY_PATH.get(target);
    if (!entry) continue;
    const checked = checkValue(entry, a.raw, a.written, doc, lc, a.keyPlace);
    problems.push(...checked.problems);
    places.set(target, placeOfNode(lc, a.raw as Node | null, a.keyPlace));
    if (checked.value === undefined) rejected.add(target);
    else overrides.set(target, checked.value);
  }

  const values = new Map<string, unknown>();
  for (const [path, entry] of ENTRY_BY_PATH) values.set(path, overrides.has(path) ? overrides.get(path) : entry.default);
  problems.push(...checkCrossFields({ values, rejected, placeOf: (p) => places.get(p) ?? null }));

  const ok = !problems.some((p) => p.severity === 'error');
  const config = ok ? buildConfig(overrides) : null;
  if (config) {
    for (const u of unavailableSettings(config)) {
      const place = places.get(u.path);
      if (place) problems.push(noteProblem(u.path, place, 'UNAVAILABLE', 'warning', u.message));
    }
  }
  return { config, problems: sortProblems(problems), document: doc };
}

/** yaml's wording for the cases users hit most, rephrased as what to do. */
const YAML_MESSAGES: Readonly<Record<string, readonly [string, string]>> = {
  DUPLICATE_KEY: ['each key at most once per section', 'a key that is already set above'],
  MULTIPLE_DOCS: ['a single YAML document', 'a second document after ---'],
};

function yamlProblem(lc: LineCounter, e: { code: string; message: string; pos: [number, number] }, severity: 'error' | 'warning'): ConfigProblem {
  const place = placeOfRange(lc, e.pos[0], e.pos[1]);
  if (e.code === 'RESOURCE_EXHAUSTION') {
    return expectedProblem('', place, 'TOO_LARGE', `collections nested at most ${MAX_NESTING_DEPTH} levels deep`, 'nesting too deep to parse [RESOURCE_EXHAUSTION]', severity);
  }
  const known = YAML_MESSAGES[e.code];
  if (known) return expectedProblem('', place, 'YAML_SYNTAX', known[0], `${known[1]} [${e.code}]`, severity);
  // yaml appends " at line L, column C:" plus a source excerpt; the position is reported separately.
  const firstLine = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return expectedProblem('', place, 'YAML_SYNTAX', 'valid YAML', `${firstLine} [${e.code}]`, severity);
}

interface Walked {
  readonly assignments: Assignment[];
  readonly problems: ConfigProblem[];
  readonly sectionPlaces: Map<string, Place>;
}

function walkDocument(doc: Document.Parsed, lc: LineCounter): Walked {
  const out: Walked = { assignments: [], problems: [], sectionPlaces: new Map() };
  const root = deref(doc, doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return out; // empty document = defaults
  if (!isMap(root)) {
    out.problems.push(expectedProblem('', placeOfNode(lc, root), 'TYPE', 'a mapping of sections (key: value lines)', renderNode(doc, root)));
    return out;
  }
  walkMap(doc, lc, root.items as YamlPair[], '', out);
  return out;
}

function keyName(pair: YamlPair): string {
  const key = pair.key as Node | null;
  if (key !== null && isScalar(key)) return String(key.value);
  return '<complex key>';
}

function walkMap(doc: Document.Parsed, lc: LineCounter, items: YamlPair[], section: string, out: Walked): void {
  for (const pair of items) {
    const key = keyName(pair);
    const path = section === '' ? key : `${section}.${key}`;
    const keyPlace = placeOfNode(lc, pair.key as Node | null, DOCUMENT_START);
    const renamedTo = RENAMED_KEYS[path];
    if (key === '<<') {
      // Merge keys are off (YAML 1.2); silently ignoring one would drop settings the user meant.
      out.problems.push(expectedProblem(path, keyPlace, 'YAML_SYNTAX', 'keys written out (merge keys << are not supported)', 'a merge key'));
    } else if (renamedTo !== undefined) {
      out.problems.push(noteProblem(path, keyPlace, 'DEPRECATED', 'warning', `a reference name, read as ${renamedTo}`, [renamedTo]));
      out.assignments.push({ target: renamedTo, written: path, raw: pair.value, keyPlace, renamed: true });
    } else if (ENTRY_BY_PATH.has(path)) {
      out.assignments.push({ target: path, written: path, raw: pair.value, keyPlace, renamed: false });
    } else if (SECTION_PATHS.has(path) || REFERENCE_SECTIONS.has(path)) {
      const value = deref(doc, pair.value);
      if (value === null || (isScalar(value) && value.value === null)) continue; // `tile:` alone = all defaults
      if (!isMap(value)) {
        out.problems.push(expectedProblem(path, placeOfNode(lc, value, keyPlace), 'TYPE', 'a mapping (a section of keys)', renderNode(doc, pair.value)));
        continue;
      }
      if (SECTION_PATHS.has(path)) {
        out.sectionPlaces.set(path, placeOfNode(lc, value, keyPlace));
        walkMap(doc, lc, value.items as YamlPair[], path, out);
      } else {
        walkReferenceSection(doc, lc, value.items as YamlPair[], path, out);
      }
    } else if (section === '' && REFERENCE_ONLY_TOP_LEVEL.has(key)) {
      out.problems.push(noteProblem(path, keyPlace, 'DEPRECATED', 'warning', 'used only by the reference implementation, ignored'));
    } else {
      const suggestions = suggestPaths(section, key);
      const hint = suggestions.length > 0 ? `; did you mean ${suggestions.join(' or ')}?` : '';
      out.problems.push(noteProblem(path, keyPlace, 'UNKNOWN_KEY', 'warning', `unknown key, ignored${hint}`, suggestions));
    }
  }
}

function walkReferenceSection(doc: Document.Parsed, lc: LineCounter, items: YamlPair[], section: string, out: Walked): void {
  for (const pair of items) {
    const path = `${section}.${keyName(pair)}`;
    const keyPlace = placeOfNode(lc, pair.key as Node | null, DOCUMENT_START);
    const renamedTo = RENAMED_KEYS[path];
    if (renamedTo !== undefined) {
      out.problems.push(noteProblem(path, keyPlace, 'DEPRECATED', 'warning', `a reference name, read as ${renamedTo}`, [renamedTo]));
      out.assignments.push({ target: renamedTo, written: path, raw: pair.value, keyPlace, renamed: true });
    } else {
      out.problems.push(noteProblem(path, keyPlace, 'DEPRECATED', 'warning', 'used only by the reference implementation, ignored'));
    }
  }
}
