import { readFitsImage } from '../../fits/reader';
import { luminanceYView, proxyOf } from '../../image/views';
import { measureBackground } from '../background';
import { frameLinearity, type LinearityStats } from '../linearity';
import { measureGlobalMetrics, type GlobalMetrics } from '../global-metrics';
import { measureFrameStars } from '../measure-star';
import { normalizeFrame } from '../normalize';
import { detectStars, type Star } from '../registration/stars';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readExactly, type FileSystem } from '../../io/file-system';
import { writeAt } from '../run/run-files';
import { appendRecord, readRecords } from '../run/unit-journal';
import { calibrateFrame } from './calibrate';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P2 — pass 1 over one frame (one frame in RAM): background per colour, normalization, proxy,
 * global metrics, registration stars, frame star metrics. Outputs:
 *   work/proxies.f32     the frame's slot (proxySlot): the half-resolution proxy P (float32) and
 *                        the registration stars on P (float64)
 *   work/measure.jsonl   the frame's P2 record (run/unit-journal.ts; written last)
 * None is fsync'd (run-pipeline.ts measureUnitTrusted): a killed process loses nothing the OS has
 * cached, and the record carries the boot it was written under. The slots serve P4 only and are
 * deleted once P4 is done.
 */
export interface MeasurePayload {
  readonly runDir: string;
  readonly frame: number;
  /** Measure the linearity heuristic's statistics too (a frame of linearitySample). */
  readonly linearity?: boolean;
  /** The boot the run goes on under (RunHost.bootId), recorded in the record; null = unknown. */
  readonly boot?: string | null;
}

export interface MeasureRecord {
  readonly frame: number;
  readonly file: string;
  readonly status: 'ok' | 'excluded';
  readonly reason: string | null;
  /** B[f,c] raw background per colour (MONO [B]; OSC/RGB [R, G, B]). */
  readonly background: number[];
  readonly backgroundFallback: boolean[];
  /** Per metric channel (practical: one; strict: one per colour). */
  readonly metrics: GlobalMetrics[];
  readonly fwhm: number | null;
  readonly roundness: number | null;
  readonly stars: number;
  readonly registrationStars: number;
  readonly proxyWidth: number;
  readonly proxyHeight: number;
  /** The linearity heuristic's statistics of the uncalibrated frame, when the payload asked. */
  readonly linearity?: LinearityStats;
  /**
   * The boot the unsynced outputs were written under (null = unknown). Absent in records of
   * versions that fsync'd them.
   */
  readonly boot?: string | null;
}

export function measurePaths(ctx: RunContext) {
  return { slots: ctx.paths.workFile('proxies.f32'), journal: ctx.paths.workFile('measure.jsonl') };
}

/** The star fields a slot keeps, in order (Star). */
const STAR_FIELDS = ['x', 'y', 'flux', 'fwhm', 'roundness', 'peak'] as const;

export interface ProxySlot {
  /** Byte offset of the frame's slot in work/proxies.f32 (frame index × bytes). */
  readonly offset: number;
  readonly bytes: number;
  readonly proxyWidth: number;
  readonly proxyHeight: number;
  /** Byte offset of the stars inside the slot: their count, then STAR_FIELDS per star (float64). */
  readonly starsAt: number;
  readonly maxStars: number;
}

/**
 * Frame f's slot of work/proxies.f32: every frame of a run has the manifest's size (others are
 * excluded by the scan), so every proxy is (W/2)×(H/2) (blockMean2x2) and at most star_topk stars.
 */
export function proxySlot(ctx: RunContext, f: number): ProxySlot {
  const proxyWidth = ctx.manifest.width >> 1;
  const proxyHeight = ctx.manifest.height >> 1;
  const maxStars = ctx.config.registration.star_topk;
  const starsAt = Math.ceil((proxyWidth * proxyHeight * 4) / 8) * 8;
  const bytes = starsAt + 8 * (1 + STAR_FIELDS.length * maxStars);
  return { offset: f * bytes, bytes, proxyWidth, proxyHeight, starsAt, maxStars };
}

/** The slot's bytes: the proxy, then the stars (float64, exact: the values JSON held before). */
function encodeSlot(slot: ProxySlot, proxy: Float32Array, stars: readonly Star[]): Uint8Array {
  if (proxy.length !== slot.proxyWidth * slot.proxyHeight) throw new Error(`proxy of ${proxy.length} values does not fit its slot of ${slot.proxyWidth}x${slot.proxyHeight}; this is a bug`);
  if (stars.length > slot.maxStars) throw new Error(`${stars.length} stars do not fit the slot's ${slot.maxStars}; this is a bug`);
  const end = slot.starsAt + 8 * (1 + STAR_FIELDS.length * stars.length);
  const buffer = new ArrayBuffer(end);
  new Float32Array(buffer, 0, proxy.length).set(proxy);
  const s = new Float64Array(buffer, slot.starsAt);
  s[0] = stars.length;
  stars.forEach((star, i) => STAR_FIELDS.forEach((k, j) => (s[1 + i * STAR_FIELDS.length + j] = star[k])));
  return new Uint8Array(buffer);
}

/** Writes frame f's proxy and registration stars into its slot of work/proxies.f32 (which exists). */
export async function writeProxySlot(fs: FileSystem, ctx: RunContext, f: number, proxy: Float32Array, stars: readonly Star[]): Promise<void> {
  const slot = proxySlot(ctx, f);
  await writeAt(fs, measurePaths(ctx).slots, encodeSlot(slot, proxy, stars), slot.offset);
}

