import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, removeTempDirs, runCli } from '../fixtures/pipeline-sets';

beforeAll(ensureBuilt, 120_000);
afterAll(removeTempDirs);

describe('tile-compile demo', () => {
  it('synthesizes a small set into DIR/lights, stacks it into DIR/run and says where the result is', async () => {
    const dir = join(await makeTempDir('demo'), 'demo');
    const r = await runCli(['demo', '--out', dir, '--frames', '24', '--width', '96', '--height', '80']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'lights', 'light_00024.fits'))).toBe(true);
    expect(existsSync(join(dir, 'run', 'result', 'stack.fits'))).toBe(true);
    expect(r.stdout).toContain(`Demo finished: ${join(dir, 'run', 'result', 'stack.fits')}`);
  }, 120_000);
});
