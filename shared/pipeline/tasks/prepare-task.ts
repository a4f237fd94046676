import { readFitsImage } from '../../fits/reader';
import type { FitsCard } from '../../fits/types';
import { writeFitsImage } from '../../fits/writer';
import type { FileSystem } from '../../io/file-system';
import { luminanceY, luminanceYView, oscSubplanes, type Plane } from '../../image/views';
import { warpImage } from '../../image/warp';
import { cellGridOf, localBackgroundCellPx, luminanceOffsetsOverBoxes, matchLocalBackground, meanOffsetOverBox, type CellGrid } from '../local-background';
import { suppressIsolatedPixelsInPlace } from '../cosmetic';
import { measureLocalMetrics, subplaneBox, type TileMetrics } from '../local-metrics';
import { normalizeFrame } from '../normalize';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readJson, writeJson } from '../run/run-files';
import { loadRunPlan, storeLayoutOf, storePath, type RunPlan } from '../run/run-plan';
import { appendRecord, readRecords } from '../run/unit-journal';
import { StoreGroup, writeFrameToStore } from '../run/work-store';
import type { Box } from '../background';
import { planeView, type Image } from '../../image/image';
import { calibrateFrame } from './calibrate';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P6 — pass 2 over consecutive frames (reference frame first, alone): read, normalize by B[f,c],
 * warp onto the canvas (Lanczos-3 or bilinear; CFA-aware for mosaics), match the local background
 * to the reference frame's (P6.4), measure the local metrics of every tile (P6.5) and write the
 * frames into the cell store. Outputs: their blocks in work/cells.f32 and one line per frame in
 * work/prepare.jsonl (appended last, the unit's done marker). The reference frame also writes
 * work/localbg/reference.json (m_ref).
 */
export interface PreparePayload {
  readonly runDir: string;
  /**
   * Frames of consecutive usable ordinals (resources/memory-model.ts, storeGroupFrames), each with
   * B[f,c] of its P2 record (the host holds them all: no worker reads P2's records).
   */
  readonly frames: ReadonlyArray<{ readonly frame: number; readonly background: number[] }>;
}

export interface PrepareRecord {
  readonly frame: number;
  readonly fu: number;
  /** Per tile (row-major id): the P6.5 metrics or null when the tile is missing in this frame. */
  readonly tiles: Array<TileMetrics | null>;
  /**
   * Strict profile on colour data only: the same per colour channel (RGB planes; OSC subplanes
   * R, G, B), FWHM in canvas pixels. Absent otherwise.
   */
  readonly channelTiles?: Array<Array<TileMetrics | null>>;
  /** Local background: per colour d-grid (null for the reference or when skipped), and skip flags. */
  readonly dGrid: Array<number[] | null>;
  readonly localBackgroundSkipped: boolean[];
  readonly validPixels: number;
}

interface ReferenceCells {
  readonly grid: CellGrid;
  readonly cells: number[][];
}

export function preparePaths(ctx: RunContext) {
  return { journal: ctx.paths.workFile('prepare.jsonl'), referenceCells: ctx.paths.workFile('localbg', 'reference.json') };
}

export function tileBoxes(plan: RunPlan): Box[] {
  return plan.grid.tiles.map((t) => ({ x0: t.x0, y0: t.y0, w: t.width, h: t.height }));
}

/**
 * The frames of one unit. Frames of a group are gathered in the worker's 'group' array and go into
 * the store in one write per cell after the last of them (StoreGroup); a frame alone is written
 * straight away. The records are appended only after that write.
 */
export async function prepareFrames(env: TaskEnv, payload: PreparePayload): Promise<PrepareRecord[]> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const plan = await loadRunPlan(ctx);
  const fus = payload.frames.map(({ frame }) => {
    const fu = plan.usable.indexOf(frame);
    if (fu < 0) throw new Error(`frame ${frame} is not a usable frame of this run`);
    return fu;
  });
  if (fus.length === 0 || fus.some((fu, i) => fu !== fus[0] + i)) throw new Error(`a prepare unit needs frames of consecutive usable ordinals, got [${fus.join(', ')}]`);
  const layout = storeLayoutOf(plan);
  const groupValues = fus.length * plan.canvasWidth * plan.canvasHeight * plan.planes;
  const group = fus.length > 1 ? new StoreGroup(layout, fus[0], fus.length, env.scratch?.float32('group', groupValues)) : null;
  const records: PrepareRecord[] = [];
  // the blocks are written before the records (the units' done markers), without waiting for the
  // device: the orchestrator syncs the store once after P6 (run/store-durability.ts)
  const store = await env.fs.open(storePath(ctx), 'r+');
  try {
    for (let i = 0; i < fus.length; i++) {
      const fu = fus[i];
      const toStore = (data: Float32Array) => (group ? group.add(fu, data) : writeFrameToStore(store, layout, fu, data));
      records.push(await prepareFrame(env, ctx, plan, payload.frames[i].frame, fu, payload.frames[i].background, toStore));
    }
    if (group) await group.write(store);
  } finally {
    await store.close();
  }
  // lines of work/prepare.jsonl (run/unit-journal.ts), not fsync'd either: a record lost to a
  // restart is not read back and its frame is redone (same bytes), and a record is never present
  // without its blocks in the OS cache
  for (const r of records) await appendRecord(env.fs, preparePaths(ctx).journal, r);
  return records;
}

