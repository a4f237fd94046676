import { realpathSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Every path in a request must lie inside one of the host's allowed roots (the home folder, the
 * runs folder, folders the user picked in a native dialog or dropped on the window). Paths are
 * resolved and symlinks followed before the check, so `root/link -> /etc` is refused too.
 */
export class PathGuard {
  private readonly roots = new Set<string>();

  constructor(roots: Iterable<string> = []) {
    for (const r of roots) this.allow(r);
  }

  allow(root: string): void {
    this.roots.add(canonical(root));
  }

  list(): string[] {
    return [...this.roots];
  }

  /** The canonical absolute path, or null when it lies outside every allowed root. */
  check(p: string): string | null {
    if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) return null;
    const c = canonical(p);
    for (const root of this.roots) if (isInside(c, root)) return c;
    return null;
  }
}

/** Resolves `p` and follows symlinks of its longest existing prefix (the rest may not exist yet). */
export function canonical(p: string): string {
  let head = path.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync.native(head), ...tail.reverse());
    } catch {
      const up = path.dirname(head);
      if (up === head) return path.resolve(p);
      tail.push(path.basename(head));
      head = up;
    }
  }
}

function isInside(p: string, root: string): boolean {
  const fold = process.platform === 'win32' || process.platform === 'darwin';
  const a = fold ? p.toLowerCase() : p;
  const b = fold ? root.toLowerCase() : root;
  const rel = path.relative(b, a);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
