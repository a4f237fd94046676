import { readFile } from 'node:fs/promises';
import { uptime } from 'node:os';

/**
 * An id of the computer's current boot, for RunHost.bootId: Linux's kernel boot_id (random per
 * boot); elsewhere the boot time to the minute (now - uptime: fixed over a boot, sleep included on
 * macOS and Windows). A wall clock changed by more than the rounding makes it differ: that only
 * costs a resume its prepare phase, never a wrong result.
 */
export async function bootId(): Promise<string | null> {
  try {
    const id = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    if (id) return id;
  } catch {
    // not Linux, or no procfs
  }
  const bootMs = Date.now() - uptime() * 1000;
  return Number.isFinite(bootMs) ? `booted-${Math.round(bootMs / 60_000)}` : null;
}
