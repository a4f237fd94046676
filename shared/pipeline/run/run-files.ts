import type { FileSystem, WriteOptions } from '../../io/file-system';

/** Small typed helpers for the run directory's JSON and raw float32 files (always atomic). */
export async function readJson<T>(fs: FileSystem, path: string): Promise<T> {
  return JSON.parse(await fs.readText(path)) as T;
}

export async function writeJson(fs: FileSystem, path: string, data: unknown, options?: WriteOptions): Promise<void> {
  await fs.mkdirp(fs.dirname(path));
  await fs.writeFileAtomic(path, jsonText(data), options);
}

/** The text writeJson writes (NaN and Infinity as null, typed arrays as arrays). */
export function jsonText(data: unknown): string {
  return `${JSON.stringify(data, jsonReplacer, 1)}\n`;
}

/** One line of a JSON-lines journal (as jsonText, without indentation), newline included. */
export function jsonLine(data: unknown): string {
  return `${JSON.stringify(data, jsonReplacer)}\n`;
}

/** NaN/Infinity are not JSON: written as null, typed arrays as plain arrays. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

export async function writeFloat32(fs: FileSystem, path: string, data: Float32Array, options?: WriteOptions): Promise<void> {
  await fs.mkdirp(fs.dirname(path));
  await fs.writeFileAtomic(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), options);
}

/** Writes `bytes` in full at byte `position` of an existing file (a unit's slot of a shared file). */
export async function writeAt(fs: FileSystem, path: string, bytes: Uint8Array, position: number): Promise<void> {
  const file = await fs.open(path, 'r+');
  try {
    await file.writeBlocks([{ data: bytes, position }]);
  } finally {
    await file.close();
  }
}

/**
 * Creates `path` (and its folder) when it is missing and extends it to at least `bytes` (sparse
 * where the file system allows); what an existing file holds stays (a resume keeps its done slots).
 */
export async function ensureFile(fs: FileSystem, path: string, bytes = 0): Promise<void> {
  const exists = await fs.exists(path);
  if (!exists) await fs.mkdirp(fs.dirname(path));
  const file = await fs.open(path, exists ? 'r+' : 'w+');
  try {
    if (bytes > 0 && (await file.size()) < bytes) await file.write(new Uint8Array(1), 0, 1, bytes - 1);
  } finally {
    await file.close();
  }
}

/**
 * A raw float32 file, read straight into the array it returns (a canvas-sized QA plane or a
 * proxy is not held twice, as a byte buffer and its aligned copy).
 */
export async function readFloat32(fs: FileSystem, path: string): Promise<Float32Array> {
  const file = await fs.open(path, 'r');
  try {
    const size = await file.size();
    if (size % 4 !== 0) throw new Error(`${path}: ${size} bytes is not a whole number of float32 values`);
    const out = new Float32Array(size / 4);
    const bytes = new Uint8Array(out.buffer);
    for (let at = 0; at < size; ) {
      const n = await file.read(bytes, at, size - at, at);
      if (n === 0) throw new Error(`${path}: ended after ${at} of ${size} bytes`);
      at += n;
    }
    return out;
  } finally {
    await file.close();
  }
}
