/**
 * P5 tile grid and the section 6 work-store cell grid (METHOD.md). Pure geometry; the grid is
 * fixed once per run and written to metrics/tile_grid.json by the runner.
 */

export interface TileGridConfig {
  readonly tile: {
    readonly size_factor: number;
    readonly min_size: number;
    readonly max_divisor: number;
    readonly overlap_fraction: number;
  };
}

/** A box `[x0, x0+width) x [y0, y0+height)` on the canvas. */
export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly width: number;
  readonly height: number;
}

export interface Tile extends Box {
  /** Row-major id: row * cols + col. */
  readonly id: number;
  readonly col: number;
  readonly row: number;
}

/** Which guard of P5 fired (reported in metrics/tile_grid.json). */
export interface TileGridGuards {
  /** F was non-finite or <= 0 and replaced by 3.0 (P3 DOC guard, repeated here so the grid never sees NaN). */
  readonly seeingDefaulted: boolean;
  /** floor(min(Wc,Hc)/D) < Tmin, so Tmax was raised to Tmin. */
  readonly tmaxRaisedToTmin: boolean;
  /** S = T - O <= 0, so the overlap fraction fell back to 0.25. */
  readonly overlapReset: boolean;
  /** T > Wc or T > Hc: one tile covering the whole canvas. */
  readonly singleTile: boolean;
}

export interface TileGrid {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** Seeing F actually used (after the guard). */
  readonly seeingPx: number;
  /** Tile size T (the nominal size; a single-tile grid's one tile is the canvas). */
  readonly tileSize: number;
  /** Overlap O in px (0 for a single-tile grid). */
  readonly overlap: number;
  /** Stride S = T - O (also the work-store cell size). */
  readonly stride: number;
  /** Overlap fraction o actually used. */
  readonly overlapFraction: number;
  readonly cols: number;
  readonly rows: number;
  readonly xOrigins: readonly number[];
  readonly yOrigins: readonly number[];
  readonly tiles: readonly Tile[];
  readonly guards: TileGridGuards;
}

const DEFAULT_SEEING_PX = 3.0;
const FALLBACK_OVERLAP = 0.25;
const ABSOLUTE_MIN_TILE = 16;

/** T = floor(clip(size_factor*F, Tmin, Tmax)), Tmin = max(16, min_size), Tmax = max(Tmin, floor(min(Wc,Hc)/D)). */
export function tileSizeFor(canvasWidth: number, canvasHeight: number, seeingPx: number, cfg: TileGridConfig): number {
  return sizeTerms(canvasWidth, canvasHeight, seeingPx, cfg).tileSize;
}

function sizeTerms(wc: number, hc: number, seeingPx: number, cfg: TileGridConfig) {
  const tmin = Math.max(ABSOLUTE_MIN_TILE, cfg.tile.min_size);
  const tmaxRaw = Math.floor(Math.min(wc, hc) / cfg.tile.max_divisor);
  const tmax = Math.max(tmin, tmaxRaw);
  const t0 = cfg.tile.size_factor * seeingPx;
  const tileSize = Math.floor(Math.min(Math.max(t0, tmin), tmax));
  return { tileSize, tmaxRaisedToTmin: tmaxRaw < tmin };
}

/** Origins 0, S, 2S, ... <= extent - T, plus extent - T when the last tile would end early. */
export function tileOrigins(extent: number, tileSize: number, stride: number): number[] {
  const last = extent - tileSize;
  const out: number[] = [];
  for (let o = 0; o <= last; o += stride) out.push(o);
  if (out[out.length - 1] !== last) out.push(last);
  return out;
}

export function computeTileGrid(canvasWidth: number, canvasHeight: number, seeingPx: number, cfg: TileGridConfig): TileGrid {
  if (!(canvasWidth >= 1 && canvasHeight >= 1) || !Number.isInteger(canvasWidth) || !Number.isInteger(canvasHeight)) {
    throw new RangeError(`tile grid: canvas must be a positive integer size, got ${canvasWidth} x ${canvasHeight}`);
  }
  const seeingDefaulted = !(Number.isFinite(seeingPx) && seeingPx > 0);
  const f = seeingDefaulted ? DEFAULT_SEEING_PX : seeingPx;
  const { tileSize: t, tmaxRaisedToTmin } = sizeTerms(canvasWidth, canvasHeight, f, cfg);

  let o = Math.min(Math.max(cfg.tile.overlap_fraction, 0), 0.5);
  let overlap = Math.floor(o * t);
  let stride = t - overlap;
  let overlapReset = false;
  // o <= 0.5 keeps S >= T/2; the guard still catches a non-finite overlap fraction
  if (!(stride > 0)) {
    o = FALLBACK_OVERLAP;
    overlap = Math.floor(o * t);
    stride = t - overlap;
    overlapReset = true;
  }

  const singleTile = t > canvasWidth || t > canvasHeight;
  const xOrigins = singleTile ? [0] : tileOrigins(canvasWidth, t, stride);
  const yOrigins = singleTile ? [0] : tileOrigins(canvasHeight, t, stride);
  const tw = singleTile ? canvasWidth : t;
  const th = singleTile ? canvasHeight : t;
  const tiles: Tile[] = [];
  for (let row = 0; row < yOrigins.length; row++) {
    for (let col = 0; col < xOrigins.length; col++) {
      tiles.push({ id: tiles.length, col, row, x0: xOrigins[col], y0: yOrigins[row], width: tw, height: th });
    }
  }
  return {
    canvasWidth,
    canvasHeight,
    seeingPx: f,
    tileSize: t,
    overlap: singleTile ? 0 : overlap,
    // The single tile has no neighbour; its cell size is the nominal stride so the store layout
    // does not depend on whether the canvas happens to be smaller than T.
    stride,
    overlapFraction: o,
    cols: xOrigins.length,
    rows: yOrigins.length,
    xOrigins,
    yOrigins,
    tiles,
    guards: { seeingDefaulted, tmaxRaisedToTmin, overlapReset, singleTile },
  };
}

