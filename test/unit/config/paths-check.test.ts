import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { DEFAULT_CONFIG, checkConfigPaths, loadConfig } from '../../../shared/config';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tc-config-paths-'));
  await mkdir(join(dir, 'darks'));
  await writeFile(join(dir, 'master_flat.fits'), 'SIMPLE  =                    T');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('checkConfigPaths', () => {
  it('finds nothing to check for the defaults (every feature with paths is off)', async () => {
    expect(await checkConfigPaths(DEFAULT_CONFIG, nodeFileSystem)).toEqual([]);
  });

  it('accepts existing folders and master files, relative ones taken from baseDir', async () => {
    const text = 'calibration:\n  use_dark: true\n  darks_dir: darks\n  use_flat: true\n  flat_use_master: true\n  flat_master: master_flat.fits\n';
    const { config, document } = loadConfig(text);
    expect(await checkConfigPaths(config!, nodeFileSystem, { baseDir: dir, document })).toEqual([]);
  });

  it('reports a missing folder and a folder given as a master, at the path value', async () => {
    const text = `calibration:\n  use_dark: true\n  darks_dir: ${join(dir, 'no-such')}\n  use_bias: true\n  bias_use_master: true\n  bias_master: darks\n`;
    const { config, document } = loadConfig(text);
    const ps = await checkConfigPaths(config!, nodeFileSystem, { baseDir: dir, document });
    expect(ps.map((p) => [p.path, p.code, p.severity, p.line, p.column])).toEqual([
      ['calibration.bias_master', 'PATH_NOT_FOUND', 'error', 6, 16],
      ['calibration.darks_dir', 'PATH_NOT_FOUND', 'error', 3, 14],
    ]);
    expect(ps[0].message).toMatch(/^calibration\.bias_master: expected an existing file, got "darks" \(a folder: /);
    expect(ps[1].message).toMatch(/^calibration\.darks_dir: expected an existing folder, got ".*no-such" \(not found: /);
  });

  it('checks the shared folder of distributed mode and leaves paths of disabled features alone', async () => {
    const text = `distributed:\n  enabled: true\n  url: amqp://host\n  shared_dir: ${join(dir, 'gone')}\ncalibration:\n  darks_dir: /nowhere\n`;
    const { config } = loadConfig(text);
    const ps = await checkConfigPaths(config!, nodeFileSystem);
    expect(ps.map((p) => [p.path, p.line])).toEqual([['distributed.shared_dir', 0]]);
  });
});
