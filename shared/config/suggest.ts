import { ENTRY_BY_PATH, SECTION_PATHS, childKeys } from './schema';

export const MAX_SUGGESTION_DISTANCE = 2;

/**
 * Edit distance with adjacent transpositions counting 1 (optimal string alignment), so the usual
 * typos (a dropped, doubled, swapped or wrong letter) are all distance 1.
 */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > MAX_SUGGESTION_DISTANCE + 8) return Math.abs(n - m);
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  for (let i = 1; i <= n; i++) {
    const cur = new Array<number>(m + 1);
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

/**
 * Full paths the user probably meant by an unknown key `key` in `section` ('' = top level): sibling
 * keys within distance 2, known full paths within distance 2 of the written path, and keys of the
 * same (or nearly the same) name in another section (a key put under the wrong section).
 * Best first, at most 3.
 */
export function suggestPaths(section: string, key: string): string[] {
  const written = section === '' ? key : `${section}.${key}`;
  const scored = new Map<string, number>();
  const offer = (path: string, d: number) => {
    const old = scored.get(path);
    if (old === undefined || d < old) scored.set(path, d);
  };
  const lowerKey = key.toLowerCase();
  if (lowerKey.length > 2) {
    for (const sibling of childKeys(section)) {
      const d = editDistance(lowerKey, sibling);
      if (d <= MAX_SUGGESTION_DISTANCE) offer(section === '' ? sibling : `${section}.${sibling}`, d);
    }
  }
  const all = [...ENTRY_BY_PATH.keys(), ...SECTION_PATHS];
  for (const p of all) {
    const d = editDistance(written.toLowerCase(), p);
    if (d <= MAX_SUGGESTION_DISTANCE) offer(p, d);
  }
  if (lowerKey.length > 3) {
    for (const p of all) {
      const leaf = p.slice(p.lastIndexOf('.') + 1);
      const d = editDistance(lowerKey, leaf);
      // Misplaced keys rank after typos within the right section.
      if (d <= 1) offer(p, d + 1);
    }
  }
  scored.delete(written);
  return [...scored.entries()]
    .sort((a, b) => a[1] - b[1] || all.indexOf(a[0]) - all.indexOf(b[0]))
    .slice(0, 3)
    .map(([p]) => p);
}

/** Enum values within distance 2 (case-insensitive) of a wrong value. */
export function suggestValues(values: readonly string[], got: string): string[] {
  const g = got.toLowerCase();
  return values
    .map((v) => ({ v, d: editDistance(g, v.toLowerCase()) }))
    .filter((x) => x.d <= MAX_SUGGESTION_DISTANCE && g.length > 1)
    .sort((a, b) => a.d - b.d)
    .map((x) => x.v);
}
