// A frozen copy of the definition before the P2/P6.4 speed work: the reference the new code is tested against.
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
import { type Image } from '../../../../shared/image/image';
import { medianInPlace, medianOfFinite } from '../../../../shared/image/stats';
import { colourCount, colourPixelCount, forEachColourRun, objectMasks, type BackgroundOptions, type Box, type ColourLayout } from './background-before';

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

/** Cell background medians m per colour (rows*cols each, NaN = undefined). */
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
      for (let col = 0; col < grid.cols; col++) {
        const box = cellBox(grid, col, row);
        const total = colourPixelCount(image, layout, c, box);
        let n = 0;
        forEachColourRun(image, layout, c, (i0, p0, step, count) => {
          for (let k = 0, i = i0, p = p0; k < count; k++, i += step, p += step) {
            const v = d[i];
            if (v - v === 0 && !mask[p]) values[n++] = v;
          }
        }, box);
        if (total > 0 && n >= MIN_CELL_VALID_SHARE * total) m[row * grid.cols + col] = medianOfFinite(values, n);
      }
    }
    out.push(m);
  }
  return out;
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
  const whole: Box = { x0: 0, y0: 0, w: image.width, h: image.height };
  for (let c = 0; c < nc; c++) {
    const d = backgroundOffsetGrid(cells[c], mRef[c], grid);
    offsets.push(d);
    skipped.push(d === null);
    if (d === null) continue;
    // row by row: the whole-frame float64 surface was a 25 MB temporary per colour
    const row = new Float64Array(image.width);
    forEachSurfaceRow(d, grid, whole, (y, top, bottom, ty) => {
      for (let x = 0; x < row.length; x++) row[x] = top[x] + ty * (bottom[x] - top[x]);
      const rowStart = y * image.width;
      forEachColourRun(image, layout, c, (i0, p0, step, count) => {
        for (let k = 0, i = i0, x = p0 - rowStart; k < count; k++, i += step, x += step) data[i] = data[i] - row[x];
      }, { x0: 0, y0: y, w: image.width, h: 1 });
    });
  }
  return { image: { ...image, data }, cells, offsets, skipped };
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
  const shares = layout.colorMode === 'MONO' ? [1] : layout.colorMode === 'RGB' ? [1 / 3, 1 / 3, 1 / 3] : [0.25, 0.5, 0.25];
  let s = 0;
  for (let c = 0; c < shares.length; c++) s += shares[c] * meanOffsetOverBox(offsets[c] ?? null, grid, box);
  return s;
}
