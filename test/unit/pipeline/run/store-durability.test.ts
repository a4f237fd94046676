import { describe, expect, it } from 'vitest';
import { storeTrusted } from '../../../../shared/pipeline/run/store-durability';

describe('storeTrusted (a resume and a cell store written without fsync)', () => {
  it('trusts a store that was synced, whatever the boot', () => {
    expect(storeTrusted({ boot: 'a', synced: true }, 'b')).toBe(true);
    expect(storeTrusted({ boot: null, synced: true }, null)).toBe(true);
  });

  it('trusts an unsynced store only under the boot it was written under', () => {
    expect(storeTrusted({ boot: 'a', synced: false }, 'a')).toBe(true);
    expect(storeTrusted({ boot: 'a', synced: false }, 'b')).toBe(false);
  });

  it('does not trust an unsynced store when either boot is unknown', () => {
    expect(storeTrusted({ boot: null, synced: false }, null)).toBe(false);
    expect(storeTrusted({ boot: 'a', synced: false }, null)).toBe(false);
    expect(storeTrusted({ boot: null, synced: false }, 'a')).toBe(false);
  });

  it('trusts a store without a durability record (written by a version that synced every frame)', () => {
    expect(storeTrusted(undefined, 'a')).toBe(true);
  });
});
