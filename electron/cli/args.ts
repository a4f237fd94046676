import { UsageError } from './command';

/** A small, strict argument parser: unknown options are usage errors, not silently ignored. */
export interface ParsedArgs {
  positional: string[];
  flags: Record<string, boolean>;
  options: Record<string, string | undefined>;
}

export function parseArgs(argv: readonly string[], spec: { flags?: string[]; options?: string[] }): ParsedArgs {
  const flags = new Set(spec.flags ?? []);
  const options = new Set(spec.options ?? []);
  const out: ParsedArgs = { positional: [], flags: {}, options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (flags.has(name)) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        out.flags[name] = true;
      } else if (options.has(name)) {
        const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        out.options[name] = value;
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else {
      out.positional.push(a);
    }
  }
  return out;
}

export function parseIntOption(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects an integer >= ${min}, got ${value}`);
  return n;
}
