import { describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, loadConfig } from '../../../shared/config';
import { MAX_ALIASED_COLLECTION_NODES, utf8ByteLength } from '../../../shared/config/guard';

/** The classic "billion laughs": nine levels of nine aliases each, 9^9 strings once expanded. */
function billionLaughs(): string {
  const names = 'abcdefghi';
  let s = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < names.length; i++) s += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]\n`;
  return s;
}

describe('alias bombs', () => {
  it('rejects billion laughs with ALIAS_BOMB at the first oversized alias, without expanding it', () => {
    const { config, problems } = loadConfig(billionLaughs());
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'ALIAS_BOMB', severity: 'error', line: 3 });
    expect(problems[0].message).toContain('resource exhaustion');
  });

  it('rejects even a single alias to a collection above the bound', () => {
    const items = Array.from({ length: MAX_ALIASED_COLLECTION_NODES }, (_, i) => i).join(', ');
    const text = `x: &big [${items}]\ny: *big\n`;
    expect(loadConfig(text).problems[0]).toMatchObject({ code: 'ALIAS_BOMB', line: 2, column: 4 });
  });

  it('accepts an alias to a small collection (the values are then checked as usual)', () => {
    const text = 'global_metrics:\n  clamp: &c [-2, 2]\nlocal_metrics:\n  clamp: *c\n';
    const { config, problems } = loadConfig(text);
    expect(problems).toEqual([]);
    expect(config!.local_metrics.clamp).toEqual([-2, 2]);
  });

  it('rejects a recursive alias', () => {
    expect(loadConfig('a: &a [*a]\n').problems[0].code).toBe('ALIAS_BOMB');
  });

  it('rejects more alias uses than yaml\'s maxAliasCount allows', () => {
    const uses = Array.from({ length: 120 }, (_, i) => `k${i}: *v`).join('\n');
    const p = loadConfig(`v: &v 1\n${uses}\n`).problems.find((x) => x.severity === 'error');
    expect(p?.code).toBe('ALIAS_BOMB');
  });
});

describe('nesting depth', () => {
  it('refuses absurdly nested collections as TOO_LARGE, whether or not the parser copes with them', () => {
    for (const n of [100, 3000]) {
      const { config, problems } = loadConfig(`a: ${'['.repeat(n)}${']'.repeat(n)}\n`);
      expect(config).toBeNull();
      expect(problems.map((p) => p.code), String(n)).toEqual(['TOO_LARGE']);
    }
  });

  it('accepts the nesting a config really has', () => {
    expect(loadConfig('local_metrics:\n  star_mode:\n    weights:\n      fwhm: 0.8\n').problems).toEqual([]);
  });
});

describe('document size', () => {
  it('rejects a document over 1 MiB with TOO_LARGE and does not parse it', () => {
    const text = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`;
    const r = loadConfig(text);
    expect(r.config).toBeNull();
    expect(r.document).toBeNull();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'TOO_LARGE', line: 1, column: 1, path: '' });
    expect(r.problems[0].message).toBe(`document: expected at most ${MAX_CONFIG_BYTES} bytes (1 MiB), got ${MAX_CONFIG_BYTES + 3} bytes`);
  });

  it('counts UTF-8 bytes, so multi-byte text under 1 Mi characters can still be too large', () => {
    const text = `# ${'ä'.repeat(MAX_CONFIG_BYTES / 2)}\n`; // 2 bytes each
    expect(text.length).toBeLessThan(MAX_CONFIG_BYTES);
    expect(loadConfig(text).problems[0].code).toBe('TOO_LARGE');
  });

  it('accepts a document of exactly 1 MiB', () => {
    const text = `#${'x'.repeat(MAX_CONFIG_BYTES - 2)}\n`;
    expect(text.length).toBe(MAX_CONFIG_BYTES);
    expect(loadConfig(text).problems).toEqual([]);
  });

  it('measures UTF-8 length like an encoder does', () => {
    for (const s of ['', 'abc', 'ä', '€', '😀', 'Grüße 😀 €']) {
      expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }
  });
});
