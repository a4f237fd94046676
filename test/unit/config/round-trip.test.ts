import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { documentToString, loadConfig, setConfigValue } from '../../../shared/config';

const COMMENTED = `# Observatory profile, M 31, autumn 2024
# (kept by hand; the app must not reformat it)

input:
  pattern: "*.fits"        # camera writes .fits only
  max_frames: 0            # all of them

tile:
  size_factor: 32
  overlap_fraction: 0.25   # METHOD.md default

global_metrics:
  clamp: [-3, 3]           # symmetric
  weights: {background: 0.4, noise: 0.3, gradient: 0.3}

# Workers: leave to the planner
runtime:
  max_workers: 0
`;

/** Lines of b that differ from a at the same index (both texts must have the same line count). */
function changedLines(a: string, b: string): Array<[number, string, string]> {
  const la = a.split('\n');
  const lb = b.split('\n');
  expect(lb.length).toBe(la.length);
  return la.flatMap((l, i) => (l === lb[i] ? [] : [[i + 1, l, lb[i]] as [number, string, string]]));
}

describe('setConfigValue + documentToString', () => {
  it('changes exactly one line of a commented file when one value changes', () => {
    const { document } = loadConfig(COMMENTED);
    setConfigValue(document, 'tile.overlap_fraction', 0.3);
    const saved = documentToString(document);
    expect(changedLines(COMMENTED, saved)).toEqual([[10, '  overlap_fraction: 0.25   # METHOD.md default', '  overlap_fraction: 0.3   # METHOD.md default']]);
    expect(loadConfig(saved).config!.tile.overlap_fraction).toBe(0.3);
  });

  it('edits values inside flow mappings and flow lists in place', () => {
    const { document } = loadConfig(COMMENTED);
    setConfigValue(document, 'global_metrics.weights.noise', 0.2);
    setConfigValue(document, 'global_metrics.weights.gradient', 0.4);
    setConfigValue(document, 'global_metrics.clamp', [-2, 2]);
    const saved = documentToString(document);
    expect(changedLines(COMMENTED, saved).map(([n, , now]) => [n, now])).toEqual([
      [13, '  clamp: [-2, 2]           # symmetric'],
      [14, '  weights: {background: 0.4, noise: 0.2, gradient: 0.4}'],
    ]);
    expect(loadConfig(saved).problems).toEqual([]);
  });

  it('quotes strings that need it and keeps the last edit of a value', () => {
    const { document } = loadConfig(COMMENTED);
    setConfigValue(document, 'input.pattern', 'x');
    setConfigValue(document, 'input.pattern', '*.fit;*.fits');
    const saved = documentToString(document);
    expect(changedLines(COMMENTED, saved)).toEqual([[5, '  pattern: "*.fits"        # camera writes .fits only', '  pattern: "*.fit;*.fits"        # camera writes .fits only']]);
  });

  it('adds a missing key to its section and keeps every comment and the key order', () => {
    const { document } = loadConfig(COMMENTED);
    setConfigValue(document, 'tile.min_size', 96);
    setConfigValue(document, 'stacking.method', 'average');
    const saved = documentToString(document);
    for (const comment of ['# Observatory profile, M 31, autumn 2024', '# camera writes .fits only', '# Workers: leave to the planner', '# symmetric']) {
      expect(saved).toContain(comment);
    }
    const keys = [...saved.matchAll(/^(\w+):/gm)].map((m) => m[1]);
    expect(keys).toEqual(['input', 'tile', 'global_metrics', 'runtime', 'stacking']);
    const { config, problems } = loadConfig(saved);
    expect(problems).toEqual([]);
    expect(config!.tile).toMatchObject({ min_size: 96, overlap_fraction: 0.25 });
    expect(config!.stacking.method).toBe('average');
  });

  it('fills a section written with nothing after it', () => {
    const { document } = loadConfig('tile:\n# later\n');
    setConfigValue(document, 'tile.min_size', 128);
    expect(loadConfig(documentToString(document)).config!.tile.min_size).toBe(128);
  });

  it('fills a key written with nothing after it on the same line', () => {
    const text = 'calibration:\n  darks_dir:\n  use_dark: false\n';
    const { document } = loadConfig(text);
    setConfigValue(document, 'calibration.darks_dir', '/data/darks');
    const saved = documentToString(document);
    expect(saved).toBe('calibration:\n  darks_dir: /data/darks\n  use_dark: false\n');
  });

  it('edits a key spelt with its reference name in place instead of adding the new name', () => {
    const text = 'runtime_limits:\n  parallel_workers: 4   # old file\n';
    const { document } = loadConfig(text);
    setConfigValue(document, 'runtime.max_workers', 8);
    expect(documentToString(document)).toBe('runtime_limits:\n  parallel_workers: 8   # old file\n');
  });

  it('refuses unknown paths and documents that were never parsed', () => {
    const { document } = loadConfig(COMMENTED);
    expect(() => setConfigValue(document, 'tile.no_such_key', 1)).toThrow(/not a configuration key/);
    expect(() => setConfigValue(null, 'tile.min_size', 1)).toThrow(/too large/);
    expect(() => documentToString(null)).toThrow(/too large/);
  });

  it('refuses to set a key below a section that is a scalar', () => {
    const { document } = loadConfig('tile: 5\n');
    expect(() => setConfigValue(document, 'tile.min_size', 64)).toThrow(/not a section/);
  });

  it('also works on a document parsed by yaml directly (structural save)', () => {
    const doc = parseDocument('# c\ntile:\n  min_size: 64 # keep\n');
    setConfigValue(doc, 'tile.min_size', 80);
    expect(documentToString(doc)).toBe('# c\ntile:\n  min_size: 80 # keep\n');
  });
});
