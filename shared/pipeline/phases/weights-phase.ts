import { clusterFrames, stateVectors, type ClusteringResult } from '../clustering';
import { createLocalMetricsTable, setFrameMetrics, type LocalMetricsTable } from '../local-metrics';
import { channelMeanWeights, computeLocalWeights, type LocalWeights } from '../local-weights';
import { clusterQualities, clusterWeights } from '../final-stack';
import { eligibleClusters } from '../tile-reconstruction';
import { writeFloat32, writeJson } from '../run/run-files';
import type { RunPlan } from '../run/run-plan';
import type { Runtime } from '../run/runtime';
import type { MeasureRecord } from '../tasks/measure-task';
import type { PrepareRecord } from '../tasks/prepare-task';
import { tilePaths, tileSlotBlocks, type TileInputs } from '../tasks/tile-task';

/**
 * P7 local weights (W = G·L per usable frame × tile) and P8 state clustering (full mode), from the
 * P6 records. Writes metrics/tiles.f32 + tiles.json (the N × tiles table), work/weights.f32 and
 * work/tile-inputs.json for the P9 units, metrics/clustering.json.
 */
export interface LocalWeightsResult {
  /** The table reports, clustering and QA maps use: luminance (practical) or the channel mean (strict). */
  readonly lw: LocalWeights;
  /** Strict profile on colour data: the per-channel weights the tiles are stacked with; else null. */
  readonly channels: LocalWeights[] | null;
}

/**
 * The P6 records folded into float32 tables as they are read (one per usable frame, then dropped):
 * the luminance table, and in the strict profile on colour data one per channel. A record held as
 * JS objects costs ~250 B per tile (M: ~0.3 MB per frame, 120 MB for 400 frames on the host); the
 * table 33 B.
 */
export interface LocalMetricsTables {
  readonly lum: LocalMetricsTable;
  readonly channels: LocalMetricsTable[] | null;
}

export function createLocalMetricsTables(plan: RunPlan): LocalMetricsTables {
  const nTiles = plan.grid.tiles.length;
  const n = plan.usable.length;
  return { lum: createLocalMetricsTable(n, nTiles), channels: plan.channelG ? plan.channelG.map(() => createLocalMetricsTable(n, nTiles)) : null };
}

export function addPrepareRecord(tables: LocalMetricsTables, r: PrepareRecord): void {
  setFrameMetrics(tables.lum, r.fu, r.tiles);
  if (!tables.channels) return;
  const perChannel = r.channelTiles;
  if (!perChannel) throw new Error(`frame ${r.frame}: the strict profile needs per-channel tile metrics (prepare record from another profile?)`);
  tables.channels.forEach((table, c) => setFrameMetrics(table, r.fu, perChannel[c]));
}

export function computeLocalWeightsPhase(rt: Runtime, plan: RunPlan, tables: LocalMetricsTables): LocalWeightsResult {
  if (!plan.channelG || !tables.channels) return { lw: computeLocalWeights(tables.lum, plan.G, rt.ctx.config), channels: null };
  const perChannel = tables.channels;
  const channels = plan.channelG.map((G, c) => computeLocalWeights(perChannel[c], G, rt.ctx.config));
  return { lw: channelMeanWeights(channels), channels };
}

