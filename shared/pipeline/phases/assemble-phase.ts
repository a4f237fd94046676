import type { Image } from '../../image/image';
import { sha256OfBytes } from '../../io/file-system';
import { BoundaryMeter, summarizeBoundaries, type BoundarySummary } from '../boundary-diagnostics';
import { clusterQualities, clusterWeights, stackClusterBand } from '../final-stack';
import { OverlapAdd, type RowBand } from '../overlap-add';
import { readFloat32 } from '../run/run-files';
import type { RunPlan } from '../run/run-plan';
import type { Runtime } from '../run/runtime';
import { tilePaths, type TileRecord } from '../tasks/tile-task';
import { tileBlock } from '../tile-reconstruction';

/**
 * P10 overlap-add assembly fused with P11 (the final stack): tiles are read in ascending id; the
 * result (R_t, or in full mode the tile's P11 combination of its cluster stacks), the mean and the
 * coverage each have a streaming OverlapAdd, so no phase holds K canvases. The tile file's checksum is verified before use (a unit that
 * wrote different bytes than it reported is a determinism violation, not a silent input).
 */
export interface AssembleResult {
  /** P11 output on the canvas (planes as stored: mono, RGB or the OSC mosaic). */
  readonly result: Image;
  /** The equal-weight mean of the same registered frames (QA baseline). */
  readonly mean: Image;
  /** Frames with a valid pixel, per canvas pixel (the integer counts stack.fits carries). */
  readonly coverage: Int32Array;
  readonly boundaries: BoundarySummary;
  readonly clusterWeights: number[] | null;
  readonly fullStack: boolean;
}

/**
 * [DIFF: METHOD P11 combines the overlap-added cluster stacks S_k with w_k = exp(kappa*Q_k) per
 * pixel] The cluster stacks of a tile are combined with w_k * U_kt, U_kt = the tile weights of the
 * cluster's frames summed (TileRecord.clusterWeightSums), and the combined tile is overlap-added
 * like R_t. With tile-weighted S_k and no clipping this is R_t itself; with w_k alone the tile
 * weights never reached the result (bench M set: FWHM +1.0 % against the plain mean, R_t -2.2 %,
 * bench/QUALITY.md). Without cluster quality weighting w_k = 1. Records without sums keep w_k.
 */
export function tileClusterWeights(wk: ArrayLike<number> | null, sums: readonly number[] | undefined, K: number): Float64Array | null {
  if (!sums || sums.length !== K || !sums.some((u) => u > 0)) return wk ? Float64Array.from(wk) : null;
  return Float64Array.from(sums, (u, k) => (wk ? wk[k] : 1) * u);
}

/** Copies a band of finished canvas rows (p planes) into a planes x H x W canvas. */
export function placeBand(dst: Float32Array, band: RowBand, p: number, W: number, H: number): void {
  for (let c = 0; c < p; c++) dst.set(band.data.subarray(c * band.height * W, (c + 1) * band.height * W), (c * H + band.y0) * W);
}

export async function assembleTiles(
  rt: Runtime,
  plan: RunPlan,
  records: readonly TileRecord[],
  clusterInfo: { ids: number[]; labels: number[]; Qc: number[] } | null,
  onTile: (tile: number) => void,
): Promise<AssembleResult> {
  const { grid, planes, canvasWidth: W, canvasHeight: H } = plan;
  const K = clusterInfo?.ids.length ?? 0;
  const full = K > 0;
  const cfg = rt.ctx.config;
  const wk = full && clusterInfo ? clusterWeights(clusterQualities(clusterInfo.ids, clusterInfo.labels, clusterInfo.Qc), cfg) : null;
  // reconstruction.tile_normalization [EXT]: the DOC 5.7.1 variant, for comparison only (METHOD.md
  // P10); bg_t per colour channel and the luminance m_t come from the tiles' diagnostics
  const cfa = rt.ctx.layout.colorMode === 'OSC' ? rt.ctx.layout.pattern : undefined;
  const olaR = new OverlapAdd(
    grid,
    planes,
    cfg.reconstruction.tile_normalization
      ? {
          tileNormalization: {
            bg: records[0].diagnostics.channels.map((_, c) => records.map((r) => r.diagnostics.channels[c].bg)),
            m: records.map((r) => r.diagnostics.mLuminance),
            ...(cfa ? { cfa } : {}),
          },
        }
      : {},
  );
  const olaMean = new OverlapAdd(grid, planes);
  const olaCov = new OverlapAdd(grid, 1);
  const meter = new BoundaryMeter(grid, planes);
  const result = new Float32Array(planes * W * H);
  const mean = new Float32Array(planes * W * H);
  const coverage = new Int32Array(W * H);

  const place = (dst: Float32Array, band: RowBand, p: number) => placeBand(dst, band, p, W, H);

  for (const t of grid.tiles) {
    const rec = records[t.id];
    const file = await readFloat32(rt.host.fs, tilePaths(rt.ctx, t.id).data);
    const digest = sha256OfBytes(rt.host.fs, new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
    if (digest !== rec.sha256) {
      throw Object.assign(new Error(`tile ${t.id}: file checksum ${digest.slice(0, 12)}… differs from the recorded ${rec.sha256.slice(0, 12)}…`), { code: 'DETERMINISM_VIOLATION' });
    }
    const block = (b: number) => tileBlock(file, planes, t.width, t.height, b);
    const R = block(0);
    meter.add(t.id, R);
    for (const band of olaMean.add(t.id, block(1))) place(mean, band, planes);
    const covBlock = block(rec.blocks - 1).subarray(0, t.width * t.height);
    for (const band of olaCov.add(t.id, covBlock)) {
      // every overlapping tile holds the same count: the weighted mean of equal integers, rounded
      const at = band.y0 * W;
      for (let i = 0; i < band.height * W; i++) coverage[at + i] = Math.round(band.data[i]);
    }
    // full mode: P11 per tile, then one overlap-add like R (see tileClusterWeights)
    const X = full ? stackClusterBand(Array.from({ length: K }, (_, k) => block(2 + k)), tileClusterWeights(wk, rec.clusterWeightSums, K), cfg) : R;
    for (const band of olaR.add(t.id, X)) place(result, band, planes);
    onTile(t.id);
  }
  return {
    result: { width: W, height: H, planes, data: result },
    mean: { width: W, height: H, planes, data: mean },
    coverage,
    boundaries: summarizeBoundaries(meter.pairs),
    clusterWeights: wk ? Array.from(wk) : null,
    fullStack: full,
  };
}