async function prepareFrame(
  env: TaskEnv,
  ctx: RunContext,
  plan: RunPlan,
  f: number,
  fu: number,
  background: number[],
  toStore: (data: Float32Array) => void | Promise<void>,
): Promise<PrepareRecord> {
  const out = preparePaths(ctx);
  const cfg = ctx.config;
  const frame = ctx.manifest.frames[f];
  // one decoded frame and one canvas at a time (METHOD.md 6: a 24 MP frame is 96 MB as float32):
  // the decoded frame is normalized in place and not used after the warp; the canvas is matched
  // in place. Both live in the worker's arrays, reused from task to task (a fresh 96 MB array per
  // 24 MP frame cost more in page faults than the warp: util/scratch-buffers.ts)
  const into = env.scratch?.float32('frame', frame.width * frame.height * frame.planes);
  let normalized: Image | null = normalizeFrame(await calibrateFrame(ctx, (await readFitsImage(env.fs, frame.path, { into })).image), ctx.layout, background, true);
  const M = plan.matrices[f];
  const canvasInto = env.scratch?.float32('canvas', plan.canvasWidth * plan.canvasHeight * normalized.planes);
  let canvas = warpImage(normalized, M, plan.canvasWidth, plan.canvasHeight, cfg.registration.interpolation, { cfa: ctx.layout.colorMode === 'OSC', into: canvasInto });
  normalized = null;

  let dGrid: Array<number[] | null> = [];
  let skipped: boolean[] = [];
  let offsets: ReadonlyArray<Float64Array | null> = [];
  let grid: CellGrid | null = null;
  if (cfg.normalization.local_background.enabled) {
    const cellPx = localBackgroundCellPx(cfg.normalization.local_background.cell_px, plan.grid.tileSize, plan.canvasWidth, plan.canvasHeight);
    grid = cellGridOf(plan.canvasWidth, plan.canvasHeight, cellPx);
    const isReference = f === plan.reference;
    const ref = isReference ? null : await readJson<ReferenceCells>(env.fs, out.referenceCells);
    const match = matchLocalBackground(canvas, ctx.layout, grid, ref ? ref.cells.map((c) => Float64Array.from(c, (v) => (v === null ? Number.NaN : v))) : null, {}, true);
    if (isReference) {
      await writeJson(env.fs, out.referenceCells, { grid, cells: match.cells.map((c) => Array.from(c)) });
    }
    canvas = match.image;
    offsets = match.offsets;
    dGrid = match.offsets.map((d) => (d ? Array.from(d) : null));
    skipped = match.skipped;
  }

  const validPixels = countValid(canvas.data);
  await toStore(canvas.data);
  if (cfg.output.write_registered_frames) await writeRegisteredFrame(env.fs, ctx, f, canvas);

  // the stored frame is written: from here the canvas only serves measuring. OSC: hot pixels become
  // star-like 2x2 blocks on the sliding-mean Y, so they are suppressed (in place: no second frame)
  if (ctx.layout.colorMode === 'OSC') suppressIsolatedPixelsInPlace(canvas.data, canvas.width, canvas.height);
  // mono: Y is the canvas itself (measuring only reads it); colour: Y goes into the worker's 'y' array
  const mono = ctx.layout.colorMode === 'MONO';
  const yInto = mono ? undefined : env.scratch?.float32('y', plan.canvasWidth * plan.canvasHeight);
  const yData = mono ? luminanceYView(canvas, 'MONO') : luminanceY(canvas, ctx.layout.colorMode, yInto);
  const y = { width: plan.canvasWidth, height: plan.canvasHeight, data: yData };
  const boxes = tileBoxes(plan);
  const tileOffsets = grid ? luminanceOffsetsOverBoxes(offsets, grid, boxes, ctx.layout) : undefined;
  const tiles = measureLocalMetrics(y, boxes, plan.seeingPx, tileOffsets);
  const strict = cfg.assumptions.pipeline_profile === 'strict' && ctx.layout.colorMode !== 'MONO';
  const channelTiles = strict ? channelLocalMetrics(canvas, ctx, plan, boxes, offsets, grid) : undefined;
  return { frame: f, fu, tiles, ...(channelTiles ? { channelTiles } : {}), dGrid, localBackgroundSkipped: skipped, validPixels };
}

/**
 * The non-NaN values of a canvas. A function of its own (V8 optimizes it apart from the long async
 * task; inline, the loop cost ~3x as much) and unrolled by four with two counters.
 */