/** Grid neighbours for boundary diagnostics: right and down, in ascending id of the first tile. */
export function neighbourPairs(grid: TileGrid): { a: number; b: number; direction: 'right' | 'down' }[] {
  const out: { a: number; b: number; direction: 'right' | 'down' }[] = [];
  for (const t of grid.tiles) {
    if (t.col + 1 < grid.cols) out.push({ a: t.id, b: t.id + 1, direction: 'right' });
    if (t.row + 1 < grid.rows) out.push({ a: t.id, b: t.id + grid.cols, direction: 'down' });
  }
  return out;
}

/** Intersection of two boxes, or null when they do not overlap. */
export function intersectBoxes(a: Box, b: Box): Box | null {
  const x0 = Math.max(a.x0, b.x0);
  const y0 = Math.max(a.y0, b.y0);
  const x1 = Math.min(a.x0 + a.width, b.x0 + b.width);
  const y1 = Math.min(a.y0 + a.height, b.y0 + b.height);
  return x1 > x0 && y1 > y0 ? { x0, y0, width: x1 - x0, height: y1 - y0 } : null;
}

// ---- work-store cell grid (METHOD.md section 6) ----

export interface Cell extends Box {
  /** Row-major cell index (= position in work/cells.f32). */
  readonly index: number;
  readonly col: number;
  readonly row: number;
}

export interface CellGrid {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** Nominal cell side = the tile stride S; edge cells are smaller. */
  readonly cellSize: number;
  readonly cols: number;
  readonly rows: number;
  readonly cells: readonly Cell[];
}

/**
 * Non-overlapping S x S cells covering the canvas, row-major; the last column/row is cut at the
 * canvas edge. Byte offsets inside work/cells.f32 belong to the work store (run/work-store.ts).
 */
export function computeCellGrid(canvasWidth: number, canvasHeight: number, cellSize: number): CellGrid {
  if (!(Number.isInteger(cellSize) && cellSize >= 1)) throw new RangeError(`cell grid: cell size must be a positive integer, got ${cellSize}`);
  const cols = Math.ceil(canvasWidth / cellSize);
  const rows = Math.ceil(canvasHeight / cellSize);
  const cells: Cell[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const x0 = col * cellSize;
      const y0 = row * cellSize;
      cells.push({
        index: cells.length,
        col,
        row,
        x0,
        y0,
        width: Math.min(cellSize, canvasWidth - x0),
        height: Math.min(cellSize, canvasHeight - y0),
      });
    }
  }
  return { canvasWidth, canvasHeight, cellSize, cols, rows, cells };
}

export function cellGridOf(grid: TileGrid): CellGrid {
  return computeCellGrid(grid.canvasWidth, grid.canvasHeight, grid.stride);
}

/** The cells a box (usually a tile) intersects, row-major, each with the intersection box. */
export function cellsIntersecting(cellGrid: CellGrid, box: Box): { cell: Cell; overlap: Box }[] {
  const s = cellGrid.cellSize;
  const c0 = Math.max(0, Math.floor(box.x0 / s));
  const c1 = Math.min(cellGrid.cols - 1, Math.floor((box.x0 + box.width - 1) / s));
  const r0 = Math.max(0, Math.floor(box.y0 / s));
  const r1 = Math.min(cellGrid.rows - 1, Math.floor((box.y0 + box.height - 1) / s));
  const out: { cell: Cell; overlap: Box }[] = [];
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) {
      const cell = cellGrid.cells[r * cellGrid.cols + c];
      const overlap = intersectBoxes(cell, box);
      if (overlap) out.push({ cell, overlap });
    }
  }
  return out;
}
