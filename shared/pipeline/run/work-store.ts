import type { RandomAccessFile, WriteBlock } from '../../io/file-system';
import { readExactly } from '../../io/file-system';
import type { ScratchBuffers } from '../../util/scratch-buffers';

/**
 * The work store of METHOD.md section 6: the canvas cut into non-overlapping cells, one
 * preallocated file `work/cells.f32`, cells in row-major order and, inside a cell, the frames one
 * after another:
 *
 *   offset(cell, fu, c, y) = cell.base + ((fu*planes + c)*cell.h + y)*cell.w*4
 *
 * P6 writes one block per (frame, cell) with a positional write; P9 reads the <= 3×3 cells of a tile
 * with one large sequential read per cell. No overlap copies: size = N*Wc*Hc*planes*4 bytes.
 * [DIFF] Frames up to ~6 MP go in groups of consecutive frames, one block per (group, cell)
 * (StoreGroup below): the same bytes with a fraction of the writes.
 * Float32 little-endian (the byte order of every platform the app ships on; checked at start-up).
 *
 * [DIFF] Cell edges. METHOD cuts S×S cells (S = stride). A tile [kS, kS + S + O) then needs only the
 * first O columns (rows) of its second cell, but a cell's frame block is contiguous only as a
 * whole: P9 read 2.67x the store on the defaults (measured on the bench's M set). Here the cells are
 * cut at every tile edge (`tileEdgeCuts`): widths alternate O and S - O, every tile is exactly the
 * union of its <= 3×3 cells, and P9 reads each tile's pixels once: (T/S)^2 = 1.78x the store with the
 * default overlap, the overlap itself. Plans written before this change (no cuts) keep S×S cells.
 */
export interface StoreCell {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly base: number;
}

export interface StoreLayout {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  /** Left edges of the cell columns, ascending, starting at 0. */
  readonly xCuts: readonly number[];
  /** Top edges of the cell rows, ascending, starting at 0. */
  readonly yCuts: readonly number[];
  readonly cellsX: number;
  readonly cellsY: number;
  readonly frames: number;
  readonly planes: number;
  readonly cells: readonly StoreCell[];
  readonly totalBytes: number;
}

/** Cell edges 0, size, 2*size, ... below extent (METHOD's S×S cells). */
export function uniformCuts(extent: number, size: number): number[] {
  if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`cell size must be a positive integer, got ${size}`);
  const out: number[] = [];
  for (let x = 0; x < extent; x += size) out.push(x);
  return out;
}

/** Cell edges at every tile edge (tile origins and ends) inside [0, extent). */
export function tileEdgeCuts(extent: number, origins: readonly number[], tileSize: number): number[] {
  const edges = new Set<number>([0]);
  for (const o of origins) {
    if (o > 0 && o < extent) edges.add(o);
    if (o + tileSize > 0 && o + tileSize < extent) edges.add(o + tileSize);
  }
  return [...edges].sort((a, b) => a - b);
}

function checkCuts(cuts: readonly number[], extent: number, axis: string): void {
  const ok = cuts.length >= 1 && cuts[0] === 0 && cuts.every((c, i) => Number.isInteger(c) && c < extent && (i === 0 || c > cuts[i - 1]));
  if (!ok) throw new RangeError(`work store: ${axis} cell edges must ascend from 0 below ${extent}, got [${cuts.join(', ')}]`);
}

/** The store layout with cell edges `xCuts` x `yCuts` (see uniformCuts, tileEdgeCuts). */
export function planStore(canvasWidth: number, canvasHeight: number, xCuts: readonly number[], yCuts: readonly number[], frames: number, planes: number): StoreLayout {
  checkCuts(xCuts, canvasWidth, 'x');
  checkCuts(yCuts, canvasHeight, 'y');
  const cells: StoreCell[] = [];
  let base = 0;
  for (let cy = 0; cy < yCuts.length; cy++) {
    for (let cx = 0; cx < xCuts.length; cx++) {
      const x0 = xCuts[cx];
      const y0 = yCuts[cy];
      const w = (cx + 1 < xCuts.length ? xCuts[cx + 1] : canvasWidth) - x0;
      const h = (cy + 1 < yCuts.length ? yCuts[cy + 1] : canvasHeight) - y0;
      cells.push({ x0, y0, w, h, base });
      base += frames * planes * w * h * 4;
    }
  }
  return { canvasWidth, canvasHeight, xCuts, yCuts, cellsX: xCuts.length, cellsY: yCuts.length, frames, planes, cells, totalBytes: base };
}

export function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('Tile Compile needs a little-endian CPU');
}

/** Bytes packed per writeBlocks call: bounds the scratch (a 24 MP frame would need 96 MB at once). */
const WRITE_BATCH_BYTES = 4 << 20;

