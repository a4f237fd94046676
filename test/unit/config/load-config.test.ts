import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, formatProblem, loadConfig, type ConfigProblem } from '../../../shared/config';

const errors = (ps: readonly ConfigProblem[]) => ps.filter((p) => p.severity === 'error');
const warnings = (ps: readonly ConfigProblem[]) => ps.filter((p) => p.severity === 'warning');

describe('loadConfig with nothing to say', () => {
  it('gives the defaults for an empty document, a comment-only document and empty sections', () => {
    for (const text of ['', '# nothing here\n', '---\n', 'tile:\nruntime:\n']) {
      const r = loadConfig(text);
      expect(r.problems).toEqual([]);
      expect(r.config).toEqual(DEFAULT_CONFIG);
    }
  });

  it('returns a deep-frozen, JSON-serialisable plan', () => {
    const { config } = loadConfig('tile: {overlap_fraction: 0.3}\n');
    expect(config).not.toBeNull();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config!.tile)).toBe(true);
    expect(Object.isFrozen(config!.global_metrics.clamp)).toBe(true);
    expect(() => {
      (config!.tile as { overlap_fraction: number }).overlap_fraction = 0.1;
    }).toThrow();
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
  });

  it('takes the given values and fills the rest with defaults', () => {
    const { config, problems } = loadConfig('tile:\n  overlap_fraction: 0.3\nstacking:\n  method: average\n');
    expect(problems).toEqual([]);
    expect(config!.tile.overlap_fraction).toBe(0.3);
    expect(config!.stacking.method).toBe('average');
    expect(config!.tile.min_size).toBe(64);
    expect(config!.global_metrics.weights).toEqual({ background: 0.333, noise: 0.667, gradient: 0 });
  });
});

