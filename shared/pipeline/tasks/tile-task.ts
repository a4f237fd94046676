import { readExactly, sha256OfBytes, type FileSystem } from '../../io/file-system';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readFloat32, readJson, writeAt } from '../run/run-files';
import { appendRecord, readRecords } from '../run/unit-journal';
import { loadRunPlan, storeLayoutOf, storePath } from '../run/run-plan';
import { readTileStack } from '../run/work-store';
import { packTileBlocks, reconstructTile, type TileDiagnostics } from '../tile-reconstruction';
import { stackClusterBand, tileClusterWeights } from '../final-stack';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P9 — one tile over all usable frames: read the tile stack from the cell store (one sequential read
 * per cell), reconstruct R_t (weighted mean / weighted sigma clip with W[.,t]), the equal-weight mean
 * (QA baseline) and, in full mode, one synthetic tile per eligible cluster. Written to the tile's
 * slot of work/tiles.f32 as blocks [R, mean, S_1..S_K, coverage], each planes×h×w float32 (coverage =
 * number of frames with a valid pixel), then a line of work/tiles.jsonl with the diagnostics, the
 * slot's offset and the data's sha256 (the unit's record).
 *
 * One preallocated file and one journal instead of two files per tile: creating and deleting
 * ~1,200 small files per run cost ~2 core-seconds on the bench's M set (ext4 scans past recently
 * deleted inodes for every new one), and the delete of work/ at the end waited for them.
 */
export interface TilePayload {
  readonly runDir: string;
  readonly tile: number;
}

export interface TileRecord {
  readonly tile: number;
  readonly blocks: number;
  readonly planes: number;
  readonly width: number;
  readonly height: number;
  readonly clusterIds: number[];
  /**
   * [DIFF] Per eligible cluster (aligned with clusterIds): U_kt = sum over its frames of W[f,t]
   * (channel mean in the strict profile). P11 weights the cluster stacks of this tile by it, so the
   * full-mode result keeps the tile weights (without it the clusters were combined by global quality
   * only, and the M bench set came out 1 % wider than the plain mean).
   */
  readonly clusterWeightSums?: number[];
  /**
   * Block of the file that holds the tile's P11 combination of its cluster stacks (full mode), or
   * null. The file's blocks: R_t, the mean tile, the cluster stacks S_kt only with
   * output.write_synthetic, this combination, and the coverage last.
   */
  readonly stackedBlock: number | null;
  /** Byte offset of the tile's slot in work/tiles.f32 (the blocks start there). */
  readonly offset: number;
  readonly sha256: string;
  readonly diagnostics: TileDiagnostics;
}

/** Per-tile weights and cluster labels written by P7/P8 for the P9 units. */
export interface TileInputs {
  /** W[(c*N + fu)*nTiles + t]: one channel (practical) or R, G, B (strict profile on colour data). */
  readonly weightsFile: string;
  readonly nTiles: number;
  readonly channels: number;
  /**
   * Cluster label per usable frame, the eligible ids and P11's cluster weights w_k (aligned with
   * ids; null without cluster quality weighting) in full mode, or null.
   */
  readonly clusters: { labels: number[]; ids: number[]; weights: number[] | null } | null;
  /** Blocks per tile slot of work/tiles.f32 (tileSlotBlocks): every tile's file fits its slot. */
  readonly slotBlocks: number;
}

export function tilePaths(ctx: RunContext) {
  return { data: ctx.paths.workFile('tiles.f32'), journal: ctx.paths.workFile('tiles.jsonl'), inputs: ctx.paths.workFile('tile-inputs.json') };
}

/**
 * The most blocks a tile file can have (packTileBlocks): R, the mean, the K cluster stacks when
 * output.write_synthetic keeps them, the P11 combination when there are clusters, the coverage.
 */
export function tileSlotBlocks(eligibleClusters: number, writeSynthetic: boolean): number {
  return 3 + (writeSynthetic ? eligibleClusters : 0) + (eligibleClusters > 0 ? 1 : 0);
}

