import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem, ConfigProblemCode } from './config-types';
import { expectedProblem, noteProblem, placeOfNode, type Place } from './problems';
import { describeExpected } from './schema';
import type { SchemaEntry } from './schema-entry';
import { suggestValues } from './suggest';

/** The node an alias stands for (aliases were bounded by the guard before this runs). */
export function deref(doc: Document, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | null | undefined) ?? null;
}

/** How a value is shown after `got`: numbers as written, strings quoted, lists short. */
export function renderNode(doc: Document, raw: unknown, depth = 0): string {
  const node = deref(doc, raw);
  if (node === null) return 'nothing';
  if (isScalar(node)) {
    if (typeof node.value === 'string') return JSON.stringify(node.value);
    if (node.value === null) return node.source ? String(node.source) : 'nothing';
    return node.source !== undefined && node.source !== '' ? String(node.source) : String(node.value);
  }
  if (isSeq(node)) {
    if (depth > 0 || node.items.length > 6) return `a list of ${node.items.length} items`;
    const text = `[${node.items.map((i) => renderNode(doc, i, depth + 1)).join(', ')}]`;
    return text.length <= 60 ? text : `a list of ${node.items.length} items`;
  }
  if (isMap(node)) return 'a mapping';
  return 'an unsupported value';
}

export interface CheckedValue {
  /** Present iff the value is acceptable (warnings may still be reported). */
  readonly value?: unknown;
  readonly problems: ConfigProblem[];
}

/** Checks one key's value against its schema row. `path` is the key as written (may be a reference name). */
export function checkValue(
  entry: SchemaEntry,
  raw: unknown,
  path: string,
  doc: Document,
  lc: LineCounter,
  fallback: Place,
): CheckedValue {
  const node = deref(doc, raw);
  const place = placeOfNode(lc, isAlias(raw) ? (raw as Node) : node, fallback);
  const expected = describeExpected(entry);
  const fail = (code: ConfigProblemCode, suffix = ''): CheckedValue => ({
    problems: [expectedProblem(path, place, code, expected, renderNode(doc, raw), 'error', suffix)],
  });
  const scalar = node !== null && isScalar(node) ? node.value : undefined;
  const isScalarNode = node === null || isScalar(node);

  switch (entry.kind) {
    case 'bool': {
      if (typeof scalar !== 'boolean') return fail('TYPE');
      if (entry.mustBe !== undefined && scalar !== entry.mustBe) return fail('RANGE');
      return { value: scalar, problems: [] };
    }
    case 'int': {
      if (typeof scalar !== 'number' || !Number.isInteger(scalar)) return fail('TYPE');
      if (entry.zeroOrMin && scalar === 0) return { value: 0, problems: [] };
      if (!withinBounds(scalar, entry.min, entry.max, false, false)) return fail('RANGE');
      return { value: scalar, problems: [] };
    }
    case 'number': {
      if (typeof scalar !== 'number') return fail('TYPE');
      if (!Number.isFinite(scalar)) return fail('RANGE');
      if (!withinBounds(scalar, entry.min, entry.max, entry.minOpen ?? false, entry.maxOpen ?? false)) return fail('RANGE');
      return { value: scalar, problems: [] };
    }
    case 'enum': {
      if (typeof scalar !== 'string') return fail('TYPE');
      if (entry.values.includes(scalar)) return { value: scalar, problems: [] };
      const alias = entry.aliases?.[scalar];
      if (alias) {
        const problems = alias.warn
          ? [noteProblem(path, place, 'DEPRECATED', 'warning', `"${scalar}" is a reference name, read as "${alias.to}"`, [alias.to])]
          : [];
        return { value: alias.to, problems };
      }
      const near = suggestValues(entry.values, scalar);
      return fail('ENUM', near.length > 0 ? ` (did you mean ${near[0]}?)` : '');
    }
    case 'string': {
      if (!isScalarNode) return fail('TYPE');
      // `key:` with nothing after it is the natural way to leave a path empty.
      const text = scalar === null || scalar === undefined ? '' : scalar;
      if (typeof text !== 'string') return fail('TYPE');
      if (entry.nonEmpty && text.trim() === '') return fail('RANGE');
      if (entry.role === 'url' && text !== '' && !isBrokerUrl(text)) {
        return { problems: [expectedProblem(path, place, 'RANGE', expected, JSON.stringify(maskPassword(text)))] };
      }
      return { value: text, problems: [] };
    }
    case 'intRange':
    case 'clamp': {
      const pair = numberPair(doc, node);
      if (pair === null) return fail('TYPE');
      const [a, b] = pair;
      if (entry.kind === 'intRange') {
        if (!Number.isInteger(a) || !Number.isInteger(b)) return fail('TYPE');
        if (a < entry.min || b < entry.min) return fail('RANGE');
        if (a > b) return fail('CROSS_FIELD');
      } else {
        if (!Number.isFinite(a) || !Number.isFinite(b)) return fail('RANGE');
        if (a >= b) return fail('CROSS_FIELD');
      }
      return { value: [a, b], problems: [] };
    }
  }
}

function withinBounds(v: number, min: number | undefined, max: number | undefined, minOpen: boolean, maxOpen: boolean): boolean {
  if (min !== undefined && (minOpen ? v <= min : v < min)) return false;
  if (max !== undefined && (maxOpen ? v >= max : v > max)) return false;
  return true;
}

function numberPair(doc: Document, node: Node | null): [number, number] | null {
  if (node === null || !isSeq(node) || node.items.length !== 2) return null;
  const out: number[] = [];
  for (const item of node.items) {
    const n = deref(doc, item);
    if (n === null || !isScalar(n) || typeof n.value !== 'number') return null;
    out.push(n.value);
  }
  return [out[0], out[1]];
}

/** amqp:// or amqps:// with a host and no password (credentials belong in the environment, section 7). */
export function isBrokerUrl(text: string): boolean {
  const m = /^amqps?:\/\/([^/?#\s]+)(?:[/?#]\S*)?$/i.exec(text);
  if (!m) return false;
  const authority = m[1];
  const at = authority.lastIndexOf('@');
  if (at >= 0 && authority.slice(0, at).includes(':')) return false;
  return authority.slice(at + 1).length > 0;
}

function maskPassword(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
}
