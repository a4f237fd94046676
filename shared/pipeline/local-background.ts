/**
 * P6.4 local background matching [EXT] (METHOD.md): frames weighted differently in neighbouring
 * tiles disagree at tile borders when their sky gradients differ, so every frame gets the
 * reference frame's background shape. Per colour c:
 *   cell value m = median of non-object valid pixels of colour c (>= 25 % of the cell's colour-c
 *   pixels, else undefined); d = m_f - m_ref where both exist; undefined cells filled from the
 *   nearest defined cell (Chebyshev distance, ties row-major); 3x3 median over the cell grid (edge
 *   replicate); D_f = bilinear between cell centres, constant outside; I_f -= D_f.
 * Fewer than 4 defined cells -> that colour is skipped (warning). Additive and smooth: linear.
 */
import { type Image } from '../image/image';
import { medianInPlace, medianOfFinite } from '../image/stats';
import { bandCellMedianWasm, stageCellBand } from './wasm/bg-bracket';
import { subtractSurfaceWasm, surfaceSumsWasm, type ColourColumns } from './wasm/bg-surface';
import { colourCount, colourRuns, objectMasks, phaseColours, type BackgroundOptions, type Box, type ColourLayout } from './background';

export const MIN_DEFINED_CELLS = 4;
export const MIN_CELL_VALID_SHARE = 0.25;

/** Cell size: `cell_px` if > 0, else auto max(2T, ceil(min(W, H)/16)). */
export function localBackgroundCellPx(cellPx: number, tileSize: number, width: number, height: number): number {
  if (cellPx > 0) return Math.floor(cellPx);
  return Math.max(2 * tileSize, Math.ceil(Math.min(width, height) / 16));
}

/** Non-overlapping cells of `cellPx` from the origin; edge cells smaller. Cells row-major. */
export interface CellGrid {
  readonly width: number;
  readonly height: number;
  readonly cellPx: number;
  readonly cols: number;
  readonly rows: number;
}

export function cellGridOf(width: number, height: number, cellPx: number): CellGrid {
  if (!(cellPx >= 1)) throw new RangeError(`cell size must be >= 1, got ${cellPx}`);
  return { width, height, cellPx, cols: Math.ceil(width / cellPx), rows: Math.ceil(height / cellPx) };
}

export function cellBox(grid: CellGrid, col: number, row: number): Box {
  const x0 = col * grid.cellPx;
  const y0 = row * grid.cellPx;
  return { x0, y0, w: Math.min(grid.cellPx, grid.width - x0), h: Math.min(grid.cellPx, grid.height - y0) };
}

/**
 * Cell background medians m per colour (rows*cols each, NaN = undefined). The cell's pixels are
 * gathered by plain loops over its colour runs: a per-row callback that appended to a captured
 * counter kept the counter in a heap context and cost as much as the medians (P6 profile).
 */
export function measureBackgroundCells(image: Image, layout: ColourLayout, grid: CellGrid, options: BackgroundOptions = {}): Float64Array[] {
  if (image.width !== grid.width || image.height !== grid.height) throw new RangeError('grid does not match the image');
  const masks = objectMasks(image, layout, options.independentColours ?? false);
  const d = image.data;
  // one scratch for every cell: the values are float32 pixels, so float32 storage is exact
  const values = new Float32Array(grid.cellPx * grid.cellPx);
  const out: Float64Array[] = [];
  for (let c = 0; c < colourCount(layout); c++) {
    const m = new Float64Array(grid.rows * grid.cols).fill(Number.NaN);
    const mask = masks[c];
    for (let row = 0; row < grid.rows; row++) {
      const rowRuns = Array.from({ length: grid.cols }, (_, col) => colourRuns(image, layout, c, cellBox(grid, col, row)));
      // the row of cells' data and mask spans go to the kernel once (bg-bracket.ts stageCellBand)
      const band = stageCellBand(d, mask, ...runSpan(rowRuns, 0), ...runSpan(rowRuns, 1), grid.cellPx * grid.cellPx);
      for (let col = 0; col < grid.cols; col++) {
        const runs = rowRuns[col];
        let total = 0;
        for (let r = 3; r < runs.length; r += 4) total += runs[r];
        const minCount = Math.max(1, Math.ceil(MIN_CELL_VALID_SHARE * total));
        // the kernel gathers the cell and gives its median, or leaves the gathered values to the
        // JS median (no WebAssembly, a missed bracket, a zero median): the same value either way
        const fast = band ? bandCellMedianWasm(runs, minCount, values) : null;
        const n = fast ? fast.n : gatherUnmasked(d, mask, runs, values);
        // every gathered value is finite: the median skips its own finiteness scan
        if (total > 0 && n >= MIN_CELL_VALID_SHARE * total) m[row * grid.cols + col] = fast?.median ?? medianOfFinite(values, n, true);
      }
    }
    out.push(m);
  }
  return out;
}

