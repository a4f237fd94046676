import type { TileCompileConfig } from './config-types';
import { SCHEMA } from './schema';

type Tree = { [key: string]: unknown };

/** Value at a dotted path of a nested plain object, or undefined. */
export function getAtPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Tree)[part];
  }
  return node;
}

/** Sets a dotted path in a nested plain object, creating sections on the way (builder use only). */
export function setAtPath(root: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node[parts[i]];
    if (next === undefined) node[parts[i]] = {};
    node = node[parts[i]] as Tree;
  }
  node[parts[parts.length - 1]] = Array.isArray(value) ? [...value] : value;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds a config from the schema defaults with `overrides` (path -> value) applied. The result has
 * the TileCompileConfig shape because the schema rows are checked against that type at compile time.
 */
export function buildConfig(overrides: ReadonlyMap<string, unknown> = new Map()): TileCompileConfig {
  const root: Tree = {};
  for (const e of SCHEMA) setAtPath(root, e.path, overrides.has(e.path) ? overrides.get(e.path) : e.default);
  return deepFreeze(root) as unknown as TileCompileConfig;
}

/** The defaults of METHOD.md section 4 as a frozen plan. */
export const DEFAULT_CONFIG: TileCompileConfig = buildConfig();
