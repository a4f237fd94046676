import type { Image } from '../../image/image';
import { BoundaryMeter, summarizeBoundaries, type BoundarySummary } from '../boundary-diagnostics';
import { OverlapAdd, type RowBand } from '../overlap-add';
import type { RunPlan } from '../run/run-plan';
import type { Runtime } from '../run/runtime';
import { readTileData, type TileRecord } from '../tasks/tile-task';
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

/** Copies a band of finished canvas rows (p planes) into a planes x H x W canvas. */
export function placeBand(dst: Float32Array, band: RowBand, p: number, W: number, H: number): void {
  for (let c = 0; c < p; c++) dst.set(band.data.subarray(c * band.height * W, (c + 1) * band.height * W), (c * H + band.y0) * W);
}

/**
 * P10 + P11 as a stream: `offer(t)` once tile t's record is known (P9's onResult, live or resumed);
 * the tiles are added strictly in ascending id, whenever the next one is there, so the host
 * assembles while P9's workers still run and the result is the same bytes as one pass after P9
 * (the overlap-add sums in one fixed order). `finish()` adds whatever is left and returns the canvases.
 * A failure (a tile file that cannot be read or has the wrong size) is kept and thrown by finish().
 */
export class TileAssembler {
  private readonly K: number;
  private readonly wk: Float64Array | null;
  private readonly olaR: OverlapAdd;
  private readonly olaMean: OverlapAdd;
  private readonly olaCov: OverlapAdd;
  private readonly meter: BoundaryMeter;
  private readonly result: Float32Array;
  private readonly mean: Float32Array;
  private readonly coverage: Int32Array;
  private readonly offered = new Set<number>();
  /** Position in grid.tiles of the next tile to add. */
  private next = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly rt: Runtime,
    private readonly plan: RunPlan,
    private readonly records: readonly TileRecord[],
    clusterInfo: { ids: number[]; labels: number[]; weights: Float64Array | null } | null,
  ) {
    const { grid, planes, canvasWidth: W, canvasHeight: H } = plan;
    this.K = clusterInfo?.ids.length ?? 0;
    const cfg = rt.ctx.config;
    // P11's w_k, as writeTileInputs gave them to the P9 units (reported in the summary)
    this.wk = this.K > 0 && clusterInfo ? clusterInfo.weights : null;
    this.olaR = new OverlapAdd(grid, planes, cfg.reconstruction.tile_normalization ? { tileNormalization: this.tileNormalization() } : {});
    this.olaMean = new OverlapAdd(grid, planes);
    this.olaCov = new OverlapAdd(grid, 1);
    this.meter = new BoundaryMeter(grid, planes);
    this.result = new Float32Array(planes * W * H);
    this.mean = new Float32Array(planes * W * H);
    this.coverage = new Int32Array(W * H);
  }

  offer(tile: number): void {
    this.offered.add(tile);
    this.chain = this.chain.then(() => this.drain());
  }

  /** Adds the tiles not added yet (every record is known once P9 is done) and returns the canvases. */
  async finish(onTile: (tile: number) => void): Promise<AssembleResult> {
    await this.chain;
    const tiles = this.plan.grid.tiles;
    for (let i = 0; i < this.next; i++) onTile(tiles[i].id);
    for (const t of tiles) this.offered.add(t.id);
    await this.drain(onTile);
    if (this.failure) throw this.failure.error;
    const { planes, canvasWidth: W, canvasHeight: H } = this.plan;
    return {
      result: { width: W, height: H, planes, data: this.result },
      mean: { width: W, height: H, planes, data: this.mean },
      coverage: this.coverage,
      boundaries: summarizeBoundaries(this.meter.pairs),
      clusterWeights: this.wk ? Array.from(this.wk) : null,
      fullStack: this.K > 0,
    };
  }

  /** Adds the offered tiles that come next in order; stops at the first one not offered yet. */
  private async drain(onTile?: (tile: number) => void): Promise<void> {
    const tiles = this.plan.grid.tiles;
    while (!this.failure && this.next < tiles.length && this.offered.has(tiles[this.next].id)) {
      const t = tiles[this.next];
      try {
        await this.add(t.id);
      } catch (error) {
        this.failure = { error };
        return;
      }
      this.next++;
      onTile?.(t.id);
    }
  }

  /**
   * reconstruction.tile_normalization [EXT]: the DOC 5.7.1 variant, for comparison only (METHOD.md
   * P10); bg_t per colour channel and the luminance m_t come from the tiles' diagnostics, so this
   * variant needs every record before the first tile is added.
   */
  private tileNormalization() {
    const records = this.records;
    const cfa = this.rt.ctx.layout.colorMode === 'OSC' ? this.rt.ctx.layout.pattern : undefined;
    return {
      bg: records[0].diagnostics.channels.map((_, c) => records.map((r) => r.diagnostics.channels[c].bg)),
      m: records.map((r) => r.diagnostics.mLuminance),
      ...(cfa ? { cfa } : {}),
    };
  }

  /**
   * Lets the event loop take the workers' messages between the steps of adding a tile (a few ms
   * each on 24 MP), so a worker that finished in the meantime gets its next task without waiting.
   */
  private yieldToEvents(): Promise<void> {
    return this.rt.host.yieldToEvents?.() ?? Promise.resolve();
  }

  private async add(tile: number): Promise<void> {
    const { grid, planes, canvasWidth: W, canvasHeight: H } = this.plan;
    const t = grid.tiles[tile];
    const rec = this.records[tile];
    // a tile's checksum was checked when a resume loaded it, or the tile was written by a worker of
    // this very run from the bytes it hashed: hashing it again cost the host ~0.3 ms per tile
    const file = await readTileData(this.rt.ctx, rec, 'trusted');
    const place = (dst: Float32Array, band: RowBand) => placeBand(dst, band, planes, W, H);
    const block = (b: number) => tileBlock(file, planes, t.width, t.height, b);
    const R = block(0);
    this.meter.add(tile, R);
    await this.yieldToEvents();
    for (const band of this.olaMean.add(tile, block(1))) place(this.mean, band);
    await this.yieldToEvents();
    const covBlock = block(rec.blocks - 1).subarray(0, t.width * t.height);
    for (const band of this.olaCov.add(tile, covBlock)) {
      // every overlapping tile holds the same count: the weighted mean of equal integers, rounded
      const at = band.y0 * W;
      for (let i = 0; i < band.height * W; i++) this.coverage[at + i] = Math.round(band.data[i]);
    }
    // full mode: the tile's P11 combination of its cluster stacks (made by the P9 unit, see
    // final-stack.ts tileClusterWeights), overlap-added like R
    await this.yieldToEvents();
    if (this.K > 0 && rec.stackedBlock === null) throw new Error(`tile ${tile}: full mode, but its file holds no combined cluster stack`);
    const X = this.K > 0 && rec.stackedBlock !== null ? block(rec.stackedBlock) : R;
    for (const band of this.olaR.add(tile, X)) place(this.result, band);
  }
}