/** Copies a cell's block of `frame` (all planes, canvas-sized, plane-major) into out[at ...), row after row. */
function packCell(frame: Float32Array, layout: StoreLayout, cell: StoreCell, out: Float32Array, at: number): void {
  const { canvasWidth: W, canvasHeight: H, planes } = layout;
  for (let c = 0; c < planes; c++) {
    for (let y = 0; y < cell.h; y++) {
      const row = (c * H + cell.y0 + y) * W + cell.x0;
      out.set(frame.subarray(row, row + cell.w), at);
      at += cell.w;
    }
  }
}

/**
 * Writes frame `fu` (all planes, canvas-sized, plane-major) into every cell: the cells' blocks are
 * packed into a scratch of at most WRITE_BATCH_BYTES (or one cell, when larger) and handed to the
 * file in batches.
 */
export async function writeFrameToStore(file: RandomAccessFile, layout: StoreLayout, fu: number, frame: Float32Array): Promise<void> {
  const { canvasWidth: W, canvasHeight: H, planes } = layout;
  if (frame.length !== W * H * planes) throw new Error(`frame has ${frame.length} values, the canvas needs ${W * H * planes}`);
  const largest = layout.cells.reduce((m, c) => Math.max(m, planes * c.w * c.h), 0);
  const scratch = new Float32Array(Math.min(W * H * planes, Math.max(largest, WRITE_BATCH_BYTES / 4)));
  let blocks: WriteBlock[] = [];
  let k = 0;
  for (const cell of layout.cells) {
    const n = planes * cell.w * cell.h;
    if (k + n > scratch.length) {
      await file.writeBlocks(blocks);
      blocks = [];
      k = 0;
    }
    packCell(frame, layout, cell, scratch, k);
    blocks.push({ data: new Uint8Array(scratch.buffer, k * 4, n * 4), position: cell.base + fu * n * 4 });
    k += n;
  }
  if (blocks.length > 0) await file.writeBlocks(blocks);
}

/**
 * Frames fu0 .. fu0+count-1 gathered cell by cell, then written with one positional write per cell:
 * inside a cell consecutive frames are adjacent, so the group's blocks of a cell are one run of
 * bytes. A frame written alone costs ~2,300 small writes on the bench's M canvas, and two workers
 * writing at once wait on the file's lock: 46 ms a frame one by one, 21 ms four at a time (harness,
 * two processes, ext4). The bytes in the store are the same either way.
 */
export class StoreGroup {
  /** Offset (values) of each cell's run in `buffer`. */
  private readonly starts: number[] = [];
  private readonly added: boolean[];
  readonly buffer: Float32Array;

  constructor(
    readonly layout: StoreLayout,
    readonly fu0: number,
    readonly count: number,
    into?: Float32Array,
  ) {
    if (!(Number.isInteger(count) && count >= 1 && fu0 >= 0 && fu0 + count <= layout.frames)) {
      throw new RangeError(`store group of ${count} frames from ${fu0} does not fit a store of ${layout.frames}`);
    }
    let at = 0;
    for (const cell of layout.cells) {
      this.starts.push(at);
      at += count * layout.planes * cell.w * cell.h;
    }
    if (into !== undefined && into.length < at) throw new RangeError(`store group buffer holds ${into.length} values, the group needs ${at}`);
    this.buffer = into === undefined ? new Float32Array(at) : into.subarray(0, at);
    this.added = new Array<boolean>(count).fill(false);
  }

  /** Copies frame `fu` (canvas-sized, plane-major) into its place in every cell. */
  add(fu: number, frame: Float32Array): void {
    const { canvasWidth: W, canvasHeight: H, planes } = this.layout;
    const k = fu - this.fu0;
    if (!(k >= 0 && k < this.count)) throw new RangeError(`frame ${fu} is not in the store group ${this.fu0}..${this.fu0 + this.count - 1}`);
    if (frame.length !== W * H * planes) throw new Error(`frame has ${frame.length} values, the canvas needs ${W * H * planes}`);
    const cells = this.layout.cells;
    for (let i = 0; i < cells.length; i++) packCell(frame, this.layout, cells[i], this.buffer, this.starts[i] + k * planes * cells[i].w * cells[i].h);
    this.added[k] = true;
  }

  /** One write per cell; every frame of the group must have been added. */
  async write(file: RandomAccessFile): Promise<void> {
    const missing = this.added.indexOf(false);
    if (missing >= 0) throw new Error(`store group ${this.fu0}..${this.fu0 + this.count - 1}: frame ${this.fu0 + missing} was not added`);
    const { planes } = this.layout;
    const bytes = new Uint8Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    const blocks: WriteBlock[] = this.layout.cells.map((cell, i) => {
      const n = planes * cell.w * cell.h;
      return { data: bytes.subarray(this.starts[i] * 4, (this.starts[i] + this.count * n) * 4), position: cell.base + this.fu0 * n * 4 };
    });
    await file.writeBlocks(blocks);
  }
}