describe('loadConfig value errors', () => {
  it('reports overlap 0.8 with the exact message and the position of the value', () => {
    const text = ['# my profile', 'tile:', '  size_factor: 32', '  overlap_fraction: 0.8   # too much', ''].join('\n');
    const { config, problems } = loadConfig(text);
    expect(config).toBeNull();
    expect(problems).toHaveLength(1);
    const p = problems[0];
    expect(p).toMatchObject({ path: 'tile.overlap_fraction', code: 'RANGE', severity: 'error', line: 4, column: 21 });
    expect(p.message).toBe('tile.overlap_fraction: expected a number in [0, 0.5], got 0.8');
    expect(formatProblem(p)).toBe('tile.overlap_fraction: expected a number in [0, 0.5], got 0.8 (line 4, column 21)');
    expect(text.slice(p.offset, p.endOffset)).toBe('0.8');
  });

  it('collects every error instead of stopping at the first', () => {
    const text = 'tile:\n  overlap_fraction: 0.8\n  min_size: 8\nstacking:\n  method: median\n';
    const { problems } = loadConfig(text);
    expect(errors(problems).map((p) => [p.path, p.code, p.line])).toEqual([
      ['tile.overlap_fraction', 'RANGE', 2],
      ['tile.min_size', 'RANGE', 3],
      ['stacking.method', 'ENUM', 5],
    ]);
  });

  it('shows strings quoted so a quoted number is recognisably not a number', () => {
    const { problems } = loadConfig('tile: {overlap_fraction: "0.3"}\n');
    expect(problems[0]).toMatchObject({ code: 'TYPE', got: '"0.3"' });
    expect(problems[0].message).toBe('tile.overlap_fraction: expected a number in [0, 0.5], got "0.3"');
  });

  it('rejects infinities and NaN as numbers out of range', () => {
    for (const v of ['.inf', '-.inf', '.nan']) {
      expect(loadConfig(`tile: {overlap_fraction: ${v}}\n`).problems[0]).toMatchObject({ code: 'RANGE', got: v });
    }
  });

  it('treats a fractional value for an integer key as a type error', () => {
    expect(loadConfig('tile:\n  min_size: 64.5\n').problems[0]).toMatchObject({
      code: 'TYPE',
      message: 'tile.min_size: expected an integer >= 16, got 64.5',
    });
  });

  it('accepts 0 or >= 32 for the local background cell size and nothing in between', () => {
    expect(loadConfig('normalization: {local_background: {cell_px: 0}}').problems).toEqual([]);
    expect(loadConfig('normalization: {local_background: {cell_px: 32}}').problems).toEqual([]);
    expect(loadConfig('normalization: {local_background: {cell_px: 16}}').problems[0]).toMatchObject({
      code: 'RANGE',
      message: 'normalization.local_background.cell_px: expected 0 or an integer >= 32, got 16',
    });
  });

  it('insists that normalization stays enabled', () => {
    expect(loadConfig('normalization:\n  enabled: false\n').problems[0]).toMatchObject({
      code: 'RANGE',
      message: 'normalization.enabled: expected true, got false',
    });
  });

  it('suggests the nearest enum value for a miscased or misspelt one', () => {
    const p = loadConfig('data:\n  color_mode: mono\n').problems[0];
    expect(p.code).toBe('ENUM');
    expect(p.message).toBe('data.color_mode: expected one of auto, MONO, OSC, RGB, got "mono" (did you mean MONO?)');
  });

  it('reads YAML 1.1 booleans such as yes as text, so they are type errors for booleans', () => {
    expect(loadConfig('debayer: yes\n').problems[0]).toMatchObject({ path: 'debayer', code: 'TYPE', got: '"yes"' });
  });

  it('accepts an empty value for a path key as "no path"', () => {
    const { config, problems } = loadConfig('calibration:\n  darks_dir:\n');
    expect(problems).toEqual([]);
    expect(config!.calibration.darks_dir).toBe('');
  });

  it('rejects a section written as a scalar and an empty input pattern', () => {
    const ps = loadConfig('tile: 5\ninput:\n  pattern: ""\n').problems;
    expect(ps.map((p) => [p.path, p.code])).toEqual([
      ['tile', 'TYPE'],
      ['input.pattern', 'RANGE'],
    ]);
    expect(ps[0].message).toBe('tile: expected a mapping (a section of keys), got 5');
  });

  it('rejects a document that is a list instead of a mapping', () => {
    const p = loadConfig('- a\n- b\n').problems[0];
    expect(p).toMatchObject({ path: '', code: 'TYPE', line: 1, column: 1 });
    expect(p.message).toBe('document: expected a mapping of sections (key: value lines), got [a, b]'.replace('[a, b]', '["a", "b"]'));
  });

  it('names the file instead of "document" when a source name is given', () => {
    expect(loadConfig('- a\n', 'my.yaml').problems[0].message.startsWith('my.yaml: expected a mapping')).toBe(true);
  });

  it('refuses broker URLs with a password and hides the password in the message', () => {
    const p = loadConfig('distributed:\n  url: amqp://tc:secret@host/vh\n').problems[0];
    expect(p).toMatchObject({ path: 'distributed.url', code: 'RANGE' });
    expect(p.message).not.toContain('secret');
    expect(p.message).toContain('amqp://tc:***@host/vh');
    expect(loadConfig('distributed:\n  url: amqps://tc@host:5671/vh\n').problems).toEqual([]);
    expect(loadConfig('distributed:\n  url: http://host\n').problems[0].code).toBe('RANGE');
  });
});

