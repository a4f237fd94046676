import { createHash, randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { FileStat, FileSystem, OpenMode, RandomAccessFile, WriteBlock, WriteOptions } from '../../shared/io/file-system';

/** The Node implementation of shared/io's FileSystem port. Input files are opened read-only ('r'). */
class NodeRandomAccessFile implements RandomAccessFile {
  constructor(
    readonly path: string,
    private readonly handle: fsp.FileHandle,
  ) {}
  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.handle.read(buffer, offset, length, position);
    return bytesRead;
  }
  async write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const { bytesWritten } = await this.handle.write(buffer, offset, length, position);
    return bytesWritten;
  }
  /**
   * Synchronous pwrite calls on the handle's descriptor: a frame's ~2000 cell blocks cost ~25 ms
   * this way against ~95 ms awaited one by one (measured on the bench's M frames). The calling
   * thread blocks for that long, which suits the worker processes that run the tasks.
   */
  async writeBlocks(blocks: ReadonlyArray<WriteBlock>): Promise<void> {
    for (const { data, position } of blocks) {
      let done = 0;
      while (done < data.length) done += writeSync(this.handle.fd, data, done, data.length - done, position + done);
    }
  }
  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }
  async sync(): Promise<void> {
    await this.handle.sync();
  }
  async close(): Promise<void> {
    await this.handle.close();
  }
}

export const nodeFileSystem: FileSystem = {
  sha256Hex(data: Uint8Array): string {
    return createHash('sha256').update(data).digest('hex');
  },
  async open(p: string, mode: OpenMode): Promise<RandomAccessFile> {
    return new NodeRandomAccessFile(p, await fsp.open(p, mode));
  },
  async stat(p: string): Promise<FileStat> {
    const s = await fsp.stat(p);
    return { size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile(), isDirectory: s.isDirectory() };
  },
  async exists(p: string): Promise<boolean> {
    try {
      await fsp.access(p);
      return true;
    } catch {
      return false;
    }
  },
  readdir: (p) => fsp.readdir(p),
  async mkdirp(p: string): Promise<void> {
    await fsp.mkdir(p, { recursive: true });
  },
  async readFile(p: string): Promise<Uint8Array> {
    const b = await fsp.readFile(p);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  readText: (p) => fsp.readFile(p, 'utf8'),
  async writeFileAtomic(p: string, data: Uint8Array | string, options?: WriteOptions): Promise<void> {
    const tmp = tempName(p);
    const handle = await fsp.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      if (options?.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, p);
  },
  async appendText(p: string, text: string): Promise<void> {
    await fsp.appendFile(p, text, 'utf8');
  },
  rename: (a, b) => fsp.rename(a, b),
  async rm(p: string, options?: { recursive?: boolean }): Promise<void> {
    await fsp.rm(p, { force: true, recursive: options?.recursive ?? false });
  },
  async freeBytes(p: string): Promise<number> {
    let dir = path.resolve(p);
    for (;;) {
      try {
        const s = await fsp.statfs(dir);
        return Number(s.bavail) * Number(s.bsize);
      } catch {
        const up = path.dirname(dir);
        if (up === dir) return Number.POSITIVE_INFINITY;
        dir = up;
      }
    }
  },
  join: (...parts) => path.join(...parts),
  basename: (p) => path.basename(p),
  dirname: (p) => path.dirname(p),
  resolve: (p) => path.resolve(p),
  tempName,
};

function tempName(p: string): string {
  return `${p}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}
