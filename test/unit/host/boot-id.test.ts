import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { bootId } from '../../../electron/host/boot-id';

describe('bootId', () => {
  it('is stable within a boot', async () => {
    const a = await bootId();
    expect(a).toBeTruthy();
    expect(await bootId()).toBe(a);
  });

  it.runIf(process.platform === 'linux')("is the kernel's boot_id on Linux", async () => {
    expect(await bootId()).toBe((await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
  });
});
