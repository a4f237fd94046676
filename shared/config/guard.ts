import { isAlias, isCollection, isMap, isPair, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { ConfigProblem } from './config-types';
import { DOCUMENT_START, expectedProblem, placeOfNode } from './problems';

/**
 * Resource limits for untrusted configuration text (a config can arrive from the renderer, a
 * shared folder or a remote run). A real tile_compile.yaml is a few KB with no aliases, so the
 * bounds are far above legitimate use and far below anything that could hurt.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Passed to yaml's toJS as a second line of defence (counts alias uses). */
export const MAX_ALIAS_COUNT = 100;
/** An alias may stand for a collection of at most this many nodes once expanded. */
export const MAX_ALIASED_COLLECTION_NODES = 64;
/** The whole document may expand to at most this many nodes. */
export const MAX_EXPANDED_NODES = 100_000;
/** Collections nested deeper than this are refused (the schema is 4 levels deep). */
export const MAX_NESTING_DEPTH = 64;

/** UTF-8 length without TextEncoder (not available in shared/). */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function checkSize(text: string): ConfigProblem | null {
  // Cheap upper bound first: a string never has more UTF-8 bytes than 3 per UTF-16 unit.
  if (text.length * 3 <= MAX_CONFIG_BYTES) return null;
  const bytes = text.length > MAX_CONFIG_BYTES ? text.length : utf8ByteLength(text);
  if (bytes <= MAX_CONFIG_BYTES) return null;
  return sizeProblem(bytes);
}

export function sizeProblem(bytes: number): ConfigProblem {
  return expectedProblem('', DOCUMENT_START, 'TOO_LARGE', `at most ${MAX_CONFIG_BYTES} bytes (1 MiB)`, `${bytes} bytes`);
}

class AliasBomb extends Error {
  constructor(readonly node: Node, readonly reason: string) {
    super(reason);
  }
}

class TooDeep extends Error {
  constructor(readonly node: Node) {
    super('too deep');
  }
}

/**
 * Finds aliases that expand to big collections, recursive aliases, unknown anchors and absurd
 * nesting, in time
 * linear in the document (expanded sizes are memoized per node, so "billion laughs" is measured,
 * never expanded). Returns the problems; an alias bomb is one error and stops the scan.
 */
export function checkAliases(doc: Document, lc: LineCounter): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const memo = new Map<Node, number>();
  const active = new Set<Node>();

  const size = (node: unknown, depth: number): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        problems.push(expectedProblem('', placeOfNode(lc, node), 'YAML_SYNTAX', 'an alias to an anchor defined before it', `*${node.source}`));
        return 1;
      }
      if (active.has(target)) throw new AliasBomb(node, `a recursive alias *${node.source}`);
      const s = sizeOf(target, depth);
      if (isCollection(target) && s > MAX_ALIASED_COLLECTION_NODES) {
        throw new AliasBomb(node, `an alias *${node.source} that expands to ${s} nodes`);
      }
      return s;
    }
    return sizeOf(node as Node, depth);
  };

  const sizeOf = (node: Node, depth: number): number => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (depth > MAX_NESTING_DEPTH) throw new TooDeep(node);
    active.add(node);
    let s = 1;
    if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        s += isPair(item) ? size(item.key, depth + 1) + size(item.value, depth + 1) : size(item, depth + 1);
        if (s > MAX_EXPANDED_NODES) throw new AliasBomb(node, `a document that expands to more than ${MAX_EXPANDED_NODES} nodes`);
      }
    }
    active.delete(node);
    memo.set(node, s);
    return s;
  };

  try {
    size(doc.contents, 0);
    // yaml's own limit on alias uses, now cheap because expansion is known to be small. Skipped
    // when an alias has no anchor: toJS would throw for that too, and it is already reported.
    if (problems.length === 0) doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof AliasBomb) {
      return [...problems, bombProblem(lc, e.node, e.reason)];
    }
    if (e instanceof TooDeep) {
      return [...problems, expectedProblem('', placeOfNode(lc, e.node), 'TOO_LARGE', `collections nested at most ${MAX_NESTING_DEPTH} levels deep`, 'deeper nesting')];
    }
    if (e instanceof ReferenceError) {
      return [...problems, bombProblem(lc, doc.contents as Node, `more than ${MAX_ALIAS_COUNT} alias uses`)];
    }
    throw e;
  }
  return problems;
}

function bombProblem(lc: LineCounter, node: Node, reason: string): ConfigProblem {
  return expectedProblem(
    '',
    placeOfNode(lc, node),
    'ALIAS_BOMB',
    `aliases that expand to at most ${MAX_ALIASED_COLLECTION_NODES} nodes each`,
    `${reason} (rejected as a resource exhaustion attack)`,
  );
}