describe('loadConfig cross-field rules', () => {
  it('requires the global weights to sum to 1 within 1e-3', () => {
    const bad = loadConfig('global_metrics:\n  weights:\n    background: 0.4\n    noise: 0.3\n    gradient: 0.4\n');
    expect(bad.config).toBeNull();
    expect(bad.problems).toHaveLength(1);
    expect(bad.problems[0]).toMatchObject({ path: 'global_metrics.weights', code: 'CROSS_FIELD', line: 3, column: 5 });
    expect(bad.problems[0].message).toBe(
      'global_metrics.weights: expected background + noise + gradient = 1 (± 0.001), got 0.4 + 0.3 + 0.4 = 1.1',
    );
    expect(loadConfig('global_metrics: {weights: {background: 0.4, noise: 0.3, gradient: 0.3009}}').problems).toEqual([]);
    expect(loadConfig('global_metrics: {weights: {background: 0.4, noise: 0.3, gradient: 0.2985}}').problems[0].code).toBe('CROSS_FIELD');
  });

  it('checks the sum also when only one weight was changed, at that weight', () => {
    const p = loadConfig('global_metrics:\n  weights: {noise: 0.5}\n').problems[0];
    expect(p).toMatchObject({ path: 'global_metrics.weights', code: 'CROSS_FIELD', line: 2 });
  });

  it('requires the star-mode and structure-mode weights to sum to 1', () => {
    const ps = loadConfig(
      'local_metrics:\n  star_mode:\n    weights: {fwhm: 0.5}\n  structure_mode:\n    metric_weight: 0.5\n',
    ).problems;
    expect(ps.map((p) => [p.path, p.code, p.line])).toEqual([
      ['local_metrics.star_mode.weights', 'CROSS_FIELD', 3],
      ['local_metrics.structure_mode', 'CROSS_FIELD', 5],
    ]);
  });

  it('rejects clamps with lo >= hi, in both clamps', () => {
    const ps = loadConfig('global_metrics:\n  clamp: [3, -3]\nlocal_metrics:\n  clamp: [1, 1]\n').problems;
    expect(ps.map((p) => [p.path, p.code, p.line, p.column])).toEqual([
      ['global_metrics.clamp', 'CROSS_FIELD', 2, 10],
      ['local_metrics.clamp', 'CROSS_FIELD', 4, 10],
    ]);
    expect(ps[0].message).toBe('global_metrics.clamp: expected a list [lo, hi] of numbers with lo < hi, got [3, -3]');
  });

  it('rejects ranges with a > b', () => {
    const p = loadConfig('synthetic:\n  clustering:\n    cluster_count_range: [12, 3]\n').problems[0];
    expect(p).toMatchObject({ path: 'synthetic.clustering.cluster_count_range', code: 'CROSS_FIELD', line: 3 });
  });

  it('requires frames_reduced_threshold >= frames_min, reported where the user wrote it', () => {
    const a = loadConfig('assumptions:\n  frames_reduced_threshold: 30\n').problems[0];
    expect(a.message).toBe('assumptions.frames_reduced_threshold: expected a value >= assumptions.frames_min (50), got 30');
    expect(a.line).toBe(2);
    const b = loadConfig('assumptions:\n  frames_min: 300\n').problems[0];
    expect(b.message).toBe('assumptions.frames_min: expected a value <= assumptions.frames_reduced_threshold (200), got 300');
    expect(b).toMatchObject({ code: 'CROSS_FIELD', line: 2 });
  });

  it('ties min_workers to max_workers only when max_workers is set', () => {
    expect(loadConfig('runtime: {min_workers: 4}').problems).toEqual([]);
    expect(loadConfig('runtime: {min_workers: 4, max_workers: 2}').problems[0].code).toBe('CROSS_FIELD');
  });

  it('requires a folder or master for an enabled calibration stage', () => {
    const p = loadConfig('calibration:\n  use_dark: true\n').problems[0];
    expect(p).toMatchObject({ path: 'calibration.darks_dir', code: 'REQUIRED', line: 2, column: 13 });
    expect(p.message).toBe('calibration.darks_dir: expected a folder of dark frames because calibration.use_dark is true, got ""');
    const m = loadConfig('calibration:\n  use_flat: true\n  flat_use_master: true\n  flats_dir: /x\n').problems[0];
    expect(m).toMatchObject({ path: 'calibration.flat_master', code: 'REQUIRED' });
    expect(loadConfig('calibration:\n  use_bias: true\n  bias_dir: /data/bias\n').problems).toEqual([]);
  });

  it('requires url and shared_dir for distributed mode', () => {
    const ps = loadConfig('distributed:\n  enabled: true\n').problems;
    expect(ps.map((p) => [p.path, p.code])).toEqual([
      ['distributed.url', 'REQUIRED'],
      ['distributed.shared_dir', 'REQUIRED'],
    ]);
  });

  it('does not add a cross-field error on top of a value that is already wrong', () => {
    const ps = loadConfig('global_metrics:\n  weights: {background: "x"}\n').problems;
    expect(ps.map((p) => p.code)).toEqual(['TYPE']);
  });
});