/** [first, end) of the indices that the runs read: data (`field` 0) or mask (1) positions. */
function runSpan(rowRuns: readonly Int32Array[], field: 0 | 1): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const runs of rowRuns) {
    for (let r = 0; r < runs.length; r += 4) {
      const count = runs[r + 3];
      if (count === 0) continue;
      const first = runs[r + field];
      lo = Math.min(lo, first);
      hi = Math.max(hi, first + (count - 1) * runs[r + 2] + 1);
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/** Copies the finite values of the runs whose pixels are not masked into `out`; returns their number. */
function gatherUnmasked(d: Float32Array, mask: Uint8Array, runs: Int32Array, out: Float32Array): number {
  let n = 0;
  for (let r = 0; r < runs.length; r += 4) {
    const step = runs[r + 2];
    const count = runs[r + 3];
    for (let k = 0, i = runs[r], p = runs[r + 1]; k < count; k++, i += step, p += step) {
      const v = d[i];
      if (v - v === 0 && mask[p] === 0) out[n++] = v;
    }
  }
  return n;
}

/**
 * Offset grid d of one colour: m_f - m_ref where both are defined, holes filled from the nearest
 * defined cell (Chebyshev, ties row-major), then a 3x3 median (edge replicate).
 * null when fewer than 4 cells are defined (skip the colour).
 */
export function backgroundOffsetGrid(mFrame: Float64Array, mRef: Float64Array, grid: CellGrid): Float64Array | null {
  const { rows, cols } = grid;
  const n = rows * cols;
  const raw = new Float64Array(n).fill(Number.NaN);
  const defined: number[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(mFrame[i]) && Number.isFinite(mRef[i])) {
      raw[i] = mFrame[i] - mRef[i];
      defined.push(i);
    }
  }
  if (defined.length < MIN_DEFINED_CELLS) return null;
  const filled = raw.slice();
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(raw[i])) continue;
    const r = Math.floor(i / cols);
    const c = i % cols;
    let best = -1;
    let bestDist = Infinity;
    // `defined` is in row-major order; a strict < keeps the first of equally near cells
    for (const j of defined) {
      const dist = Math.max(Math.abs(Math.floor(j / cols) - r), Math.abs((j % cols) - c));
      if (dist < bestDist) {
        bestDist = dist;
        best = j;
      }
    }
    filled[i] = raw[best];
  }
  const out = new Float64Array(n);
  const win = new Float64Array(9);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let k = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = Math.min(Math.max(r + dr, 0), rows - 1);
        for (let dc = -1; dc <= 1; dc++) win[k++] = filled[rr * cols + Math.min(Math.max(c + dc, 0), cols - 1)];
      }
      out[r * cols + c] = medianInPlace(win);
    }
  }
  return out;
}

/** Interpolation stencil along one axis: lower/upper cell and the weight of the upper one. */
interface AxisStencil {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly t: Float64Array;
}

function axisStencil(size: number, cellPx: number, cells: number, from: number, count: number): AxisStencil {
  const centre = (i: number) => i * cellPx + (Math.min(cellPx, size - i * cellPx) - 1) / 2;
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const t = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const p = from + k;
    if (p <= centre(0)) continue; // constant before the first centre
    if (p >= centre(cells - 1)) {
      lo[k] = hi[k] = cells - 1;
      continue;
    }
    // centres are increasing; the cell holding p has its centre on one side of p
    let i = Math.min(cells - 2, Math.floor(p / cellPx));
    if (centre(i) > p) i--;
    lo[k] = i;
    hi[k] = i + 1;
    t[k] = (p - centre(i)) / (centre(i + 1) - centre(i));
  }
  return { lo, hi, t };
}

