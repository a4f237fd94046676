import type { ConfigPath, ConfigValueAt, Pair } from './config-types';

/**
 * One row of the schema table: a key, its type and bounds, its default, where METHOD.md defines it,
 * and a one-sentence hover help in English and German. The constructors below are generic over the
 * path so that a row whose path is not in TileCompileConfig, or whose default has the wrong type,
 * does not compile.
 */
export interface Help {
  readonly en: string;
  readonly de: string;
}

interface EntryBase<P extends string> {
  readonly path: P;
  /** Where METHOD.md defines the key (section or phase), shown in the default file. */
  readonly ref: string;
  readonly help: Help;
}

export interface BoolEntry<P extends string = string> extends EntryBase<P> {
  readonly kind: 'bool';
  readonly default: boolean;
  /** The only accepted value (normalization.enabled must be true). */
  readonly mustBe?: boolean;
}

export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  /** Bounds are inclusive unless marked open. */
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
}

export interface NumberEntry<P extends string = string> extends EntryBase<P>, NumberBounds {
  readonly kind: 'number';
  readonly default: number;
}

export interface IntBounds {
  readonly min?: number;
  readonly max?: number;
  /** 0 is accepted besides values >= min ("0 = auto"). */
  readonly zeroOrMin?: boolean;
}

export interface IntEntry<P extends string = string> extends EntryBase<P>, IntBounds {
  readonly kind: 'int';
  readonly default: number;
}

export interface EnumEntry<P extends string = string> extends EntryBase<P> {
  readonly kind: 'enum';
  readonly default: string;
  readonly values: readonly string[];
  /** Accepted spellings mapped to a value. `warn` marks reference names (DEPRECATED warning). */
  readonly aliases?: Readonly<Record<string, { readonly to: string; readonly warn: boolean }>>;
}

export type StringRole = 'path' | 'glob' | 'url' | 'text';

export interface StringEntry<P extends string = string> extends EntryBase<P> {
  readonly kind: 'string';
  readonly default: string;
  readonly role: StringRole;
  readonly nonEmpty?: boolean;
}

/** `[a, b]` integer range with min <= a <= b (a > b is a CROSS_FIELD error). */
export interface IntRangeEntry<P extends string = string> extends EntryBase<P> {
  readonly kind: 'intRange';
  readonly default: Pair;
  readonly min: number;
}

/** `[lo, hi]` clamp with lo < hi (else CROSS_FIELD). */
export interface ClampEntry<P extends string = string> extends EntryBase<P> {
  readonly kind: 'clamp';
  readonly default: Pair;
}

export type SchemaEntry<P extends string = string> =
  | BoolEntry<P>
  | NumberEntry<P>
  | IntEntry<P>
  | EnumEntry<P>
  | StringEntry<P>
  | IntRangeEntry<P>
  | ClampEntry<P>;

type PathOfType<V> = { [P in ConfigPath]: ConfigValueAt<P> extends V ? P : never }[ConfigPath];

export function bool<P extends PathOfType<boolean>>(
  path: P,
  def: ConfigValueAt<P>,
  ref: string,
  en: string,
  de: string,
  mustBe?: boolean,
): BoolEntry<P> {
  const base = { kind: 'bool' as const, path, default: def as boolean, ref, help: { en, de } };
  return mustBe === undefined ? base : { ...base, mustBe };
}

export function num<P extends PathOfType<number>>(
  path: P,
  def: ConfigValueAt<P>,
  bounds: NumberBounds,
  ref: string,
  en: string,
  de: string,
): NumberEntry<P> {
  return { kind: 'number', path, default: def as number, ...bounds, ref, help: { en, de } };
}

export function int<P extends PathOfType<number>>(
  path: P,
  def: ConfigValueAt<P>,
  bounds: IntBounds,
  ref: string,
  en: string,
  de: string,
): IntEntry<P> {
  return { kind: 'int', path, default: def as number, ...bounds, ref, help: { en, de } };
}

export function oneOf<P extends PathOfType<string>>(
  path: P,
  def: ConfigValueAt<P>,
  values: readonly ConfigValueAt<P>[],
  ref: string,
  en: string,
  de: string,
  aliases?: EnumEntry['aliases'],
): EnumEntry<P> {
  const base = { kind: 'enum' as const, path, default: def as string, values: values as readonly string[], ref, help: { en, de } };
  return aliases === undefined ? base : { ...base, aliases };
}

export function str<P extends PathOfType<string>>(
  path: P,
  def: ConfigValueAt<P>,
  role: StringRole,
  ref: string,
  en: string,
  de: string,
  nonEmpty?: boolean,
): StringEntry<P> {
  const base = { kind: 'string' as const, path, default: def as string, role, ref, help: { en, de } };
  return nonEmpty ? { ...base, nonEmpty } : base;
}

export function intRange<P extends PathOfType<Pair>>(
  path: P,
  def: ConfigValueAt<P>,
  min: number,
  ref: string,
  en: string,
  de: string,
): IntRangeEntry<P> {
  return { kind: 'intRange', path, default: def as Pair, min, ref, help: { en, de } };
}

export function clampPair<P extends PathOfType<Pair>>(
  path: P,
  def: ConfigValueAt<P>,
  ref: string,
  en: string,
  de: string,
): ClampEntry<P> {
  return { kind: 'clamp', path, default: def as Pair, ref, help: { en, de } };
}
