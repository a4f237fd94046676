import { sha256OfBytes } from '../../io/file-system';
import { loadRunContext, type RunContext } from '../run/run-context';
import { jsonText, readFloat32, readJson } from '../run/run-files';
import { loadRunPlan, storeLayoutOf, storePath } from '../run/run-plan';
import { readTileStack } from '../run/work-store';
import { packTileBlocks, reconstructTile, type TileDiagnostics } from '../tile-reconstruction';
import { stackClusterBand, tileClusterWeights } from '../final-stack';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P9 — one tile over all usable frames: read the tile stack from the cell store (one sequential read
 * per cell), reconstruct R_t (weighted mean / weighted sigma clip with W[.,t]), the equal-weight mean
 * (QA baseline) and, in full mode, one synthetic tile per eligible cluster. Written atomically to
 * work/tiles/<t>.f32 as blocks [R, mean, S_1..S_K, coverage], each planes×h×w float32 (coverage =
 * number of frames with a valid pixel), then work/tiles/<t>.json with the diagnostics and the
 * file's sha256 (the unit's done marker).
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
}

export function tilePaths(ctx: RunContext, t: number) {
  return { data: ctx.paths.workFile('tiles', `${t}.f32`), record: ctx.paths.workFile('tiles', `${t}.json`), inputs: ctx.paths.workFile('tile-inputs.json') };
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
  const out = tilePaths(ctx, payload.tile);
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
  const record: TileRecord = {
    tile: payload.tile,
    blocks: file.length / size,
    planes: plan.planes,
    width: tile.width,
    height: tile.height,
    clusterIds: [...result.clusterIds],
    ...(sums ? { clusterWeightSums: sums } : {}),
    stackedBlock,
    sha256: sha256OfBytes(env.fs, new Uint8Array(file.buffer, file.byteOffset, file.byteLength)),
    diagnostics: result.diagnostics,
  };
  // both files side by side; the unit is done only when the host records it, after both are in
  // place. Neither waits for the device: a resume loads a tile only if its record parses and its
  // data has the recorded checksum (readTileData), so a tile torn by a restart is redone, and the
  // two fsyncs per tile were most of a small tile's cost
  const volatile = { durable: false };
  const text = jsonText(record);
  // one mkdirp for both files (tiles/ holds both), not one per writer
  await env.fs.mkdirp(env.fs.dirname(out.record));
  await Promise.all([env.fs.writeFileAtomic(out.data, new Uint8Array(file.buffer, file.byteOffset, file.byteLength), volatile), env.fs.writeFileAtomic(out.record, text, volatile)]);
  // what a reader of the file gets (NaN as null), so a live record and a resumed one are the same
  return JSON.parse(text) as TileRecord;
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

export async function readTileRecord(ctx: RunContext, t: number): Promise<TileRecord> {
  const rec = await readJson<TileRecord>(ctx.fs, tilePaths(ctx, t).record);
  // a record of an earlier layout (cluster stacks, no combination): its tile is redone on resume
  if (rec.stackedBlock !== null && !Number.isInteger(rec.stackedBlock)) throw new Error(`tile ${t}: record of an earlier tile file layout`);
  return rec;
}

/**
 * Tile t's data file, checked against the checksum its record holds: a file that differs (torn by
 * a power cut, changed since, or written with other bytes than the unit reported) throws
 * DETERMINISM_VIOLATION. `size` checks only the length, for a file this process has already
 * checked or a worker of this run has just written.
 */
export async function readTileData(ctx: RunContext, t: number, rec: TileRecord, check: 'checksum' | 'size' = 'checksum'): Promise<Float32Array> {
  const file = await readFloat32(ctx.fs, tilePaths(ctx, t).data);
  if (check === 'size') {
    const expected = rec.blocks * rec.planes * rec.width * rec.height;
    if (file.length !== expected) throw Object.assign(new Error(`tile ${t}: file holds ${file.length} values, its record says ${expected}`), { code: 'DETERMINISM_VIOLATION' });
    return file;
  }
  const digest = sha256OfBytes(ctx.fs, new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
  if (digest !== rec.sha256) {
    throw Object.assign(new Error(`tile ${t}: file checksum ${digest.slice(0, 12)}… differs from the recorded ${rec.sha256.slice(0, 12)}…`), { code: 'DETERMINISM_VIOLATION' });
  }
  return file;
}

// the answer is the record itself (a few hundred bytes of JSON): the host needs all of it, and
// reading it back from the file cost the host an open, read and parse per tile
registerTaskHandler('tile', (env, payload) => reconstructTileUnit(env, payload as TilePayload));