export function countValid(data: Float32Array): number {
  let a = 0;
  let b = 0;
  const n4 = data.length - (data.length % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    const v0 = data[i];
    const v1 = data[i + 1];
    const v2 = data[i + 2];
    const v3 = data[i + 3];
    a += (v0 === v0 ? 1 : 0) + (v1 === v1 ? 1 : 0);
    b += (v2 === v2 ? 1 : 0) + (v3 === v3 ? 1 : 0);
  }
  for (; i < data.length; i++) a += data[i] === data[i] ? 1 : 0;
  return a + b;
}

/**
 * output.write_registered_frames (METHOD.md P6.6): the frame as it enters the stack (calibrated,
 * normalized, warped onto the canvas, local background matched) as float32 FITS, NaN where it
 * has no data, under the input file's name. [DIFF: METHOD puts them in work/registered/, which a
 * successful run deletes; RUN_DIR/registered/ keeps them for the user (Siril's r_ frames).]
 */
async function writeRegisteredFrame(fs: FileSystem, ctx: RunContext, f: number, canvas: Image): Promise<void> {
  const frame = ctx.manifest.frames[f];
  const cards: FitsCard[] = [];
  if (frame.exposure_s !== null) cards.push({ key: 'EXPTIME', value: frame.exposure_s, type: 'float', comment: 'exposure of the input frame [s]' });
  if (frame.date_obs) cards.push({ key: 'DATE-OBS', value: frame.date_obs, type: 'string' });
  if (ctx.layout.colorMode === 'OSC' && ctx.layout.pattern) cards.push({ key: 'BAYERPAT', value: ctx.layout.pattern, type: 'string' });
  const dir = ctx.paths.file('registered');
  await fs.mkdirp(dir);
  await writeFitsImage(fs, fs.join(dir, registeredFrameName(frame.name)), canvas, {
    bitpix: -32,
    cards,
    history: [`Tile Compile: ${frame.name} registered onto the reference canvas, divided by its background (sky = 1), local background matched; NaN = no data`],
  });
}

/** The file name of a registered frame: the input's name with a .fits extension (compressed inputs are written plain). */
export function registeredFrameName(inputName: string): string {
  return inputName.replace(/\.(fits?|fts)(\.fz)?$/i, '') + '.fits';
}

/**
 * Strict profile (METHOD.md 1.4, P6.5 "strict: each plane"): local metrics per colour channel.
 * RGB: each plane with the tile boxes; OSC: the half-resolution subplanes R, G = mean(G1, G2), B
 * with the boxes mapped onto them and seeing F/2, FWHM reported back in canvas pixels. The tile
 * offset of a channel is the mean of that colour's D_f over the full-resolution box.
 */
function channelLocalMetrics(
  canvas: Image,
  ctx: RunContext,
  plan: RunPlan,
  boxes: readonly Box[],
  offsets: ReadonlyArray<Float64Array | null>,
  grid: CellGrid | null,
): Array<Array<TileMetrics | null>> {
  const { colorMode, pattern } = ctx.layout;
  const osc = colorMode === 'OSC';
  let planes: Plane[];
  if (osc) {
    if (!pattern) throw new Error('OSC data without a Bayer pattern');
    planes = oscSubplanes(canvas.data, canvas.width, canvas.height, pattern);
  } else {
    planes = [0, 1, 2].map((c) => ({ width: canvas.width, height: canvas.height, data: planeView(canvas, c) }));
  }
  return planes.map((plane, c) => {
    const tileOffsets = grid ? boxes.map((b) => meanOffsetOverBox(offsets[c] ?? null, grid, b)) : undefined;
    const chBoxes = osc ? boxes.map(subplaneBox) : boxes;
    const metrics = measureLocalMetrics(plane, chBoxes, osc ? plan.seeingPx / 2 : plan.seeingPx, tileOffsets);
    return osc ? metrics.map((m) => (m ? { ...m, fwhm: 2 * m.fwhm } : null)) : metrics;
  });
}

/** What crosses back to the orchestrator: a summary; the full record stays on disk. */
export interface PrepareSummary {
  readonly frame: number;
  readonly fu: number;
  readonly validPixels: number;
  readonly localBackgroundSkipped: boolean[];
}

export function summarizePrepare(r: PrepareRecord): PrepareSummary {
  return { frame: r.frame, fu: r.fu, validPixels: r.validPixels, localBackgroundSkipped: r.localBackgroundSkipped };
}

/** The P6 records in work/prepare.jsonl, by frame (`seal` as readRecords). */
export function readPrepareRecords(ctx: RunContext, seal = false): Promise<Map<number, PrepareRecord>> {
  return readRecords<PrepareRecord>(ctx.fs, preparePaths(ctx).journal, (r) => r.frame, seal);
}

registerTaskHandler('prepare', async (env, payload) => (await prepareFrames(env, payload as PreparePayload)).map(summarizePrepare));
