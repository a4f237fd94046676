import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableMemoryProbe, memorySnapshot, PseudoFile } from '../../../electron/host/system-memory';

describe('availableMemoryProbe (the permit check before every task)', () => {
  it('reads the same available memory as the snapshot the run plan uses', async () => {
    const probe = availableMemoryProbe();
    const [a, snap, b] = [await probe(), await memorySnapshot(), await probe()];
    expect(snap.availableMb).not.toBeNull();
    expect(a).not.toBeNull();
    // memory moves between the reads: the two sources agree within a few percent of RAM
    const slack = 0.03 * (snap.totalMb ?? 0) + 64;
    expect(Math.abs((a as number) - (snap.availableMb as number))).toBeLessThan(slack);
    expect(Math.abs((b as number) - (snap.availableMb as number))).toBeLessThan(slack);
  });

  it('applies runtime.memory_limit_mb as a cap', async () => {
    expect(await availableMemoryProbe(100)()).toBeLessThanOrEqual(100);
    expect((await memorySnapshot(100)).availableMb).toBeLessThanOrEqual(100);
  });
});

describe('PseudoFile (a kernel file kept open and read again from the start)', () => {
  it('returns what the file holds now, on every read, and null for a file that is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pseudo-'));
    try {
      const path = join(dir, 'memory.current');
      writeFileSync(path, '123456789\n');
      const f = new PseudoFile(path);
      expect(f.read()).toBe('123456789\n');
      // rewritten in place, shorter: the read must not return the old tail
      writeFileSync(path, '42\n');
      expect(f.read()).toBe('42\n');
      expect(new PseudoFile(join(dir, 'absent')).read()).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads /proc/meminfo on Linux', () => {
    if (process.platform !== 'linux') return;
    const f = new PseudoFile('/proc/meminfo');
    expect(f.read()).toMatch(/^MemAvailable:\s+\d+ kB$/m);
    expect(f.read()).toMatch(/^MemAvailable:\s+\d+ kB$/m);
  });
});