/**
 * Whether a file of `fileSize` bytes holds frame r.frame's whole slot as its record describes it
 * (the proxy's size and the stars up to the last one the record counts).
 */
export function proxySlotWritten(ctx: RunContext, r: MeasureRecord, fileSize: number): boolean {
  const slot = proxySlot(ctx, r.frame);
  return r.proxyWidth === slot.proxyWidth && r.proxyHeight === slot.proxyHeight && fileSize >= slot.offset + slot.starsAt + 8 * (1 + STAR_FIELDS.length * r.registrationStars);
}

/** Frame f's proxy and registration stars from its slot (a value JSON wrote as null stays null). */
export async function readProxySlot(ctx: RunContext, f: number): Promise<{ proxy: Float32Array; width: number; height: number; stars: Star[] }> {
  const slot = proxySlot(ctx, f);
  const file = await ctx.fs.open(measurePaths(ctx).slots, 'r');
  try {
    const proxy = new Float32Array(slot.proxyWidth * slot.proxyHeight);
    const head = new Float64Array(1);
    // side by side: the proxy, and the star count (the slot ends after its frame's stars)
    await Promise.all([readExactly(file, slot.offset, proxy.length * 4, new Uint8Array(proxy.buffer)), readExactly(file, slot.offset + slot.starsAt, 8, new Uint8Array(head.buffer))]);
    const count = head[0];
    if (!(Number.isInteger(count) && count >= 0 && count <= slot.maxStars)) throw new Error(`${file.path}: frame ${f}'s slot holds no valid star count (${count})`);
    const values = new Float64Array(count * STAR_FIELDS.length);
    if (values.length > 0) await readExactly(file, slot.offset + slot.starsAt + 8, values.length * 8, new Uint8Array(values.buffer));
    const stars: Star[] = [];
    for (let i = 0; i < count; i++) {
      const star: Record<string, number | null> = {};
      STAR_FIELDS.forEach((k, j) => {
        const v = values[i * STAR_FIELDS.length + j];
        star[k] = Number.isFinite(v) ? v : null;
      });
      stars.push(star as unknown as Star);
    }
    return { proxy, width: slot.proxyWidth, height: slot.proxyHeight, stars };
  } finally {
    await file.close();
  }
}

export async function measureFrame(env: TaskEnv, payload: MeasurePayload): Promise<MeasureRecord> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const frame = ctx.manifest.frames[payload.frame];
  const out = measurePaths(ctx);
  // decoded into the worker's frame array (reused from task to task: util/scratch-buffers.ts)
  const into = env.scratch?.float32('frame', frame.width * frame.height * frame.planes);
  const raw = (await readFitsImage(env.fs, frame.path, { into })).image;
  // on the frame as the camera wrote it (calibration works in place)
  const linearity = payload.linearity ? { linearity: frameLinearity(raw) } : {};
  const image = await calibrateFrame(ctx, raw);
  const bg = measureBackground(image, ctx.layout);
  if (!bg.ok) {
    const record: MeasureRecord = {
      frame: payload.frame,
      file: frame.name,
      status: 'excluded',
      reason: 'NO_POSITIVE_BACKGROUND',
      background: bg.background,
      backgroundFallback: bg.usedFallback,
      metrics: [],
      fwhm: null,
      roundness: null,
      stars: 0,
      registrationStars: 0,
      proxyWidth: 0,
      proxyHeight: 0,
      ...linearity,
      boot: payload.boot ?? null,
    };
    await appendRecord(env.fs, out.journal, record);
    return record;
  }
  // the decoded frame is this task's own copy and is not read again: normalized in place
  const normalized = normalizeFrame(image, ctx.layout, bg.background, true);
  const proxy = proxyOf(normalized);
  const metrics = measureGlobalMetrics(normalized, ctx.layout, bg.background, ctx.config.assumptions.pipeline_profile, proxy);
  const stars: Star[] = detectStars(proxy.data, proxy.width, proxy.height, { topK: ctx.config.registration.star_topk });
  const y = luminanceYView(normalized, ctx.layout.colorMode);
  const frameStars = measureFrameStars(y, normalized.width, normalized.height, stars);
  const record: MeasureRecord = {
    frame: payload.frame,
    file: frame.name,
    status: 'ok',
    reason: null,
    background: bg.background,
    backgroundFallback: bg.usedFallback,
    metrics,
    fwhm: frameStars.fwhm,
    roundness: frameStars.roundness,
    stars: frameStars.stars,
    registrationStars: stars.length,
    proxyWidth: proxy.width,
    proxyHeight: proxy.height,
    ...linearity,
    boot: payload.boot ?? null,
  };
  // the slot, then the record; the unit counts as done only when the host records it, after both
  await writeProxySlot(env.fs, ctx, payload.frame, proxy.data, stars);
  await appendRecord(env.fs, out.journal, record);
  return record;
}

/** The P2 records in work/measure.jsonl, by frame (`seal` as readRecords). */
export function readMeasureRecords(ctx: RunContext, seal = false): Promise<Map<number, MeasureRecord>> {
  return readRecords<MeasureRecord>(ctx.fs, measurePaths(ctx).journal, (r) => r.frame, seal);
}

registerTaskHandler('measure', (env, payload) => measureFrame(env, payload as MeasurePayload));
