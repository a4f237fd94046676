import { describe, expect, it } from 'vitest';
import { availableMemoryProbe, memorySnapshot } from '../../../electron/host/system-memory';

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
