import { isAlias, isMap, isScalar, isSeq, stringify, YAMLMap, type Document, type Node } from 'yaml';
import { RENAMED_KEYS } from './deprecated';
import { ENTRY_BY_PATH } from './schema';

/**
 * Comment-keeping edits of a loaded config. A value edit of an existing scalar or flow list is
 * spliced into the original text, so the saved file differs in exactly that value (aligned
 * comments, quoting and blank lines untouched). Edits that add keys or sections go through yaml's
 * setIn/toString, which keeps comments and key order but normalizes spacing before comments.
 */
const SAVE_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

interface SourceState {
  readonly text: string;
  /** Replacements in original-text offsets, keyed by start offset (a later edit of a value wins). */
  readonly splices: Map<number, { end: number; text: string }>;
  structural: boolean;
}

const sources = new WeakMap<Document, SourceState>();

/** Called by loadConfig: remembers the text a document was parsed from. */
export function rememberSource(doc: Document, text: string): void {
  sources.set(doc, { text, splices: new Map(), structural: false });
}

/** The text a document was loaded from (null for documents built in code). */
export function sourceTextOf(doc: Document): string | null {
  return sources.get(doc)?.text ?? null;
}

export type ConfigScalar = string | number | boolean | readonly [number, number];

/**
 * Sets one key in the document. `path` is a schema path; if the document spells that key with a
 * reference name (runtime_limits.parallel_workers) and not the new one, the old key is edited in
 * place. Throws for unknown paths and for a document that was never parsed (too large).
 */
export function setConfigValue(document: Document | null, path: string, value: ConfigScalar): void {
  if (document === null) throw new Error('setConfigValue: this configuration text was not parsed (too large), so it cannot be edited');
  if (!ENTRY_BY_PATH.has(path)) throw new Error(`setConfigValue: ${path} is not a configuration key`);
  const parts = pathInDocument(document, path).split('.');
  const existing = document.getIn(parts, true) as Node | undefined;
  const state = sources.get(document);

  if (state && !state.structural && existing && canSplice(existing, value)) {
    const [start, end] = existing.range as [number, number, number];
    const rendered = renderScalar(value);
    const needsSpace = start === end && start > 0 && state.text[start - 1] === ':';
    state.splices.set(start, { end, text: needsSpace ? ` ${rendered}` : rendered });
  } else if (state) {
    state.structural = true;
  }
  applyToDocument(document, parts, value, existing);
}

/** The document as YAML text (the original text with value edits spliced in, when possible). */
export function documentToString(document: Document | null): string {
  if (document === null) throw new Error('documentToString: this configuration text was not parsed (too large)');
  const state = sources.get(document);
  if (!state || state.structural) return document.toString(SAVE_OPTIONS);
  let text = state.text;
  const starts = [...state.splices.keys()].sort((a, b) => b - a);
  for (const start of starts) {
    const s = state.splices.get(start) as { end: number; text: string };
    text = text.slice(0, start) + s.text + text.slice(s.end);
  }
  return text;
}

function pathInDocument(doc: Document, path: string): string {
  if (doc.hasIn(path.split('.'))) return path;
  for (const [old, target] of Object.entries(RENAMED_KEYS)) {
    if (target === path && doc.hasIn(old.split('.'))) return old;
  }
  return path;
}

function canSplice(node: Node, value: ConfigScalar): boolean {
  if (!node.range) return false;
  if (Array.isArray(value)) return isSeq(node) && node.flow === true;
  return isScalar(node) || isAlias(node);
}

function renderScalar(value: ConfigScalar): string {
  return stringify(value, { ...SAVE_OPTIONS, collectionStyle: 'flow' }).trimEnd();
}

function applyToDocument(doc: Document, parts: string[], value: ConfigScalar, existing: Node | undefined): void {
  // A section written as `tile:` with nothing after it is a null scalar; make it a mapping first.
  for (let i = 1; i < parts.length; i++) {
    const node = doc.getIn(parts.slice(0, i), true) as Node | undefined;
    if (node === undefined || isMap(node)) continue;
    if (isScalar(node) && node.value === null) {
      doc.setIn(parts.slice(0, i), new YAMLMap());
      continue;
    }
    throw new Error(`setConfigValue: ${parts.slice(0, i).join('.')} is not a section in this document`);
  }
  if (Array.isArray(value)) {
    if (existing && isSeq(existing) && existing.items.length === value.length && existing.items.every((n) => isScalar(n))) {
      existing.items.forEach((n, i) => {
        (n as { value: unknown }).value = value[i];
      });
      return;
    }
    const node = doc.createNode([...value]);
    node.flow = true;
    doc.setIn(parts, node);
    return;
  }
  doc.setIn(parts, value);
}