/**
 * D row by row over a box: calls visit(y, top, bottom, ty) for y = 0..box.h-1 (relative to the
 * box), where D at (box.x0 + x, box.y0 + y) is top[x] + ty * (bottom[x] - top[x]). The top and
 * bottom cell-row interpolants are recomputed only when the pair of cell rows changes, so a pixel
 * costs one lerp; the values are those of the per-pixel formula, operation for operation.
 */
function forEachSurfaceRow(
  d: Float64Array,
  grid: CellGrid,
  box: Box,
  visit: (y: number, top: Float64Array, bottom: Float64Array, ty: number) => void,
): void {
  const sx = axisStencil(grid.width, grid.cellPx, grid.cols, box.x0, box.w);
  const sy = axisStencil(grid.height, grid.cellPx, grid.rows, box.y0, box.h);
  const top = new Float64Array(box.w);
  const bottom = new Float64Array(box.w);
  const cols = grid.cols;
  let r0 = -1;
  let r1 = -1;
  for (let y = 0; y < box.h; y++) {
    if (sy.lo[y] * cols !== r0 || sy.hi[y] * cols !== r1) {
      r0 = sy.lo[y] * cols;
      r1 = sy.hi[y] * cols;
      for (let x = 0; x < box.w; x++) {
        const c0 = sx.lo[x];
        const c1 = sx.hi[x];
        const tx = sx.t[x];
        top[x] = d[r0 + c0] + tx * (d[r0 + c1] - d[r0 + c0]);
        bottom[x] = d[r1 + c0] + tx * (d[r1 + c1] - d[r1 + c0]);
      }
    }
    visit(y, top, bottom, sy.t[y]);
  }
}

/** D over a box: bilinear between cell centres, constant outside them. Row-major box.w*box.h. */
export function offsetSurface(d: Float64Array, grid: CellGrid, box: Box): Float64Array {
  const out = new Float64Array(box.w * box.h);
  forEachSurfaceRow(d, grid, box, (y, top, bottom, ty) => {
    for (let x = 0, i = y * box.w; x < box.w; x++, i++) out[i] = top[x] + ty * (bottom[x] - top[x]);
  });
  return out;
}

/**
 * D of one colour over the whole grid, ready to evaluate at any pixel: the axis stencils of every
 * column and row, and per cell row the interpolant along x (what forEachSurfaceRow calls top and
 * bottom). D(x, y) = a[x] + ty * (b[x] - a[x]) with a, b the interpolants of the cell rows lo[y],
 * hi[y]: the operations of forEachSurfaceRow, so the same values, computed once per frame instead of
 * once per tile.
 */
interface Surface {
  readonly sx: AxisStencil;
  readonly sy: AxisStencil;
  readonly cellRows: Float64Array[];
}

function surfaceOf(d: Float64Array, grid: CellGrid): Surface {
  const { width, height, cellPx, cols, rows } = grid;
  const sx = axisStencil(width, cellPx, cols, 0, width);
  const sy = axisStencil(height, cellPx, rows, 0, height);
  const cellRows: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const r0 = r * cols;
    const a = new Float64Array(width);
    for (let x = 0; x < width; x++) {
      const c0 = sx.lo[x];
      const c1 = sx.hi[x];
      a[x] = d[r0 + c0] + sx.t[x] * (d[r0 + c1] - d[r0 + c0]);
    }
    cellRows.push(a);
  }
  return { sx, sy, cellRows };
}

function insideGrid(grid: CellGrid, box: Box): boolean {
  return box.x0 >= 0 && box.y0 >= 0 && box.x0 + box.w <= grid.width && box.y0 + box.h <= grid.height;
}

