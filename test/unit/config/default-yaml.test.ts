import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, PRESETS, PRESET_NAMES, SCHEMA, configHash, configToYaml, defaultConfigYaml, describeExpected, diffFromDefaults, loadConfig } from '../../../shared/config';

describe('defaultConfigYaml', () => {
  it.each(['en', 'de'] as const)('loads back (%s) with zero problems and equals the defaults', (lang) => {
    const { config, problems } = loadConfig(defaultConfigYaml(lang));
    expect(problems).toEqual([]);
    expect(config).toEqual(DEFAULT_CONFIG);
  });

  it('writes every key once, each directly preceded by a comment with meaning, range and default', () => {
    const lines = defaultConfigYaml('en').split('\n');
    // Full dotted path of every key line, from its indentation.
    const stack: string[] = [];
    const lineOf = new Map<string, number[]>();
    lines.forEach((line, i) => {
      const m = /^( *)(\w+):/.exec(line);
      if (!m) return;
      const depth = m[1].length / 2;
      stack.length = depth;
      stack.push(m[2]);
      const path = stack.join('.');
      lineOf.set(path, [...(lineOf.get(path) ?? []), i]);
    });
    for (const e of SCHEMA) {
      const at = lineOf.get(e.path) ?? [];
      expect(at, e.path).toHaveLength(1);
      let j = at[0] - 1;
      const block: string[] = [];
      while (lines[j].trimStart().startsWith('# ')) block.unshift(lines[j--].trim().slice(2));
      const comment = block.join(' ');
      expect(comment, e.path).toContain(e.help.en);
      expect(comment, e.path).toContain(`Expected: ${describeExpected(e)}.`);
      expect(comment, e.path).toContain('Default: ');
    }
  });

  it('keeps comment lines within 100 columns', () => {
    for (const lang of ['en', 'de'] as const) {
      for (const line of defaultConfigYaml(lang).split('\n')) {
        if (line.trimStart().startsWith('#')) expect(line.length, line).toBeLessThanOrEqual(100);
      }
    }
  });

  it('writes German comments for lang de and English ones by default', () => {
    const de = defaultConfigYaml('de');
    expect(de).toContain('Überlappung benachbarter Kacheln als Anteil der Kachelgröße.');
    expect(de).toContain('Standard: 0.25');
    expect(defaultConfigYaml()).toContain('Overlap of neighbouring tiles as a fraction of the tile size.');
  });
});

describe('configToYaml', () => {
  it.each(['en', 'de'] as const)('writes a plan (%s) that loads back equal, with the same hash', (lang) => {
    const plan = loadConfig(PRESETS['smart-telescope']).config!;
    const text = configToYaml(plan, lang);
    const back = loadConfig(text);
    expect(back.problems).toEqual([]);
    expect(back.config).toEqual(plan);
    expect(configHash(back.config!)).toBe(configHash(plan));
    expect(text).toContain('  overlap_fraction: 0.3\n');
    expect(text).toContain('    cluster_count_range: [3, 12]\n');
  });

  it('keeps text values exact, including characters YAML would otherwise read as syntax', () => {
    const plan = loadConfig('calibration:\n  darks_dir: "C:\\\\astro\\\\darks #1: [x]"\n  bias_dir: "yes"\n').config!;
    expect(plan.calibration.darks_dir).toBe('C:\\astro\\darks #1: [x]');
    const back = loadConfig(configToYaml(plan)).config!;
    expect(back.calibration.darks_dir).toBe(plan.calibration.darks_dir);
    expect(back.calibration.bias_dir).toBe('yes');
  });
});

describe('PRESETS', () => {
  it.each(PRESET_NAMES)('%s validates without any problem', (name) => {
    const { config, problems } = loadConfig(PRESETS[name]);
    expect(problems).toEqual([]);
    expect(config).not.toBeNull();
  });

  it('holds the three example profiles of METHOD.md with their differences from the defaults', () => {
    expect(PRESET_NAMES).toEqual(['smart-telescope', 'mono-full', 'small-n']);
    const diff = (name: (typeof PRESET_NAMES)[number]) =>
      Object.fromEntries(diffFromDefaults(loadConfig(PRESETS[name]).config!).map((d) => [d.path, d.value]));
    expect(diff('mono-full')).toEqual({
      'data.color_mode': 'MONO',
      'assumptions.frames_reduced_threshold': 150,
      'tile.star_min_count': 8,
      // synthetic.weighting: tile_weighted is the default now [DIFF], so it is no difference
      'global_metrics.adaptive_weights': true,
    });
    expect(diff('small-n')).toEqual({
      'assumptions.frames_min': 10,
      'runtime.allow_emergency_mode': true,
      'tile.min_size': 128,
      'tile.overlap_fraction': 0.4,
      'tile.star_min_count': 8,
      'global_metrics.weight_exponent_scale': 0.8,
      'local_metrics.weight_exponent_scale': 0.8,
      'stacking.method': 'average',
    });
    const st = diff('smart-telescope');
    expect(Object.keys(st)).toHaveLength(21);
    expect(st['synthetic.clustering.cluster_count_range']).toEqual([3, 12]);
    expect(st['registration.reject_shift_px_min']).toBe(100);
  });
});
