import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeasured } from '../../../bench/pipeline-run';
import { descendantsOf } from '../../../bench/proc-tree';

// A real two-level tree: the parent reads file A, forks a child that reads file B and holds a
// 64 MB buffer, waits for it, then lingers so the sampler sees the parent after the reap. Guards
// the two ways a tree sum goes wrong: a missed child, and a child counted again in its parent.
const MB = 1 << 20;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tc-proc-tree-'));
  writeFileSync(join(dir, 'a.bin'), Buffer.alloc(8 * MB, 1));
  writeFileSync(join(dir, 'b.bin'), Buffer.alloc(16 * MB, 2));
  writeFileSync(
    join(dir, 'child.cjs'),
    `const fs = require('fs');
     fs.readFileSync(process.argv[2]);
     const keep = Buffer.alloc(64 * 1024 * 1024, 3);
     setTimeout(() => { if (keep[5] !== 3) process.exit(9); }, 600);`,
  );
  writeFileSync(
    join(dir, 'parent.cjs'),
    `const fs = require('fs'); const { fork } = require('child_process');
     fs.readFileSync(process.argv[2]);
     const c = fork(process.argv[3], [process.argv[4]]);
     c.on('exit', (code) => setTimeout(() => process.exit(code), 500));`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runMeasured', () => {
  it('counts the reads of parent and child once each and sees the child memory', async () => {
    const r = await runMeasured(process.execPath, [join(dir, 'parent.cjs'), join(dir, 'a.bin'), join(dir, 'child.cjs'), join(dir, 'b.bin')], join(dir, 'run.log'));
    expect(r.exitCode).toBe(0);
    expect(r.tree.processes).toBe(2);
    // 24 MB of data plus Node's own start-up reads (a few MB at most); a reaped child counted
    // again in its parent would add another 16 MB
    expect(r.tree.rcharBytes).toBeGreaterThanOrEqual(24 * MB);
    expect(r.tree.rcharBytes).toBeLessThan(34 * MB);
    expect(r.tree.peakRssMaxMb).toBeGreaterThanOrEqual(64);
    expect(r.tree.peakRssSumMb).toBeGreaterThan(r.tree.peakRssMaxMb);
    expect(r.cpuS).toBeGreaterThan(0);
    expect(r.wallS).toBeGreaterThan(1);
  });

  it('reports a failing command by its exit code', async () => {
    const r = await runMeasured(process.execPath, ['-e', 'process.exit(4)'], join(dir, 'fail.log'));
    expect(r.exitCode).toBe(4);
  });
});

describe('descendantsOf', () => {
  it('finds this process and nothing for a pid that does not exist', () => {
    expect(descendantsOf(process.pid)).toContain(process.pid);
    expect(descendantsOf(2 ** 22 + 12345)).toEqual([]);
  });
});