/** Sum of D over a box inside the grid, in pixel order as meanOffsetOverBox sums it. */
function surfaceSum(surface: Surface, box: Box): number {
  const { sy, cellRows } = surface;
  const x1 = box.x0 + box.w;
  let s = 0;
  for (let y = box.y0; y < box.y0 + box.h; y++) s = addRow(s, cellRows[sy.lo[y]], cellRows[sy.hi[y]], sy.t[y], box.x0, x1);
  return s;
}

/** s plus D over the row's columns x0..x1-1, added one by one. */
function addRow(s: number, top: Float64Array, bottom: Float64Array, ty: number, x0: number, x1: number): number {
  let sum = s;
  for (let x = x0; x < x1; x++) sum += top[x] + ty * (bottom[x] - top[x]);
  return sum;
}

/** meanOffsetOverBox of many boxes (the tiles of a frame): one surface for all of them. */
export function meanOffsetsOverBoxes(d: Float64Array | null, grid: CellGrid, boxes: readonly Box[]): number[] {
  if (d === null) return boxes.map(() => 0);
  const surface = surfaceOf(d, grid);
  // boxes reaching outside the grid (never the tiles) take the general path
  const inside = boxes.filter((box) => box.w > 0 && box.h > 0 && insideGrid(grid, box));
  const sums = new Float64Array(inside.length);
  const rows = { width: grid.width, height: grid.height, lo: surface.sy.lo, hi: surface.sy.hi, t: surface.sy.t, cellRows: surface.cellRows };
  if (!surfaceSumsWasm(rows, inside, sums)) inside.forEach((box, i) => (sums[i] = surfaceSum(surface, box)));
  let j = 0;
  return boxes.map((box) => {
    if (box.w <= 0 || box.h <= 0) return 0;
    return insideGrid(grid, box) ? sums[j++] / (box.w * box.h) : meanOffsetOverBox(d, grid, box);
  });
}

export interface LocalBackgroundMatch {
  /** The frame with D_f subtracted (a new image, or the input itself when matched in place). */
  readonly image: Image;
  /** This frame's cell medians per colour (the reference frame keeps them as m_ref). */
  readonly cells: Float64Array[];
  /** Filtered offset grid d per colour (for frames.json); null where skipped. */
  readonly offsets: (Float64Array | null)[];
  /** Per colour: fewer than 4 defined cells, nothing subtracted (warn). */
  readonly skipped: boolean[];
}

/**
 * Matches a warped, normalized frame to the reference cell medians `mRef` (per colour). For the
 * reference frame itself pass mRef = null: its cells are measured and nothing is subtracted.
 */
export function matchLocalBackground(
  image: Image,
  layout: ColourLayout,
  grid: CellGrid,
  mRef: Float64Array[] | null,
  options: BackgroundOptions = {},
  inPlace = false,
): LocalBackgroundMatch {
  const cells = measureBackgroundCells(image, layout, grid, options);
  const nc = colourCount(layout);
  if (mRef === null) {
    const zero = cells.map(() => new Float64Array(grid.rows * grid.cols));
    return { image: inPlace ? image : { ...image, data: image.data.slice() }, cells, offsets: zero, skipped: new Array<boolean>(nc).fill(false) };
  }
  if (mRef.length !== nc) throw new RangeError(`expected ${nc} reference cell grid(s), got ${mRef.length}`);
  // the cells are measured above, so subtracting in place changes nothing that is still read
  const data = inPlace ? image.data : image.data.slice();
  const offsets: (Float64Array | null)[] = [];
  const skipped: boolean[] = [];
  for (let c = 0; c < nc; c++) {
    const d = backgroundOffsetGrid(cells[c], mRef[c], grid);
    offsets.push(d);
    skipped.push(d === null);
    if (d === null) continue;
    subtractSurface(data, image.width, image.height, layout, c, surfaceOf(d, grid));
  }
  return { image: { ...image, data }, cells, offsets, skipped };
}

/**
 * data[i] -= D(x, y) over the pixels of colour c, row by row with the cell-row interpolants of the
 * surface (the same float64 value per pixel as offsetSurface; float32 rounding on the store).
 */
