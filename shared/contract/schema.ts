/**
 * A tiny runtime schema: one declaration gives both the TypeScript type (`Infer<typeof s>`) and a
 * validator, so the contract is written once. Validation never throws; it collects issues as data
 * (`requests.dir: expected a string, got 42`). Values marked `path()` are collected on the way so a
 * host can check every filesystem path of a request against its allowed roots in one place.
 */

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface Ctx {
  readonly issues: Issue[];
  readonly paths: string[];
}

export interface Schema<T> {
  readonly describe: string;
  /** Returns the (possibly normalized) value; records issues in ctx when invalid. */
  parse(value: unknown, at: string, ctx: Ctx): T;
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T; readonly paths: readonly string[] }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function validate<T>(schema: Schema<T>, value: unknown, root = 'value'): ValidationResult<T> {
  const ctx: Ctx = { issues: [], paths: [] };
  const parsed = schema.parse(value, root, ctx);
  return ctx.issues.length === 0 ? { ok: true, value: parsed, paths: ctx.paths } : { ok: false, issues: ctx.issues };
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function fail(ctx: Ctx, at: string, expected: string, got: unknown): void {
  ctx.issues.push({ path: at, message: `expected ${expected}, got ${show(got)}` });
}

export function str(opts: { maxLength?: number; nonEmpty?: boolean; pattern?: RegExp } = {}): Schema<string> {
  const maxLength = opts.maxLength ?? 10_000;
  const describe = opts.nonEmpty ? 'a non-empty string' : 'a string';
  return {
    describe,
    parse(v, at, ctx) {
      if (typeof v !== 'string') fail(ctx, at, describe, v);
      else if (opts.nonEmpty && v.length === 0) fail(ctx, at, describe, v);
      else if (v.length > maxLength) fail(ctx, at, `a string of at most ${maxLength} characters`, `${v.length} characters`);
      else if (opts.pattern && !opts.pattern.test(v)) fail(ctx, at, `a string matching ${opts.pattern}`, v);
      return v as string;
    },
  };
}

/** A filesystem path: absolute-or-relative decided by the host; collected for the roots check. */
export function path(): Schema<string> {
  const describe = 'a path';
  return {
    describe,
    parse(v, at, ctx) {
      if (typeof v !== 'string' || v.length === 0 || v.length > 4096 || v.includes('\0')) fail(ctx, at, describe, v);
      else ctx.paths.push(v);
      return v as string;
    },
  };
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const kind = opts.integer ? 'an integer' : 'a number';
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? ` in [${opts.min}, ${opts.max}]`
      : opts.min !== undefined
        ? ` >= ${opts.min}`
        : opts.max !== undefined
          ? ` <= ${opts.max}`
          : '';
  const describe = kind + range;
  return {
    describe,
    parse(v, at, ctx) {
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        (!opts.integer || Number.isInteger(v)) &&
        (opts.min === undefined || v >= opts.min) &&
        (opts.max === undefined || v <= opts.max);
      if (!ok) fail(ctx, at, describe, v);
      return v as number;
    },
  };
}

export function bool(): Schema<boolean> {
  return {
    describe: 'true or false',
    parse(v, at, ctx) {
      if (typeof v !== 'boolean') fail(ctx, at, 'true or false', v);
      return v as boolean;
    },
  };
}

export function literal<const T extends string | number | boolean>(value: T): Schema<T> {
  const describe = JSON.stringify(value);
  return {
    describe,
    parse(v, at, ctx) {
      if (v !== value) fail(ctx, at, describe, v);
      return v as T;
    },
  };
}

export function oneOf<const T extends readonly string[]>(values: T): Schema<T[number]> {
  const describe = `one of ${values.join(', ')}`;
  return {
    describe,
    parse(v, at, ctx) {
      if (typeof v !== 'string' || !values.includes(v)) fail(ctx, at, describe, v);
      return v as T[number];
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    describe: `${inner.describe} or null`,
    parse(v, at, ctx) {
      return v === null ? null : inner.parse(v, at, ctx);
    },
  };
}

export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export function opt<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    describe: `${inner.describe} (optional)`,
    optional: true,
    parse(v, at, ctx) {
      return v === undefined ? undefined : inner.parse(v, at, ctx);
    },
  };
}

export function arr<T>(item: Schema<T>, opts: { maxItems?: number } = {}): Schema<readonly T[]> {
  const maxItems = opts.maxItems ?? 1_000_000;
  const describe = `a list of ${item.describe}`;
  return {
    describe,
    parse(v, at, ctx) {
      if (!Array.isArray(v)) {
        fail(ctx, at, describe, v);
        return v as T[];
      }
      if (v.length > maxItems) {
        fail(ctx, at, `a list of at most ${maxItems} items`, `${v.length} items`);
        return v as T[];
      }
      return v.map((x, i) => item.parse(x, `${at}[${i}]`, ctx));
    },
  };
}

/** Any JSON value (used for free-form summaries); checked only for being JSON-like. */
export function json(): Schema<unknown> {
  return {
    describe: 'a JSON value',
    parse(v, at, ctx) {
      if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') fail(ctx, at, 'a JSON value', v);
      return v;
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/**
 * `strict` objects (requests) refuse unknown keys: a malformed request is refused, not guessed at.
 * Lenient objects (events read from disk) keep only the declared keys, so newer writers still fold.
 */
export function obj<S extends Shape>(shape: S, opts: { strict?: boolean } = {}): Schema<ObjectOf<S>> & { shape: S } {
  const strict = opts.strict ?? true;
  const describe = 'an object';
  return {
    describe,
    shape,
    parse(v, at, ctx) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        fail(ctx, at, describe, v);
        return v as ObjectOf<S>;
      }
      const input = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(shape)) {
        const value = shape[key].parse(input[key], `${at}.${key}`, ctx);
        if (value !== undefined) out[key] = value;
      }
      if (strict) {
        for (const key of Object.keys(input)) {
          if (!Object.prototype.hasOwnProperty.call(shape, key)) {
            ctx.issues.push({ path: `${at}.${key}`, message: 'is not a known field' });
          }
        }
      }
      return out as ObjectOf<S>;
    },
  };
}

/** A union discriminated by a string field; unknown tags are an issue (callers may pre-filter). */
export function tagged<K extends string, M extends Record<string, Schema<unknown>>>(
  key: K,
  members: M,
): Schema<Infer<M[keyof M]>> {
  const tags = Object.keys(members);
  const describe = `an object with ${key} one of ${tags.join(', ')}`;
  return {
    describe,
    parse(v, at, ctx) {
      const tag = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
      if (typeof tag !== 'string' || !Object.prototype.hasOwnProperty.call(members, tag)) {
        fail(ctx, `${at}.${key}`, `one of ${tags.join(', ')}`, tag);
        return v as Infer<M[keyof M]>;
      }
      return members[tag].parse(v, at, ctx) as Infer<M[keyof M]>;
    },
  };
}
