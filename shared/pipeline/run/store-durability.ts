import { storePath } from './run-plan';
import type { Runtime } from './runtime';

/**
 * When the cell store is on the device (METHOD.md section 6, resume).
 *
 * P6 writes the store (about twice the input as float32) without waiting for the device: an fsync
 * per frame cost P6 ~15 % of its wall time on the bench's M set, in system time and hypervisor
 * steal, and the bytes reached the disk twice over (journal commits). What a worker has written
 * is in the OS cache at once, so it survives a killed or crashed process; only a restart of the
 * computer can lose it. state.json therefore records under which boot the store was last written
 * and whether it was synced since (once, in the background, after P6, and only for a store kept
 * after the run, `output.keep_work`): a resume trusts a store that was not synced only under the
 * same boot, and otherwise redoes P6. No store state (a run of a
 * version that synced every frame) = trusted. P6's records are not fsync'd either: one lost to a
 * restart does not parse, and its frame is redone with the same bytes.
 */
export interface StoreDurability {
  /** Boot the store was last written under (RunHost.bootId); null = unknown. */
  readonly boot: string | null;
  /** Every block written so far is on the device. */
  readonly synced: boolean;
}

/** The boot this process runs under, or null where the host cannot tell. */
export async function currentBoot(rt: Runtime): Promise<string | null> {
  try {
    return (await rt.host.bootId?.()) ?? null;
  } catch {
    return null;
  }
}

/** The store's blocks can be trusted: synced, or written under this very boot. */
export function storeTrusted(d: StoreDurability | undefined, bootNow: string | null): boolean {
  if (!d || d.synced) return true;
  return d.boot !== null && d.boot === bootNow;
}

/** Before P6 writes blocks: the store is no longer known to be on the device. */
export async function markStoreWriting(rt: Runtime, boot: string | null): Promise<void> {
  rt.state.data.store = { boot, synced: false };
  await rt.state.save();
}

/**
 * After P6: one fsync of the whole store, then `synced` in state.json. Runs in the background while
 * P7-P9 go on; never fails the run (an unsynced store only costs a resume after a restart its P6).
 */
export async function syncStore(rt: Runtime): Promise<void> {
  const before = rt.state.data.store;
  if (!before || before.synced) return;
  const path = storePath(rt.ctx);
  try {
    // a resume after P9 finds the store released: nothing left to sync
    if (!(await rt.host.fs.exists(path))) return;
    const store = await rt.host.fs.open(path, 'r+');
    try {
      await store.sync();
    } finally {
      await store.close();
    }
    // P6 may have started writing again meanwhile (it does not within a run; kept exact anyway)
    if (rt.state.data.store === before) {
      rt.state.data.store = { ...before, synced: true };
      await rt.state.save();
    }
  } catch (err) {
    rt.host.log?.('warn', `could not sync the cell store (a resume after a restart will redo the prepare phase): ${(err as Error).message}`);
  }
}
