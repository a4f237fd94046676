import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  SCHEMA,
  describeExpected,
  loadConfig,
  type ConfigPath,
  type ConfigProblemCode,
  type SchemaEntry,
  type TileCompileConfig,
} from '../../../shared/config';
import type { PathsWithoutSchemaRow, SchemaPath } from '../../../shared/config/schema';

// Compile-time agreement of the hand-written type and the schema table: these lines stop compiling
// (npx tsc -p test/tsconfig.json) when a key is added to one and not the other.
const everyTypePathHasARow: [PathsWithoutSchemaRow] extends [never] ? true : false = true;
const everyRowIsATypePath: [Exclude<SchemaPath, ConfigPath>] extends [never] ? true : false = true;
const defaultsHaveTheType: TileCompileConfig = DEFAULT_CONFIG;

const rows = SCHEMA as readonly SchemaEntry[];

function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('the schema table', () => {
  it('matches TileCompileConfig in both directions at compile time', () => {
    expect([everyTypePathHasARow, everyRowIsATypePath]).toEqual([true, true]);
    expectTypeOf<PathsWithoutSchemaRow>().toEqualTypeOf<never>();
    expectTypeOf(defaultsHaveTheType).toEqualTypeOf<TileCompileConfig>();
  });

  it('has one row per leaf of the defaults object and no duplicate paths', () => {
    const paths = rows.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(leafPaths(DEFAULT_CONFIG).sort()).toEqual([...paths].sort());
  });

  it('gives every key a one-sentence English and German help text and a METHOD.md reference', () => {
    for (const e of rows) {
      for (const text of [e.help.en, e.help.de]) {
        expect(text, e.path).toMatch(/^\S.*[.)]$/);
        expect(text.length, e.path).toBeLessThan(140);
      }
      expect(e.help.en, e.path).not.toBe(e.help.de);
      expect(e.ref.length, e.path).toBeGreaterThan(0);
    }
  });

  it('has defaults that satisfy their own rows (the empty document loads without problems)', () => {
    expect(loadConfig('').problems).toEqual([]);
  });
});

/** The YAML text that sets one key to `literal`, nested in block style, and where the value starts. */
function documentSetting(path: string, literal: string): { text: string; line: number; column: number } {
  const parts = path.split('.');
  const lines = parts.map((p, i) => `${'  '.repeat(i)}${p}:${i === parts.length - 1 ? ` ${literal}` : ''}`);
  const last = parts.length - 1;
  return { text: `${lines.join('\n')}\n`, line: parts.length, column: 2 * last + parts[last].length + 3 };
}

/** A value of the wrong type for the row. */
function wrongType(e: SchemaEntry): string {
  switch (e.kind) {
    case 'bool':
      return '5';
    case 'int':
    case 'number':
      return '"abc"';
    case 'enum':
      return '5';
    case 'string':
      return '[1, 2]';
    case 'intRange':
    case 'clamp':
      return '7';
  }
}

/** A value of the right type outside the accepted range, with the code it must give; null if none exists. */
function outOfRange(e: SchemaEntry): { literal: string; code: ConfigProblemCode } | null {
  switch (e.kind) {
    case 'bool':
      return e.mustBe === undefined ? null : { literal: String(!e.mustBe), code: 'RANGE' };
    case 'int':
      if (e.min !== undefined) return { literal: String(e.zeroOrMin ? e.min - 1 : e.min - 1), code: 'RANGE' };
      return e.max !== undefined ? { literal: String(e.max + 1), code: 'RANGE' } : null;
    case 'number':
      if (e.min !== undefined) return { literal: String(e.minOpen ? e.min : e.min - 0.5), code: 'RANGE' };
      if (e.max !== undefined) return { literal: String(e.maxOpen ? e.max : e.max + 0.5), code: 'RANGE' };
      return { literal: '.inf', code: 'RANGE' };
    case 'enum':
      return { literal: 'not_a_value', code: 'ENUM' };
    case 'string':
      if (e.role === 'url') return { literal: 'http://example.org', code: 'RANGE' };
      return e.nonEmpty ? { literal: '""', code: 'RANGE' } : null;
    case 'intRange':
      return { literal: `[${e.min - 1}, ${e.min}]`, code: 'RANGE' };
    case 'clamp':
      return { literal: '[1, 0]', code: 'CROSS_FIELD' };
  }
}

function gotText(literal: string): string {
  if (literal === 'not_a_value' || literal.startsWith('http')) return JSON.stringify(literal);
  return literal;
}

describe('every key rejects a value of the wrong type', () => {
  it.each(rows.map((e) => [e.path, e] as const))('%s', (path, e) => {
    const literal = wrongType(e);
    const { text, line, column } = documentSetting(path, literal);
    const { config, problems } = loadConfig(text);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path, code: 'TYPE', severity: 'error', line, column });
    const got = e.kind === 'string' ? '[1, 2]' : gotText(literal);
    expect(problems[0].message).toBe(`${path}: expected ${describeExpected(e)}, got ${got}`);
  });
});

describe('every key with a range rejects a value outside it', () => {
  const ranged = rows.filter((e) => outOfRange(e) !== null);
  it('covers every key that has a range', () => {
    expect(ranged.length).toBeGreaterThan(100);
  });
  it.each(ranged.map((e) => [e.path, e] as const))('%s', (path, e) => {
    const { literal, code } = outOfRange(e)!;
    const { text, line, column } = documentSetting(path, literal);
    const { config, problems } = loadConfig(text);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path, code, severity: 'error', line, column });
    expect(problems[0].message.startsWith(`${path}: expected ${describeExpected(e)}, got ${gotText(literal)}`)).toBe(true);
  });
});

describe('every key with an upper bound rejects a value above it', () => {
  const capped = rows.filter((e): e is Extract<SchemaEntry, { kind: 'int' | 'number' }> => (e.kind === 'int' || e.kind === 'number') && e.max !== undefined);
  it.each(capped.map((e) => [e.path, e] as const))('%s', (path, e) => {
    const open = e.kind === 'number' && e.maxOpen === true;
    const literal = String(open ? e.max : e.max! + 1);
    const { text, line, column } = documentSetting(path, literal);
    const { problems } = loadConfig(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path, code: 'RANGE', line, column, got: literal });
  });
});

describe('every key accepts its default written explicitly', () => {
  it('loads each default written as JSON-style YAML with no problems', () => {
    for (const e of rows) {
      const { problems } = loadConfig(documentSetting(e.path, JSON.stringify(e.default)).text);
      expect(problems, e.path).toEqual([]);
    }
  });
});
