/**
 * Issue 5, item 6 and METHOD.md section 6 "Disk (checked in P0)": a run whose work store, proxies,
 * tiles and outputs would not fit the free space of its run folder's filesystem does not start.
 * It says how much it needs and how much is free, and builds no work store. The filesystem is
 * real: a small tmpfs mounted for the test (root, as the CI machine runs), and a large one on which
 * the same run goes through.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeTempDir, readEvents, removeTempDirs, runCli, synthSet, TINY_SET, type CliResult } from '../../fixtures/pipeline-sets';

// 60 frames of 96x80: the run plans ~2.6 MiB of scratch with the 10 % margin
const SMALL_FS = '1m';
const LARGE_FS = '64m';

const mounts: string[] = [];

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
}

let small: { dir: string; result: CliResult };
let large: { dir: string; result: CliResult };

beforeAll(async () => {
  await ensureBuilt();
  const lights = await synthSet({ ...TINY_SET, frames: 60 });
  const root = await makeTempDir('disk');
  mountTmpfs(join(root, 'small'), SMALL_FS);
  mountTmpfs(join(root, 'large'), LARGE_FS);
  const smallDir = join(root, 'small', 'run');
  const largeDir = join(root, 'large', 'run');
  small = { dir: smallDir, result: await runCli(['run', lights, '--out', smallDir, '--workers', '1']) };
  large = { dir: largeDir, result: await runCli(['run', lights, '--out', largeDir, '--workers', '1']) };
}, 120_000);

afterAll(async () => {
  for (const m of mounts.splice(0)) execFileSync('umount', [m]);
  await removeTempDirs();
});

describe('the free-space check before a run starts', () => {
  it('refuses a run folder on a filesystem too small for the run, saying what it needs and what is free', () => {
    expect(small.result.code).toBe(1);
    const m = /not enough free disk space in (\S+): the run needs about (\d+) MB, (\d+) MB are free/.exec(small.result.stderr + small.result.stdout);
    expect(m, small.result.stderr).not.toBeNull();
    expect(m?.[1]).toBe(small.dir);
    expect(Number(m?.[2])).toBeGreaterThan(Number(m?.[3]));
  });

  it('builds no work store and measures no frame before refusing', async () => {
    expect(existsSync(join(small.dir, 'work', 'cells.f32'))).toBe(false);
    const events = await readEvents(small.dir);
    const plan = events.find((e) => e.type === 'plan') as { disk?: { need_mb: number; free_mb: number } } | undefined;
    expect(plan?.disk?.free_mb).toBeLessThanOrEqual(1);
    expect(plan?.disk?.need_mb).toBeGreaterThan(plan?.disk?.free_mb ?? Infinity);
    expect(events.some((e) => e.type === 'phase_started' && e.phase === 'measure')).toBe(false);
  });

  it('runs the same frames on a filesystem with room for them', () => {
    expect([0, 3], large.result.stderr).toContain(large.result.code);
    expect(existsSync(join(large.dir, 'result', 'stack.fits'))).toBe(true);
  });
});
