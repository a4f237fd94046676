/** Natural order of file names: `light_2` < `light_10`, case-insensitive, ties broken by code units. */
export function naturalCompare(a: string, b: string): number {
  const ta = tokenize(a);
  const tb = tokenize(b);
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      if (x !== y) return x < y ? -1 : 1;
    } else {
      const sx = String(x).toLowerCase();
      const sy = String(y).toLowerCase();
      if (sx !== sy) return sx < sy ? -1 : 1;
    }
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function tokenize(s: string): Array<string | bigint> {
  const out: Array<string | bigint> = [];
  const re = /(\d+)|(\D+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] !== undefined ? BigInt(m[1]) : m[2]);
  return out;
}

/** Case-insensitive match of a file name against `;`-separated globs (`*` and `?` only). */
export function matchesPattern(name: string, pattern: string): boolean {
  return pattern
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .some((p) => globToRegExp(p).test(name));
}

function globToRegExp(glob: string): RegExp {
  let re = '^';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 'i');
}