export async function writeLocalWeights(rt: Runtime, plan: RunPlan, metrics: LocalMetricsTable, weights: LocalWeightsResult): Promise<void> {
  const { lw, channels } = weights;
  const { fs } = rt.host;
  const nTiles = plan.grid.tiles.length;
  const n = plan.usable.length;
  // the N × tiles metric table, columns (FWHM, Rnd, C, S, B, sigma, nstar, Q, L, W) as float32
  const columns = ['fwhm', 'roundness', 'contrast', 'S', 'B', 'sigma', 'nstar', 'Q', 'L', 'W'] as const;
  const table = new Float32Array(columns.length * n * nTiles);
  columns.forEach((col, ci) => {
    const source = col === 'Q' ? lw.Q : col === 'L' ? lw.L : col === 'W' ? lw.W : metrics[col];
    table.set(source.subarray(0, n * nTiles), ci * n * nTiles);
  });
  await writeFloat32(fs, rt.ctx.paths.metricsFile('tiles.f32'), table);
  await writeJson(fs, rt.ctx.paths.metricsFile('tiles.json'), {
    layout: 'column-major blocks: column c, usable frame fu, tile t at (c*N + fu)*T + t',
    columns,
    frames: plan.usable.map((f) => rt.ctx.manifest.frames[f].name),
    n_frames: n,
    n_tiles: nTiles,
    tile_type: lw.tileType,
    ess: lw.ess,
    median_q: lw.medianQ,
    median_fwhm: lw.medianFwhm,
    ...(channels
      ? {
          profile: 'strict',
          note: 'Q, L, W are the means of the per-channel values; the tiles are stacked with the per-channel W in channel_weights',
          channel_weights: { file: 'tile-weights-channels.f32', channels: channels.length, layout: 'channel c, usable frame fu, tile t at (c*N + fu)*T + t' },
        }
      : {}),
  });
  const stacked = channels ? concatWeights(channels) : lw.W;
  if (channels) await writeFloat32(fs, rt.ctx.paths.metricsFile('tile-weights-channels.f32'), stacked);
  await writeFloat32(fs, rt.ctx.paths.workFile('weights.f32'), stacked);
}

function concatWeights(channels: readonly LocalWeights[]): Float32Array {
  const size = channels[0].W.length;
  const out = new Float32Array(size * channels.length);
  channels.forEach((ch, c) => out.set(ch.W, c * size));
  return out;
}

export function clusterPhase(rt: Runtime, plan: RunPlan, measures: ReadonlyMap<number, MeasureRecord>, lw: LocalWeights, range: readonly [number, number]): ClusteringResult {
  // strict: the state vector is channel-averaged (METHOD.md P8); practical has one metric channel
  const channelMean = (f: number, pick: (m: { B: number; sigma: number }) => number) => {
    const ms = measures.get(f)?.metrics ?? [];
    return ms.length === 0 ? Number.NaN : ms.reduce((s, m) => s + pick(m), 0) / ms.length;
  };
  const B = plan.usable.map((f) => channelMean(f, (m) => m.B));
  const sigma = plan.usable.map((f) => channelMean(f, (m) => m.sigma));
  const state = stateVectors(plan.G, lw.Q, plan.grid.tiles.length, B, sigma);
  return clusterFrames(state, plan.G, { mode: rt.ctx.config.synthetic.clustering.mode, cluster_count_range: [range[0], Math.max(range[0], range[1])] });
}

export async function writeTileInputs(rt: Runtime, plan: RunPlan, clusters: ClusteringResult | null, qc: readonly number[]): Promise<{ ids: number[]; weights: Float64Array | null; slotBlocks: number }> {
  const syn = rt.ctx.config.synthetic;
  const ids = clusters ? eligibleClusters(clusters.labels, clusters.K, syn.frames_min, syn.frames_max) : [];
  const labels = clusters ? Array.from(clusters.labels) : [];
  const wk = ids.length > 0 ? clusterWeights(clusterQualities(ids, labels, qc), rt.ctx.config) : null;
  const inputs: TileInputs = {
    weightsFile: rt.ctx.paths.workFile('weights.f32'),
    nTiles: plan.grid.tiles.length,
    channels: plan.channelG ? plan.channelG.length : 1,
    clusters: clusters && ids.length > 0 ? { labels, ids, weights: wk ? Array.from(wk) : null } : null,
    slotBlocks: tileSlotBlocks(ids.length, rt.ctx.config.output.write_synthetic),
  };
  await writeJson(rt.host.fs, tilePaths(rt.ctx).inputs, inputs);
  if (clusters) {
    await writeJson(rt.host.fs, rt.ctx.paths.metricsFile('clustering.json'), {
      K: clusters.K,
      mode: clusters.mode,
      empty_cluster_fallback: clusters.emptyClusterFallback,
      labels: Array.from(clusters.labels),
      eligible: ids,
      frames: plan.usable.map((f) => rt.ctx.manifest.frames[f].name),
    });
  }
  return { ids, weights: wk, slotBlocks: inputs.slotBlocks };
}
