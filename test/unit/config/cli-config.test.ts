import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type CliIO } from '../../../electron/cli/command';
import { command } from '../../../electron/cli/commands/config';
import { DEFAULT_CONFIG, MAX_CONFIG_BYTES, PRESETS, defaultConfigYaml, loadConfig } from '../../../shared/config';

function fakeIO(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    signal: new AbortController().signal,
  };
  return io;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-config-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('tile-compile config', () => {
  it('is named config', () => {
    expect(command.name).toBe('config');
  });

  it('--defaults prints the default file, which loads as the defaults', async () => {
    const io = fakeIO();
    expect(await command.run(['--defaults'], io)).toBe(0);
    expect(io.out).toBe(defaultConfigYaml('en'));
    expect(loadConfig(io.out).config).toEqual(DEFAULT_CONFIG);
  });

  it('--defaults --lang de prints the German file', async () => {
    const io = fakeIO();
    expect(await command.run(['--defaults', '--lang', 'de'], io)).toBe(0);
    expect(io.out).toBe(defaultConfigYaml('de'));
  });

  it('--preset NAME prints the preset', async () => {
    const io = fakeIO();
    expect(await command.run(['--preset', 'small-n'], io)).toBe(0);
    expect(io.out).toBe(PRESETS['small-n']);
  });

  it('--check exits 0 for a valid file and prints its warnings as FILE:line:column', async () => {
    const f = await file('ok.yaml', 'tile:\n  overlap_fracton: 0.3\n');
    const io = fakeIO();
    expect(await command.run(['--check', f], io)).toBe(0);
    expect(io.out).toBe(`${f}:2:3: warning: tile.overlap_fracton: unknown key, ignored; did you mean tile.overlap_fraction?\n`);
    expect(io.err).toBe(`${f}: 0 errors, 1 warning\n`);
  });

  it('--check exits 2 and prints every error for an invalid file', async () => {
    const f = await file('bad.yaml', '# profile\ntile:\n  overlap_fraction: 0.8\nglobal_metrics:\n  clamp: [3, -3]\n');
    const io = fakeIO();
    expect(await command.run(['--check', f], io)).toBe(2);
    expect(io.out.split('\n').filter(Boolean)).toEqual([
      `${f}:3:21: error: tile.overlap_fraction: expected a number in [0, 0.5], got 0.8`,
      `${f}:5:10: error: global_metrics.clamp: expected a list [lo, hi] of numbers with lo < hi, got [3, -3]`,
    ]);
    expect(io.err).toBe(`${f}: 2 errors, 0 warnings\n`);
  });

  it('--check exits 2 when an enabled calibration folder does not exist (relative to the file)', async () => {
    const f = await file('calib.yaml', 'calibration:\n  use_dark: true\n  darks_dir: missing-darks\n');
    const io = fakeIO();
    expect(await command.run(['--check', f], io)).toBe(2);
    expect(io.out).toMatch(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:14: error: calibration\\.darks_dir: expected an existing folder`));
  });

  it('--check refuses an oversized file without loading it', async () => {
    const f = await file('huge.yaml', `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    const io = fakeIO();
    expect(await command.run(['--check', f], io)).toBe(2);
    expect(io.out).toContain('expected at most 1048576 bytes');
  });

  it('--check exits 2 for a file that cannot be read', async () => {
    const io = fakeIO();
    expect(await command.run(['--check', join(dir, 'absent.yaml')], io)).toBe(2);
    expect(io.err).toContain('cannot read the configuration');
  });

  it('rejects no action, two actions, an unknown preset and a bad language as usage errors', async () => {
    for (const args of [[], ['--defaults', '--preset', 'small-n'], ['--preset', 'big-n'], ['--defaults', '--lang', 'fr'], ['--preset', 'small-n', '--lang', 'de']]) {
      await expect(command.run(args, fakeIO()), args.join(' ')).rejects.toBeInstanceOf(UsageError);
    }
  });
});