/** Byte offset of every tile's slot in work/tiles.f32 (tiles in id order), and the file's size. */
export function tileSlotOffsets(tiles: ReadonlyArray<{ readonly width: number; readonly height: number }>, planes: number, slotBlocks: number): { offsets: number[]; totalBytes: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const t of tiles) {
    offsets.push(at);
    at += slotBlocks * planes * t.width * t.height * 4;
  }
  return { offsets, totalBytes: at };
}

const weightsCache = new Map<string, Promise<Float32Array>>();

async function tileWeights(ctx: RunContext, inputs: TileInputs, t: number, n: number): Promise<Float32Array[]> {
  let p = weightsCache.get(inputs.weightsFile);
  if (!p) {
    p = readFloat32(ctx.fs, inputs.weightsFile);
    weightsCache.set(inputs.weightsFile, p);
    p.catch(() => weightsCache.delete(inputs.weightsFile));
  }
  const all = await p;
  const channels = inputs.channels ?? 1;
  if (all.length !== channels * n * inputs.nTiles) throw new Error(`${inputs.weightsFile}: ${all.length} weights, expected ${channels} x ${n} frames x ${inputs.nTiles} tiles`);
  return Array.from({ length: channels }, (_, c) => {
    const w = new Float32Array(n);
    for (let f = 0; f < n; f++) w[f] = all[(c * n + f) * inputs.nTiles + t];
    return w;
  });
}

export async function reconstructTileUnit(env: TaskEnv, payload: TilePayload): Promise<TileRecord> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const plan = await loadRunPlan(ctx);
  const out = tilePaths(ctx);
  const inputs = await readJson<TileInputs>(env.fs, out.inputs);
  const tile = plan.grid.tiles[payload.tile];
  const layout = storeLayoutOf(plan);
  const n = plan.usable.length;
  const store = await env.fs.open(storePath(ctx), 'r');
  let data: Float32Array;
  try {
    data = await readTileStack(store, layout, tile.x0, tile.y0, tile.width, tile.height, env.scratch);
  } finally {
    await store.close();
  }
  const W = await tileWeights(ctx, inputs, payload.tile, n);
  if (W.length > 1 && !plan.channelG) throw new Error('per-channel tile weights without per-channel global weights in plan.json');
  const result = reconstructTile(
    { data, frames: n, planes: plan.planes, width: tile.width, height: tile.height },
    {
      tileWeights: W,
      globalWeights: W.length > 1 && plan.channelG ? plan.channelG : [plan.G],
      clusters: inputs.clusters ? { labels: inputs.clusters.labels, ids: inputs.clusters.ids } : undefined,
      cfa: ctx.layout.colorMode === 'OSC' && ctx.layout.pattern ? { pattern: ctx.layout.pattern, originX: tile.x0, originY: tile.y0 } : undefined,
    },
    { stacking: ctx.config.stacking, synthetic: ctx.config.synthetic },
  );
  const size = plan.planes * tile.width * tile.height;
  const sums = inputs.clusters ? clusterWeightSums(W, inputs.clusters.labels, result.clusterIds) : undefined;
  // P11 per tile here, where the cluster stacks are: the host only overlap-adds the combination,
  // and the K stacks (K = 20 on the bench's M set: 0.5 GB of tile files) are written only when
  // output.write_synthetic asks for the synthetic frames
  const K = result.synthetic.length;
  const stacked = inputs.clusters && K > 0 ? stackClusterBand(result.synthetic, tileClusterWeights(inputs.clusters.weights, sums, K), ctx.config) : null;
  const { file, stackedBlock } = packTileBlocks(result, { synthetic: ctx.config.output.write_synthetic, stacked });
  if (file.length > inputs.slotBlocks * size) throw new Error(`tile ${payload.tile}: ${file.length / size} blocks do not fit its slot of ${inputs.slotBlocks}; this is a bug`);
  const offset = tileSlotOffsets(plan.grid.tiles, plan.planes, inputs.slotBlocks).offsets[payload.tile];
  const record: TileRecord = {
    tile: payload.tile,
    blocks: file.length / size,
    planes: plan.planes,
    width: tile.width,
    height: tile.height,
    clusterIds: [...result.clusterIds],
    ...(sums ? { clusterWeightSums: sums } : {}),
    stackedBlock,
    offset,
    sha256: sha256OfBytes(env.fs, new Uint8Array(file.buffer, file.byteOffset, file.byteLength)),
    diagnostics: result.diagnostics,
  };
  // the data, then its record: the unit is done only when the host records it, after both are in
  // place. Neither waits for the device: a resume loads a tile only if its record parses and its
  // data has the recorded checksum (readTileData), so a tile torn by a restart is redone, and the
  // two fsyncs per tile were most of a small tile's cost.
  await writeAt(env.fs, out.data, new Uint8Array(file.buffer, file.byteOffset, file.byteLength), offset);
  const line = await appendRecord(env.fs, out.journal, record);
  // what a reader of the journal gets (NaN as null), so a live record and a resumed one are the same
  return JSON.parse(line) as TileRecord;
}

