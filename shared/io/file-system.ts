import { sha256Hex } from '../util/seed';

/**
 * The I/O port of everything in shared/. Code here never imports `fs`: phase runners, the FITS
 * reader and writer and the scanner take a FileSystem, and the Node implementation
 * (electron/host/node-file-system.ts) is injected by the CLI, the host and the workers.
 * Paths are plain strings in the host's own syntax; use `fs.join` to build them.
 */

export interface FileStat {
  readonly size: number;
  readonly mtimeMs: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/** An open file for positional reads and writes. Reads never move a cursor. */
/** `data` to be written at byte `position` of a file. */
export interface WriteBlock {
  readonly data: Uint8Array;
  readonly position: number;
}

export interface RandomAccessFile {
  readonly path: string;
  /** Reads up to `length` bytes at `position` into `buffer[offset…]`; returns the bytes read (0 at EOF). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /**
   * Writes every block in full at its position. For many small positional writes (a frame cut
   * into the work store's cells): the Node port issues them back to back in one call instead of
   * one round trip through the I/O thread pool each.
   */
  writeBlocks(blocks: ReadonlyArray<WriteBlock>): Promise<void>;
  size(): Promise<number>;
  /** Flushes written data to the device (before an atomic rename). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** 'r' read-only (inputs), 'r+' read/write existing, 'w+' create or truncate for read/write. */
export type OpenMode = 'r' | 'r+' | 'w+';

export interface WriteOptions {
  /** Wait until the bytes are on the device before the rename (default true). */
  readonly durable?: boolean;
}

export interface FileSystem {
  open(path: string, mode: OpenMode): Promise<RandomAccessFile>;
  stat(path: string): Promise<FileStat>;
  exists(path: string): Promise<boolean>;
  readdir(path: string): Promise<string[]>;
  mkdirp(path: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  readText(path: string): Promise<string>;
  /**
   * Writes to `<path>.tmp-<random>`, waits for the device (fsync), then renames into place: readers
   * never see half a file. `durable: false` skips the wait: the file then survives a killed process
   * (it is in the OS cache) but may be empty or torn after the computer restarts, so use it only for
   * files whose reader validates them (checksum, parse) and redoes the unit otherwise.
   */
  writeFileAtomic(path: string, data: Uint8Array | string, options?: WriteOptions): Promise<void>;
  appendText(path: string, text: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, options?: { recursive?: boolean }): Promise<void>;
  /** Free bytes on the volume holding `path` (nearest existing ancestor). */
  freeBytes(path: string): Promise<number>;
  join(...parts: string[]): string;
  basename(path: string): string;
  dirname(path: string): string;
  resolve(path: string): string;
  /** A temporary sibling name for `path` (used by atomic writers that stream). */
  tempName(path: string): string;
  /**
   * sha256 hex of `data`, natively where the host has it (Node's crypto is ~12x faster than the
   * portable fallback, and P9 checksums every tile file). Omitted -> sha256OfBytes falls back.
   */
  sha256Hex?(data: Uint8Array): string;
}

/** sha256 hex of `data`: the port's native hash where it has one, the portable one otherwise (same digest). */
export function sha256OfBytes(fs: FileSystem, data: Uint8Array): string {
  return fs.sha256Hex ? fs.sha256Hex(data) : sha256Hex(data);
}

/** Reads exactly `length` bytes at `position` (into `into` when given, else a new array), or throws with the file named. */
export async function readExactly(
  file: RandomAccessFile,
  position: number,
  length: number,
  into?: Uint8Array,
): Promise<Uint8Array> {
  if (into && into.length !== length) throw new RangeError(`readExactly: target holds ${into.length} bytes, asked for ${length}`);
  const buffer = into ?? new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = await file.read(buffer, done, length - done, position + done);
    if (n === 0) {
      throw new UnexpectedEofError(file.path, position + done, position + length);
    }
    done += n;
  }
  return buffer;
}

export class UnexpectedEofError extends Error {
  readonly code = 'UNEXPECTED_EOF';
  constructor(
    readonly path: string,
    readonly at: number,
    readonly wanted: number,
  ) {
    super(`${path}: file ends at byte ${at}, expected at least ${wanted} bytes (truncated?)`);
  }
}