describe('loadConfig warnings', () => {
  it('warns about an unknown key with a did-you-mean from the sibling keys and still loads', () => {
    const { config, problems } = loadConfig('tile:\n  overlap_fracton: 0.3\n');
    expect(config).toEqual(DEFAULT_CONFIG);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      path: 'tile.overlap_fracton',
      code: 'UNKNOWN_KEY',
      severity: 'warning',
      line: 2,
      column: 3,
      suggestions: ['tile.overlap_fraction'],
    });
    expect(problems[0].message).toBe('tile.overlap_fracton: unknown key, ignored; did you mean tile.overlap_fraction?');
  });

  it('suggests the full path of a key placed in the wrong section or a misspelt section', () => {
    expect(loadConfig('overlap_fraction: 0.3\n').problems[0].suggestions).toEqual(['tile.overlap_fraction']);
    expect(loadConfig('tiles:\n  min_size: 64\n').problems[0].suggestions).toEqual(['tile']);
    expect(loadConfig('stacking:\n  sigma_clip:\n    sigma_hi: 3\n').problems[0].suggestions).toEqual([
      'stacking.sigma_clip.sigma_high',
    ]);
  });

  it('offers no suggestion when nothing is close', () => {
    const p = loadConfig('tile:\n  zebra_crossing: 1\n').problems[0];
    expect(p.message).toBe('tile.zebra_crossing: unknown key, ignored');
    expect(p.suggestions).toBeUndefined();
  });

  it('warns at the value of each setting this version cannot carry out, and still loads the config', () => {
    const text = 'stacking:\n  method: rej\nbge:\n  enabled: true\ntile_denoise:\n  wiener:\n    enabled: true\n';
    const { config, problems } = loadConfig(text);
    expect(config).not.toBeNull();
    expect(problems.map((p) => [p.code, p.severity, p.path, p.line])).toEqual([
      ['UNAVAILABLE', 'warning', 'bge.enabled', 4],
      ['UNAVAILABLE', 'warning', 'tile_denoise.wiener.enabled', 7],
    ]);
    expect(problems[0].message).toBe('bge.enabled: background gradient extraction (METHOD.md P14) is not available in this version; the run continues without it');
    // off (written out or by default) is no warning
    expect(loadConfig('bge:\n  enabled: false\n').problems).toEqual([]);
    expect(loadConfig('').problems).toEqual([]);
    expect(loadConfig('normalization:\n  per_channel: false\n').problems.map((p) => p.message)).toEqual([
      'normalization.per_channel: one background for all colour channels (false) is not available in this version; every channel is normalized by its own background',
    ]);
  });

  it('maps reference names with a DEPRECATED warning at the key', () => {
    const text = 'runtime_limits:\n  parallel_workers: 6\n  memory_budget: 2048\n  hard_abort_hours: 6\noutput:\n  crop_to_nonzero_bbox: true\n';
    const { config, problems } = loadConfig(text);
    expect(config!.runtime.max_workers).toBe(6);
    expect(config!.runtime.memory_limit_mb).toBe(2048);
    expect(config!.output.crop_to_valid).toBe(true);
    expect(problems.every((p) => p.code === 'DEPRECATED' && p.severity === 'warning')).toBe(true);
    expect(problems.map((p) => [p.path, p.line, p.column, p.suggestions?.[0]])).toEqual([
      ['runtime_limits.parallel_workers', 2, 3, 'runtime.max_workers'],
      ['runtime_limits.memory_budget', 3, 3, 'runtime.memory_limit_mb'],
      ['runtime_limits.hard_abort_hours', 4, 3, undefined],
      ['output.crop_to_nonzero_bbox', 6, 3, 'output.crop_to_valid'],
    ]);
    expect(problems[0].message).toBe('runtime_limits.parallel_workers: a reference name, read as runtime.max_workers');
  });

  it('validates a reference-named value under the new rules and names the key as written', () => {
    const p = errors(loadConfig('runtime_limits:\n  parallel_workers: -1\n').problems)[0];
    expect(p.message).toBe('runtime_limits.parallel_workers: expected an integer >= 0, got -1');
  });

  it('lets the new name win over the reference name', () => {
    const { config, problems } = loadConfig('runtime_limits: {parallel_workers: 6}\nruntime: {max_workers: 3}\n');
    expect(config!.runtime.max_workers).toBe(3);
    expect(warnings(problems).some((p) => p.message.includes('ignored because runtime.max_workers is also set'))).toBe(true);
  });

  it('ignores reference-only sections with a warning and maps reference enum names', () => {
    const { config, problems } = loadConfig('pipeline:\n  mode: production\ninput:\n  sort: numeric\nnormalization:\n  mode: median\n');
    expect(config!.input.sort).toBe('natural');
    expect(config!.normalization.mode).toBe('background');
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['pipeline', 'DEPRECATED'],
      ['input.sort', 'DEPRECATED'],
    ]);
  });
});