/** U_kt = sum_{f in k} W[f,t] over valid positive weights, channel-averaged. */
export function clusterWeightSums(W: readonly Float32Array[], labels: ArrayLike<number>, clusterIds: readonly number[]): number[] {
  return clusterIds.map((k) => {
    let s = 0;
    for (const w of W) {
      for (let f = 0; f < w.length; f++) {
        const v = w[f];
        if (labels[f] === k && Number.isFinite(v) && v > 0) s += v;
      }
    }
    return s / W.length;
  });
}

/**
 * The records of work/tiles.jsonl by tile, the last one of each (run/unit-journal.ts): a torn line
 * is skipped and its tile redone. `seal` as readRecords.
 */
export function readTileJournal(ctx: RunContext, seal = false): Promise<Map<number, TileRecord>> {
  return readTileJournalFile(ctx.fs, tilePaths(ctx).journal, seal);
}

/** readTileJournal of a tiles.jsonl by path (bench/quality.ts reads a kept run's tiles). */
export function readTileJournalFile(fs: FileSystem, path: string, seal = false): Promise<Map<number, TileRecord>> {
  return readRecords<TileRecord>(fs, path, (r) => (Number.isInteger(r.offset) && Number.isInteger(r.blocks) ? r.tile : null), seal);
}

/**
 * Tile rec.tile's data from its slot of work/tiles.f32, checked against the checksum its record
 * holds: data that differs (torn by a power cut, changed since, or written with other bytes than
 * the unit reported) throws DETERMINISM_VIOLATION. `trusted` skips the hash, for a tile this
 * process has already checked or a worker of this run has just written.
 */
export async function readTileData(ctx: RunContext, rec: TileRecord, check: 'checksum' | 'trusted' = 'checksum'): Promise<Float32Array> {
  return readTileSlot(ctx.fs, tilePaths(ctx).data, rec, check);
}

/** readTileData on a tiles.f32 by path (bench/quality.ts reads a kept run's tiles). */
export async function readTileSlot(fs: FileSystem, path: string, rec: TileRecord, check: 'checksum' | 'trusted' = 'checksum'): Promise<Float32Array> {
  const out = new Float32Array(rec.blocks * rec.planes * rec.width * rec.height);
  const bytes = new Uint8Array(out.buffer);
  const file = await fs.open(path, 'r');
  try {
    await readExactly(file, rec.offset, bytes.length, bytes);
  } finally {
    await file.close();
  }
  if (check === 'trusted') return out;
  const digest = sha256OfBytes(fs, bytes);
  if (digest !== rec.sha256) {
    throw Object.assign(new Error(`tile ${rec.tile}: data checksum ${digest.slice(0, 12)}… differs from the recorded ${rec.sha256.slice(0, 12)}…`), { code: 'DETERMINISM_VIOLATION' });
  }
  return out;
}

// the answer is the record itself (a few hundred bytes of JSON): the host needs all of it, and
// reading it back from the file cost the host an open, read and parse per tile
registerTaskHandler('tile', (env, payload) => reconstructTileUnit(env, payload as TilePayload));
