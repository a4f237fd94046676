import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, configHash, configHelp, diffFromDefaults, loadConfig } from '../../../shared/config';
import { canonicalJson, sha256Hex } from '../../../shared/util/seed';

const load = (text: string) => {
  const { config, problems } = loadConfig(text);
  expect(problems).toEqual([]);
  return config!;
};

describe('configHash', () => {
  it('is the sha256 hex of the canonical JSON of the effective config without runtime and distributed', () => {
    const { runtime, distributed, ...kept } = DEFAULT_CONFIG;
    void runtime;
    void distributed;
    expect(configHash(DEFAULT_CONFIG)).toBe(sha256Hex(canonicalJson(kept)));
    expect(configHash(DEFAULT_CONFIG)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is stable across key order, comments and explicit defaults', () => {
    const a = load('tile: {overlap_fraction: 0.3, min_size: 64}\nstacking: {method: average}\n');
    const b = load('# other layout\nstacking:\n  method: average\ntile:\n  min_size: 64\n  overlap_fraction: 0.30\n');
    expect(configHash(a)).toBe(configHash(b));
  });

  it('ignores runtime.* and distributed.*', () => {
    const c = load('runtime: {max_workers: 3, memory_limit_mb: 4096, work_dir: /scratch}\ndistributed: {max_attempts: 5}\n');
    expect(configHash(c)).toBe(configHash(DEFAULT_CONFIG));
  });

  it('changes with any key that changes the result', () => {
    const base = configHash(DEFAULT_CONFIG);
    for (const text of ['tile: {overlap_fraction: 0.3}', 'stacking: {method: average}', 'output: {crop_to_valid: true}', 'debayer: false']) {
      expect(configHash(load(text)), text).not.toBe(base);
    }
  });
});

describe('diffFromDefaults', () => {
  it('is empty for the defaults', () => {
    expect(diffFromDefaults(DEFAULT_CONFIG)).toEqual([]);
  });

  it('lists changed keys in schema order with value and default, lists compared by content', () => {
    const c = load('tile: {overlap_fraction: 0.3}\ninput: {max_frames: 10}\nglobal_metrics: {clamp: [-2, 2]}\nlocal_metrics: {clamp: [-3, 3]}\n');
    expect(diffFromDefaults(c)).toEqual([
      { path: 'input.max_frames', value: 10, default: 0 },
      { path: 'global_metrics.clamp', value: [-2, 2], default: [-3, 3] },
      { path: 'tile.overlap_fraction', value: 0.3, default: 0.25 },
    ]);
  });
});

describe('configHelp', () => {
  it('gives meaning, accepted values, default and METHOD.md place in English and German', () => {
    expect(configHelp('tile.overlap_fraction', 'en')).toBe(
      'Overlap of neighbouring tiles as a fraction of the tile size. Expected: a number in [0, 0.5]. Default: 0.25. (METHOD.md P5)',
    );
    expect(configHelp('tile.overlap_fraction', 'de')).toBe(
      'Überlappung benachbarter Kacheln als Anteil der Kachelgröße. Erwartet: eine Zahl in [0, 0.5]. Standard: 0.25. (METHOD.md P5)',
    );
  });

  it('explains reference names through their new key', () => {
    expect(configHelp('runtime_limits.parallel_workers')).toMatch(/^Reference name of runtime\.max_workers\. Most worker processes/);
  });

  it('returns null for sections and unknown keys', () => {
    expect(configHelp('tile')).toBeNull();
    expect(configHelp('tile.nope')).toBeNull();
  });
});
