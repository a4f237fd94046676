import type { LineCounter, Node } from 'yaml';
import type { ConfigProblem, ConfigProblemCode } from './config-types';

/** Where a problem sits in the text. Line and column are 1-based; 0/0 = not tied to a place. */
export interface Place {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly endOffset: number;
}

export const NO_PLACE: Place = { line: 0, column: 0, offset: 0, endOffset: 0 };
export const DOCUMENT_START: Place = { line: 1, column: 1, offset: 0, endOffset: 0 };

export function placeOfRange(lc: LineCounter, start: number, end: number): Place {
  const pos = lc.linePos(start);
  return { line: pos.line, column: pos.col, offset: start, endOffset: Math.max(start, end) };
}

export function placeOfNode(lc: LineCounter, node: Node | null | undefined, fallback: Place = DOCUMENT_START): Place {
  const range = node?.range;
  if (!range) return fallback;
  return placeOfRange(lc, range[0], range[1]);
}

/** The label a message starts with: the key path, or "document" for the whole file. */
export function subject(path: string): string {
  return path === '' ? 'document' : path;
}

/** A problem in the `<path>: expected <expected>, got <got>` form. */
export function expectedProblem(
  path: string,
  place: Place,
  code: ConfigProblemCode,
  expected: string,
  got: string,
  severity: 'error' | 'warning' = 'error',
  suffix = '',
): ConfigProblem {
  return {
    path,
    ...place,
    code,
    severity,
    message: `${subject(path)}: expected ${expected}, got ${got}${suffix}`,
    expected,
    got,
  };
}

/** A problem with a free-form message (unknown keys, deprecations). */
export function noteProblem(
  path: string,
  place: Place,
  code: ConfigProblemCode,
  severity: 'error' | 'warning',
  text: string,
  suggestions?: readonly string[],
): ConfigProblem {
  const base = { path, ...place, code, severity, message: `${subject(path)}: ${text}` };
  return suggestions && suggestions.length > 0 ? { ...base, suggestions } : base;
}

/** `message (line L, column C)`; the position is left out for problems not tied to a place. */
export function formatProblem(p: ConfigProblem): string {
  return p.line > 0 ? `${p.message} (line ${p.line}, column ${p.column})` : p.message;
}

/** Stable order for display: by position, document-level problems first. */
export function sortProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map((x) => x.p);
}
