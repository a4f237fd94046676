import type { FileSystem } from '../../io/file-system';
import type { StoreDurability } from './store-durability';
import { delay } from '../../util/delay';

/**
 * state.json (METHOD.md section 6): phase checkpoints and per-unit done bits for resume.
 * Only the orchestrator writes it, always by atomic replace. A unit's output is written (temp +
 * rename) before its bit is set, so a set bit always means a complete output.
 */
export type PhaseStatus = 'pending' | 'running' | 'ok' | 'skipped' | 'failed';

export interface PhaseRecord {
  status: PhaseStatus;
  outputs: Array<{ path: string; sha256?: string }>;
  seconds?: number;
}

export interface RunStateData {
  version: 1;
  run_id: string;
  config_hash: string;
  frames_manifest_id: string;
  status: 'running' | 'ok' | 'validation_failed' | 'failed' | 'cancelled';
  phases: Record<string, PhaseRecord>;
  /** phase → hex bitset of finished units */
  units: Record<string, string>;
  unit_counts: Record<string, number>;
  /** Whether the cell store is on the device (store-durability.ts); absent = trusted. */
  store?: StoreDurability;
}

/** At most this often a done bit alone causes a write of state.json (see saveSoon). */
export const UNIT_SAVE_INTERVAL_MS = 100;

export class RunState {
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;
  private lastWrite = 0;

  private constructor(
    private readonly fs: FileSystem,
    private readonly path: string,
    readonly data: RunStateData,
  ) {}

  static create(fs: FileSystem, path: string, init: Pick<RunStateData, 'run_id' | 'config_hash' | 'frames_manifest_id'>): RunState {
    return new RunState(fs, path, { version: 1, ...init, status: 'running', phases: {}, units: {}, unit_counts: {} });
  }

  static async load(fs: FileSystem, path: string): Promise<RunState> {
    const data = JSON.parse(await fs.readText(path)) as RunStateData;
    if (data.version !== 1) throw new Error(`${path}: unsupported state version ${String(data.version)}`);
    return new RunState(fs, path, data);
  }

  phase(name: string): PhaseRecord | undefined {
    return this.data.phases[name];
  }

  isPhaseDone(name: string): boolean {
    const s = this.data.phases[name]?.status;
    return s === 'ok' || s === 'skipped';
  }

  async setPhase(name: string, record: PhaseRecord): Promise<void> {
    this.data.phases[name] = record;
    await this.save();
  }

  initUnits(phase: string, count: number): void {
    if (this.data.unit_counts[phase] !== count) {
      this.data.unit_counts[phase] = count;
      this.data.units[phase] = '0'.repeat(Math.ceil(count / 4));
    }
  }

  isUnitDone(phase: string, i: number): boolean {
    const hex = this.data.units[phase];
    if (hex === undefined) return false;
    const nibble = parseInt(hex[i >> 2] ?? '0', 16);
    return ((nibble >> (i & 3)) & 1) === 1;
  }

  async setUnitDone(phase: string, i: number): Promise<void> {
    const hex = this.data.units[phase];
    if (hex === undefined) throw new Error(`units of phase ${phase} not initialised`);
    const k = i >> 2;
    const nibble = parseInt(hex[k], 16) | (1 << (i & 3));
    this.data.units[phase] = hex.slice(0, k) + nibble.toString(16) + hex.slice(k + 1);
    await this.saveSoon();
  }

  /** Forgets one unit (its output turned out to be missing): the next pass redoes it. */
  async clearUnitDone(phase: string, i: number): Promise<void> {
    const hex = this.data.units[phase];
    if (hex === undefined || !this.isUnitDone(phase, i)) return;
    const k = i >> 2;
    const nibble = parseInt(hex[k], 16) & ~(1 << (i & 3));
    this.data.units[phase] = hex.slice(0, k) + nibble.toString(16) + hex.slice(k + 1);
    await this.save();
  }

  /** Forgets every unit of a phase (its shared output, e.g. the cell store, is gone). */
  async resetUnits(phase: string): Promise<void> {
    if (this.data.units[phase] === undefined) return;
    this.data.units[phase] = '0'.repeat(this.data.units[phase].length);
    await this.save();
  }

  doneUnits(phase: string): number {
    const n = this.data.unit_counts[phase] ?? 0;
    let c = 0;
    for (let i = 0; i < n; i++) if (this.isUnitDone(phase, i)) c++;
    return c;
  }

  /** Coalesced atomic save: concurrent callers share the next write. */
  save(): Promise<void> {
    return this.enqueue(0);
  }

  /**
   * The save of a done bit: like save(), but at most one write per UNIT_SAVE_INTERVAL_MS, so the
   * bits of units that finish close together share one write (P9 finishes up to ~100 tiles a
   * second on 24 MP frames, and every write is an fsync'd replace). Resolves once the bit is on
   * disk, so whatever the caller does next (events, the next phase) still follows it.
   */
  saveSoon(): Promise<void> {
    return this.enqueue(UNIT_SAVE_INTERVAL_MS);
  }

  private enqueue(minIntervalMs: number): Promise<void> {
    this.dirty = true;
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      const wait = this.lastWrite + minIntervalMs - Date.now();
      if (wait > 0) await delay(wait);
      if (!this.dirty) return;
      this.dirty = false;
      await this.fs.writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 1)}\n`);
      this.lastWrite = Date.now();
    });
    return this.writing;
  }
}