/** Index of the cell interval holding coordinate v (the last cut <= v). */
function cutIndex(cuts: readonly number[], v: number): number {
  let lo = 0;
  let hi = cuts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cuts[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Indices of the cells a box intersects, row-major. */
export function cellsOfBox(layout: StoreLayout, x0: number, y0: number, w: number, h: number): number[] {
  const out: number[] = [];
  const cx1 = cutIndex(layout.xCuts, x0 + w - 1);
  const cy1 = cutIndex(layout.yCuts, y0 + h - 1);
  for (let cy = cutIndex(layout.yCuts, y0); cy <= cy1; cy++) {
    for (let cx = cutIndex(layout.xCuts, x0); cx <= cx1; cx++) out.push(cy * layout.cellsX + cx);
  }
  return out;
}

/**
 * Reads the tile box [x0,x0+w)×[y0,y0+h) of every frame: a Float32Array laid out
 * [frame][plane][y][x]. One sequential read per intersecting cell whose rows the tile needs in
 * full; for a cell it only overlaps by a band of rows, one read of that band per frame and plane.
 * `scratch`: the worker's reused arrays (slot 'tile-stack'); the stack is then a view of that slot,
 * valid until the next call with the same scratch. Every value of the stack is written (the tile is
 * the union of its cells), so the slot's old contents never show through.
 */
export async function readTileStack(file: RandomAccessFile, layout: StoreLayout, x0: number, y0: number, w: number, h: number, scratch?: ScratchBuffers): Promise<Float32Array> {
  const { frames: N, planes } = layout;
  const fc = N * planes;
  const stackWords = fc * w * h;
  const cells = cellsOfBox(layout, x0, y0, w, h);
  // What each cell contributes: its rows the tile needs (all of them, or the band of its overlap
  // with the tile), for every frame and plane. Cells do not overlap, so together these blocks are
  // at most the tile stack again, inside the P9 task's gamma.
  const parts = cells.map((ci) => {
    const cell = layout.cells[ci];
    const ix0 = Math.max(x0, cell.x0);
    const iy0 = Math.max(y0, cell.y0);
    const rows = Math.min(y0 + h, cell.y0 + cell.h) - iy0;
    return { cell, ix0, iy0, rows, span: Math.min(x0 + w, cell.x0 + cell.w) - ix0, words: fc * rows * cell.w };
  });
  // One buffer: the stack, then the cells' blocks as read. The rows then move inside it with
  // copyWithin (a memmove per row, no view or subarray per row: a JS word loop was ~12x slower
  // than memcpy over the ~66,000 rows of an M tile). The stack is returned as a view of the
  // buffer's start, so the read blocks stay allocated as long as the stack (as they did until
  // the copy before; a task's peak is the same).
  let scratchWords = 0;
  const at = parts.map((p) => {
    const a = stackWords + scratchWords;
    scratchWords += p.words;
    return a;
  });
  // a fresh 15 MB buffer per M tile made the kernel map and zero ~3,700 new pages per tile: a third
  // of P9's CPU time on the bench's M set was system time in page faults
  const totalWords = stackWords + scratchWords;
  const buffer = scratch ? scratch.float32('tile-stack', totalWords).buffer : new ArrayBuffer(totalWords * 4);
  const words = new Uint32Array(buffer, 0, totalWords);
  const bytes = new Uint8Array(buffer, 0, totalWords * 4);
  // whole cells are read all at once (the reads run side by side in the I/O threads); a band is
  // one contiguous read per frame and plane
  const reads = parts.map((p, k) => {
    const { cell } = p;
    if (p.rows === cell.h) return readExactly(file, cell.base, p.words * 4, bytes.subarray(at[k] * 4, (at[k] + p.words) * 4));
    return (async () => {
      const bandWords = p.rows * cell.w;
      for (let f = 0; f < fc; f++) {
        const offset = cell.base + (f * cell.h + (p.iy0 - cell.y0)) * cell.w * 4;
        const to = at[k] + f * bandWords;
        await readExactly(file, offset, bandWords * 4, bytes.subarray(to * 4, (to + bandWords) * 4));
      }
    })();
  });
  // a failed read must not leave the others' rejections unhandled
  for (const r of reads) r.catch(() => undefined);
  for (let k = 0; k < parts.length; k++) {
    await reads[k];
    const { cell, ix0, iy0, rows, span } = parts[k];
    const rowWords = cell.w;
    for (let f = 0; f < fc; f++) {
      let src = at[k] + f * rows * rowWords + (ix0 - cell.x0);
      let dst = f * h * w + (iy0 - y0) * w + (ix0 - x0);
      for (let y = 0; y < rows; y++, src += rowWords, dst += w) words.copyWithin(dst, src, src + span);
    }
  }
  return new Float32Array(buffer, 0, stackWords);
}

/** Creates the store file at its full size (sparse where the OS allows). */
export async function preallocateStore(file: RandomAccessFile, layout: StoreLayout): Promise<void> {
  if (layout.totalBytes === 0) return;
  const size = await file.size();
  if (size < layout.totalBytes) await file.write(new Uint8Array(1), 0, 1, layout.totalBytes - 1);
}
