import { readFitsImage } from '../../fits/reader';
import { luminanceYView, proxyOf } from '../../image/views';
import { measureBackground } from '../background';
import { frameLinearity, type LinearityStats } from '../linearity';
import { measureGlobalMetrics, type GlobalMetrics } from '../global-metrics';
import { measureFrameStars } from '../measure-star';
import { normalizeFrame } from '../normalize';
import { detectStars, type Star } from '../registration/stars';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readJson, writeFloat32, writeJson } from '../run/run-files';
import { calibrateFrame } from './calibrate';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * P2 — pass 1 over one frame (one frame in RAM): background per colour, normalization, proxy,
 * global metrics, registration stars, frame star metrics. Outputs, each written atomically:
 *   work/proxy/<f>.f32   half-resolution proxy P (float32)
 *   work/stars/<f>.json  registration stars on P
 *   work/measure/<f>.json the frame's P2 record (the unit's done marker: written last)
 * None is fsync'd (run-pipeline.ts measureUnitTrusted): a killed process loses nothing the OS has
 * cached, and the record carries the boot it was written under. The proxy and stars serve P4 only
 * and are deleted once P4 is done.
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

/** Written without fsync: see the comment at the top. */
const VOLATILE = { durable: false } as const;

export function measurePaths(ctx: RunContext, f: number) {
  return {
    proxy: ctx.paths.workFile('proxy', `${f}.f32`),
    stars: ctx.paths.workFile('stars', `${f}.json`),
    record: ctx.paths.workFile('measure', `${f}.json`),
  };
}

export async function measureFrame(env: TaskEnv, payload: MeasurePayload): Promise<MeasureRecord> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const frame = ctx.manifest.frames[payload.frame];
  const out = measurePaths(ctx, payload.frame);
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
    await writeJson(env.fs, out.record, record, VOLATILE);
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
  // the unit counts as done only when the host records it, after all three
  await Promise.all([writeFloat32(env.fs, out.proxy, proxy.data, VOLATILE), writeJson(env.fs, out.stars, stars, VOLATILE), writeJson(env.fs, out.record, record, VOLATILE)]);
  return record;
}

export async function readMeasureRecord(ctx: RunContext, f: number): Promise<MeasureRecord> {
  return readJson<MeasureRecord>(ctx.fs, measurePaths(ctx, f).record);
}

registerTaskHandler('measure', (env, payload) => measureFrame(env, payload as MeasurePayload));