function subtractSurface(data: Float32Array, w: number, h: number, layout: ColourLayout, c: number, surface: Surface): void {
  const { sy, cellRows } = surface;
  const planeBase = layout.colorMode === 'RGB' ? c * w * h : 0;
  const columns = colourColumns(layout, c);
  // the WebAssembly kernel where it runs (the same values); the loop below is the definition
  if (subtractSurfaceWasm(data, planeBase, { width: w, height: h, lo: sy.lo, hi: sy.hi, t: sy.t, cellRows }, columns)) return;
  for (let y = 0; y < h; y++) {
    const { x0, step } = y & 1 ? columns.odd : columns.even;
    if (x0 < 0) continue;
    subtractRow(data, planeBase + y * w, x0, step, w, cellRows[sy.lo[y]], cellRows[sy.hi[y]], sy.t[y]);
  }
}

/** Where colour c's pixels are in even and odd canvas rows: both CFA columns, one (step 2) or none (x0 -1). */
function colourColumns(layout: ColourLayout, c: number): ColourColumns {
  if (layout.colorMode !== 'OSC') return { even: { x0: 0, step: 1 }, odd: { x0: 0, step: 1 } };
  const phase = phaseColours(layout);
  const of = (py: number) => {
    const even = phase[py << 1] === c;
    const odd = phase[(py << 1) | 1] === c;
    if (even && odd) return { x0: 0, step: 1 };
    if (!even && !odd) return { x0: -1, step: 1 };
    return { x0: even ? 0 : 1, step: 2 };
  };
  return { even: of(0), odd: of(1) };
}

function subtractRow(data: Float32Array, base: number, x0: number, step: number, w: number, top: Float64Array, bottom: Float64Array, ty: number): void {
  for (let x = x0; x < w; x += step) data[base + x] = data[base + x] - (top[x] + ty * (bottom[x] - top[x]));
}

/** Mean of D over a box for one colour (0 when skipped). */
export function meanOffsetOverBox(d: Float64Array | null, grid: CellGrid, box: Box): number {
  if (d === null || box.w <= 0 || box.h <= 0) return 0;
  // one running sum in pixel order, carried from row to row (a captured `let` would be boxed)
  const sum = new Float64Array(1);
  forEachSurfaceRow(d, grid, box, (_y, top, bottom, ty) => {
    let s = sum[0];
    for (let x = 0; x < box.w; x++) s += top[x] + ty * (bottom[x] - top[x]);
    sum[0] = s;
  });
  return sum[0] / (box.w * box.h);
}

/**
 * Mean of the luminance offset over a box: Y mixes the colours (MONO 1; RGB 1/3 each; OSC's
 * 2x2 windows hold R, G, G, B -> 0.25, 0.5, 0.25), and the smooth per-colour surfaces are averaged
 * over all pixels of the box with those shares.
 */
export function luminanceOffsetOverBox(offsets: ReadonlyArray<Float64Array | null>, grid: CellGrid, box: Box, layout: ColourLayout): number {
  const shares = luminanceShares(layout);
  let s = 0;
  for (let c = 0; c < shares.length; c++) s += shares[c] * meanOffsetOverBox(offsets[c] ?? null, grid, box);
  return s;
}

/**
 * luminanceOffsetOverBox of many boxes (the tiles of a frame), the same values: each colour's
 * surface is built once per frame rather than once per tile, and the per-tile sums are plain loops.
 */
export function luminanceOffsetsOverBoxes(offsets: ReadonlyArray<Float64Array | null>, grid: CellGrid, boxes: readonly Box[], layout: ColourLayout): number[] {
  const shares = luminanceShares(layout);
  const means = shares.map((_, c) => meanOffsetsOverBoxes(offsets[c] ?? null, grid, boxes));
  return boxes.map((_, t) => {
    let s = 0;
    for (let c = 0; c < shares.length; c++) s += shares[c] * means[c][t];
    return s;
  });
}

function luminanceShares(layout: ColourLayout): number[] {
  return layout.colorMode === 'MONO' ? [1] : layout.colorMode === 'RGB' ? [1 / 3, 1 / 3, 1 / 3] : [0.25, 0.5, 0.25];
}
