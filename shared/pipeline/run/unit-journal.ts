import type { FileSystem } from '../../io/file-system';
import { jsonLine } from './run-files';

/**
 * The records of a phase's units, one JSON line each in one append-only file of work/ (METHOD.md
 * section 6's per-unit outputs): work/measure.jsonl, registration.jsonl, prepare.jsonl and
 * tiles.jsonl. A worker appends its unit's record after the unit's data is in place; the host marks
 * the unit done only after the worker answered, so a record is never missing for a done unit unless
 * the computer restarted before the OS wrote it back (then the unit is redone).
 *
 * One file per phase instead of one file per unit: a run of 200 frames and 600 tiles created and
 * later deleted ~2,000 small files, and on ext4 every new inode scans past the recently deleted ones
 * (perf on the bench's M set: ~1.3 core-s in find_inode_bit and ~0.5 core-s of unlinks per run).
 *
 * Each record is one write() of an O_APPEND line, so the lines of two workers never interleave. A
 * line a restart tore does not parse and is skipped: its unit is redone.
 */

/** Appends `record` as one line; returns the line (what a reader of the journal parses). */
export async function appendRecord(fs: FileSystem, path: string, record: unknown): Promise<string> {
  const line = jsonLine(record);
  await fs.appendText(path, line);
  return line;
}

/**
 * The records of the journal by unit (`unitOf`; records it maps to null are skipped), the last one
 * of each unit (a unit redone after a resume appends a new one). No journal: no records. `seal`: a
 * torn last line is ended, so the next record appended starts a line of its own (the host seals a
 * phase's journal before its units run again).
 */
export async function readRecords<T>(fs: FileSystem, path: string, unitOf: (record: T) => number | null, seal = false): Promise<Map<number, T>> {
  const out = new Map<number, T>();
  if (!(await fs.exists(path))) return out;
  const text = await fs.readText(path);
  if (seal && text.length > 0 && !text.endsWith('\n')) await fs.appendText(path, '\n');
  for (const line of text.split('\n')) {
    let record: T;
    try {
      record = JSON.parse(line) as T;
    } catch {
      continue;
    }
    if (record === null || typeof record !== 'object') continue;
    const unit = unitOf(record);
    if (unit !== null && Number.isInteger(unit)) out.set(unit, record);
  }
  return out;
}
