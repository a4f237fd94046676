import { describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import { sha256OfBytes, type FileSystem } from '../../../shared/io/file-system';

const withoutNative: FileSystem = { ...nodeFileSystem, sha256Hex: undefined };

describe('tile file checksums through the I/O port', () => {
  it('the native hash and the portable fallback give the same sha256', () => {
    const data = new Uint8Array(300_001).map((_, i) => (i * 7919) & 255);
    expect(sha256OfBytes(nodeFileSystem, data)).toBe(sha256OfBytes(withoutNative, data));
  });

  it('matches the published sha256 of "abc"', () => {
    const abc = new Uint8Array([0x61, 0x62, 0x63]);
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256OfBytes(nodeFileSystem, abc)).toBe(expected);
    expect(sha256OfBytes(withoutNative, abc)).toBe(expected);
  });

  it('different bytes give different digests', () => {
    const a = new Uint8Array([1, 2, 3]);
    const b = new Uint8Array([1, 2, 4]);
    expect(sha256OfBytes(nodeFileSystem, a)).not.toBe(sha256OfBytes(nodeFileSystem, b));
  });
});
