import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFileSystem } from '../../../electron/host/node-file-system';
import type { FileSystem, RandomAccessFile } from '../../../shared/io/file-system';

/** Test support for the FITS tests: raw FITS bytes built by hand, temp dirs, a counting FileSystem. */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/fits', import.meta.url));

/** One 80-column card from its raw text (independent of the encoder under test). */
export function rawCard(key: string, valueText?: string, comment?: string): string {
  if (valueText === undefined) return key.padEnd(80).slice(0, 80);
  let s = `${key.padEnd(8)}= ${valueText.padStart(20)}`;
  if (comment) s += ` / ${comment}`;
  return s.padEnd(80).slice(0, 80);
}

export function headerBytes(lines: string[], withEnd = true): Uint8Array {
  const all = withEnd ? [...lines, 'END'.padEnd(80)] : lines;
  const text = all.map((l) => l.padEnd(80).slice(0, 80)).join('');
  const len = Math.ceil(text.length / 2880) * 2880;
  return Buffer.from(text.padEnd(len, ' '), 'latin1');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

export function padded(data: Uint8Array): Uint8Array {
  const len = Math.ceil(data.length / 2880) * 2880;
  const out = new Uint8Array(len);
  out.set(data);
  return out;
}

/** A primary image HDU: header cards for SIMPLE/BITPIX/NAXISn plus `extra`, then padded data. */
export function imageFile(bitpix: number, axes: number[], data: Uint8Array, extra: string[] = []): Uint8Array {
  const lines = [rawCard('SIMPLE', 'T'), rawCard('BITPIX', String(bitpix)), rawCard('NAXIS', String(axes.length))];
  axes.forEach((n, i) => lines.push(rawCard(`NAXIS${i + 1}`, String(n))));
  return concat(headerBytes([...lines, ...extra]), padded(data));
}

/** Big-endian bytes of `values` stored as `bitpix`. */
export function bigEndian(bitpix: number, values: ArrayLike<number | bigint>): Uint8Array {
  const size = Math.abs(bitpix) / 8;
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (bitpix === 8) dv.setUint8(i, Number(v));
    else if (bitpix === 16) dv.setInt16(i * 2, Number(v), false);
    else if (bitpix === 32) dv.setInt32(i * 4, Number(v), false);
    else if (bitpix === 64) dv.setBigInt64(i * 8, BigInt(v), false);
    else if (bitpix === -32) dv.setFloat32(i * 4, Number(v), false);
    else dv.setFloat64(i * 8, Number(v), false);
  }
  return out;
}

export function tempDir(prefix = 'tc-fits-'): { dir: string; file(name: string, bytes?: Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file(name: string, bytes?: Uint8Array): string {
      const p = join(dir, name);
      if (bytes) writeFileSync(p, bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The real Node FileSystem, with every byte read counted (reads of the data are what we assert). */
export function countingFileSystem(): { fs: FileSystem; bytesRead(): number; reads: Array<{ position: number; length: number }> } {
  let total = 0;
  const reads: Array<{ position: number; length: number }> = [];
  const fs: FileSystem = {
    ...nodeFileSystem,
    async open(path, mode): Promise<RandomAccessFile> {
      const f = await nodeFileSystem.open(path, mode);
      return {
        path: f.path,
        async read(buffer, offset, length, position) {
          const n = await f.read(buffer, offset, length, position);
          total += n;
          reads.push({ position, length: n });
          return n;
        },
        write: (b, o, l, p) => f.write(b, o, l, p),
        writeBlocks: (blocks) => f.writeBlocks(blocks),
        size: () => f.size(),
        sync: () => f.sync(),
        close: () => f.close(),
      };
    },
  };
  return { fs, bytesRead: () => total, reads };
}

export { nodeFileSystem };