describe('loadConfig YAML problems', () => {
  it('reports a syntax error with its position and no plan', () => {
    const { config, problems } = loadConfig('tile:\n  overlap_fraction: [0.3\nstacking: {}\n');
    expect(config).toBeNull();
    expect(problems[0].code).toBe('YAML_SYNTAX');
    expect(problems[0].line).toBeGreaterThanOrEqual(2);
    expect(problems[0].message.startsWith('document: expected valid YAML, got ')).toBe(true);
    expect(problems[0].message).not.toContain('\n');
  });

  it('reports duplicate keys as a syntax error at the second key', () => {
    const p = loadConfig('tile:\n  min_size: 64\n  min_size: 96\n').problems[0];
    expect(p).toMatchObject({ code: 'YAML_SYNTAX', line: 3, column: 3 });
    expect(p.message).toContain('DUPLICATE_KEY');
  });

  it('rejects a stream of several documents', () => {
    expect(loadConfig('tile: {}\n---\nstacking: {}\n').problems[0].code).toBe('YAML_SYNTAX');
  });

  it('reports an alias to an unknown anchor', () => {
    const p = loadConfig('tile:\n  min_size: *nothing\n').problems[0];
    expect(p).toMatchObject({ code: 'YAML_SYNTAX', line: 2, column: 13 });
  });

  it('rejects merge keys instead of silently dropping the merged settings', () => {
    const { config, problems } = loadConfig('base: &b {min_size: 96}\ntile:\n  <<: *b\n');
    expect(config).toBeNull();
    expect(problems.find((p) => p.severity === 'error')).toMatchObject({ path: 'tile.<<', code: 'YAML_SYNTAX', line: 3, column: 3 });
  });

  it('allows an ordinary alias to a scalar', () => {
    const { config, problems } = loadConfig('global_metrics:\n  weight_exponent_scale: &k 0.8\nlocal_metrics:\n  weight_exponent_scale: *k\n');
    expect(problems).toEqual([]);
    expect(config!.local_metrics.weight_exponent_scale).toBe(0.8);
  });
});
