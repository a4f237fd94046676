import { readFitsHeader, carryOverCards } from '../../fits/reader';
import type { FitsCard } from '../../fits/types';
import { writeFitsImage } from '../../fits/writer';
import type { Image } from '../../image/image';
import { luminanceY, proxyOf } from '../../image/views';
import { delay } from '../../util/delay';
import { finishImage, debayerMosaic, type FinishResult } from '../finish';
import { measureFrameStars } from '../measure-star';
import { renderPreview } from '../preview';
import { barChart, scalarMap, tileValueMap, type MapPixels } from '../qa-maps';
import { detectStars, type Star } from '../registration/stars';
import { writeFloat32, writeJson } from '../run/run-files';
import type { RunPlan } from '../run/run-plan';
import type { Runtime } from '../run/runtime';
import { meanTileWeights, validateResult, type ValidationReport } from '../validation';
import type { LocalWeights } from '../local-weights';
import type { MeasureRecord } from '../tasks/measure-task';
import { qaPlanePath, type QaTiles, type QaTilesPayload } from '../tasks/qa-task';
import type { TaskUnit } from '../tasks/executor';
import type { AssembleResult } from './assemble-phase';
import { APP_VERSION, ENGINE_VERSION } from '../../version';
import type { BoundarySummary } from '../boundary-diagnostics';

/**
 * P12 finish (scale to input ADU, debayer, cosmetics, validity, crop; stack.fits with a COVERAGE
 * extension and provenance; preview.png) and P13 validation (never aborts: failures set the run
 * status validation_failed with complete outputs), plus the QA maps.
 */
export interface FinishPhaseResult {
  readonly finished: FinishResult;
  readonly validation: ValidationReport;
  readonly fwhmResult: number | null;
  readonly fwhmMean: number | null;
}

function luminancePlane(img: Image): Image {
  if (img.planes === 1) return img;
  return { width: img.width, height: img.height, planes: 1, data: luminanceY(img, 'RGB') };
}

/**
 * FWHM of an image by the P2.6 method (proxy stars as seeds, measure_star on full resolution).
 * `seedsFrom` (same size) supplies the seeds instead: P13 measures the result and the mean stack at
 * the same stars [DIFF: REF detects in each image], so the comparison is not decided by which of
 * the brightest stars each image happened to list.
 */
export function imageFwhm(img: Image, topK: number, seedsFrom?: Image): number | null {
  return fwhmAtSeeds(img, fwhmSeeds(seedsFrom ?? img, topK));
}

/** The seed stars of imageFwhm: found on the proxy of the image's luminance. */
export function fwhmSeeds(img: Image, topK: number): { readonly width: number; readonly height: number; readonly stars: Star[] } {
  const p = proxyOf(luminancePlane(img));
  return { width: img.width, height: img.height, stars: detectStars(p.data, p.width, p.height, { topK }) };
}

/** imageFwhm at seeds found once (P13 measures the result and the mean stack at the same ones). */
export function fwhmAtSeeds(img: Image, seeds: ReturnType<typeof fwhmSeeds>): number | null {
  if (seeds.width !== img.width || seeds.height !== img.height) throw new RangeError('imageFwhm: the seed image differs in size');
  const lum = luminancePlane(img);
  return measureFrameStars(lum.data, lum.width, lum.height, seeds.stars).fwhm;
}

/** B[f,c] of the usable frames per colour: what P12 scales the stacked (normalized) data back by. */
export function usableBackgrounds(colorMode: string, plan: RunPlan, measures: ReadonlyMap<number, MeasureRecord>): number[][] {
  const nColours = colorMode === 'MONO' ? 1 : 3;
  return Array.from({ length: nColours }, (_, c) => plan.usable.map((f) => measures.get(f)?.background[c] ?? Number.NaN));
}

export async function finishRun(
  rt: Runtime,
  plan: RunPlan,
  assembled: AssembleResult,
  measures: ReadonlyMap<number, MeasureRecord>,
  lw: LocalWeights,
  boundaries: BoundarySummary,
  ess: number,
): Promise<FinishPhaseResult> {
  const { fs } = rt.host;
  const ctx = rt.ctx;
  const cfg = ctx.config;
  const colorMode = ctx.layout.colorMode;
  const backgrounds = usableBackgrounds(colorMode, plan, measures);
  const finished = finishImage(
    { stacked: assembled.result, colorMode, bayerPattern: ctx.layout.pattern, backgrounds, coverage: assembled.coverage, nUsable: plan.usable.length },
    cfg,
  );

  // provenance (STYLE.md 13): cards from the reference frame, then what this run did
  const refFrame = ctx.manifest.frames[plan.reference];
  const refHeader = (await readFitsHeader(fs, refFrame.path)).header;
  const usableFrames = plan.usable.map((f) => ctx.manifest.frames[f]);
  const exposures = usableFrames.map((f) => f.exposure_s).filter((e): e is number => e !== null);
  const dates = usableFrames.map((f) => f.date_obs).filter((d): d is string => d !== null).sort();
  const skip = new Set(['EXPTIME', 'EXPOSURE', 'DATE-OBS', 'BAYERPAT', 'COLORTYP', 'XBAYROFF', 'YBAYROFF', 'NCOMBINE']);
  const carried = carryOverCards(refHeader).filter((c) => !skip.has(c.key) && !(finished.image.planes === 3 && c.key === 'BAYERPAT'));
  const cards: FitsCard[] = [
    ...carried,
    ...(exposures.length > 0 ? [{ key: 'EXPTIME', value: exposures[0], type: 'float' as const, comment: 'single-frame exposure [s]' }] : []),
    { key: 'TOTALEXP', value: exposures.reduce((s, e) => s + e, 0), type: 'float', comment: 'sum of usable exposures [s]' },
    { key: 'NCOMBINE', value: plan.usable.length, type: 'int', comment: 'usable frames stacked' },
    ...(dates.length > 0
      ? [
          { key: 'DATE-OBS', value: dates[0], type: 'string' as const, comment: 'earliest frame start' },
          { key: 'DATE-END', value: dates[dates.length - 1], type: 'string' as const, comment: 'latest frame start' },
        ]
      : []),
    ...(finished.image.planes === 1 && colorMode === 'OSC' && ctx.layout.pattern ? [{ key: 'BAYERPAT', value: ctx.layout.pattern, type: 'string' as const }] : []),
    { key: 'CREATOR', value: `Tile Compile ${APP_VERSION}`, type: 'string' },
  ];
  const history = [
    `${ENGINE_VERSION} tile-based quality reconstruction`,
    `config_hash ${ctx.configHash}`,
    `frames_manifest_id ${ctx.manifest.frames_manifest_id}`,
    `mode ${plan.mode.mode}${plan.mode.emergency ? ' (emergency)' : ''} N=${plan.usable.length}`,
    `tile T=${plan.grid.tileSize} O=${plan.grid.overlap} S=${plan.grid.stride} tiles=${plan.grid.tiles.length}`,
    `k_global=${cfg.global_metrics.weight_exponent_scale} k_local=${cfg.local_metrics.weight_exponent_scale}`,
    `reference frame ${refFrame.name}`,
    `stacking ${cfg.stacking.method} interpolation ${cfg.registration.interpolation}`,
    ...(colorMode === 'OSC' && cfg.debayer ? [`debayer ${cfg.stacking.debayer_method}`] : []),
  ];
  await fs.mkdirp(ctx.paths.result);
  const cov = finished.coverage;
  // awaited before the preview: writing it in the background held its coverage extension's bytes
  // (96 MB at 24 MP) next to the preview and put the host's L50 peak 99 MB above its plan
  await writeFitsImage(fs, ctx.paths.file('result', 'stack.fits'), finished.image, {
    bitpix: -32,
    cards,
    history,
    extensions: [{ name: 'COVERAGE', image: { width: finished.image.width, height: finished.image.height, data: cov } }],
  });
  if (finished.mosaic) {
    await writeFitsImage(fs, ctx.paths.file('result', 'stack_mosaic.fits'), finished.mosaic, { bitpix: -32, cards: [...cards, { key: 'BAYERPAT', value: ctx.layout.pattern ?? 'RGGB', type: 'string' }], history });
  }
  // QA baseline for bench/quality.ts: the equal-weight mean finished exactly like the result
  if (cfg.output.write_mean_stack) await writeFitsImage(fs, ctx.paths.file('result', 'mean_stack.fits'), finishImage({ stacked: assembled.mean, colorMode, bayerPattern: ctx.layout.pattern, backgrounds, coverage: assembled.coverage, nUsable: plan.usable.length }, cfg).image, { bitpix: -32, cards, history: [...history, 'equal-weight mean of the same registered frames (QA baseline)'] });
  if (cfg.output.preview) {
    // awaited here: a full-size 8-bit preview (72 MB at 24 MP) is not held into validation
    const pv = renderPreview(finished.image, { depth: 8 });
    await fs.writeFileAtomic(ctx.paths.file('result', 'preview.png'), await rt.host.encodePng({ width: pv.width, height: pv.height, channels: pv.channels, data: pv.data }));
  }

  // P13 validation on the linear result vs the equal-weight mean of the same frames
  // both with the configured demosaic (stacking.debayer_method), like stack.fits and mean_stack.fits
  const method = cfg.stacking.debayer_method;
  const meanImage = colorMode === 'OSC' && cfg.debayer ? debayerMosaic(assembled.mean.data, assembled.mean.width, assembled.mean.height, ctx.layout.pattern ?? 'RGGB', method) : assembled.mean;
  const resultForQa = colorMode === 'OSC' && cfg.debayer ? debayerMosaic(assembled.result.data, assembled.result.width, assembled.result.height, ctx.layout.pattern ?? 'RGGB', method) : assembled.result;
  // the sharpness map's local metrics run in two workers while the host validates
  const qaTiles = cfg.output.qa_maps ? await startQaTiles(rt, resultForQa, meanImage) : null;
  const topK = cfg.registration.star_topk;
  const seeds = fwhmSeeds(meanImage, topK);
  const fwhmResult = fwhmAtSeeds(resultForQa, seeds);
  const fwhmMean = fwhmAtSeeds(meanImage, seeds);
  const mtw = meanTileWeights(lw.W, lw.nFrames, lw.nTiles);
  const validation = validateResult(
    { result: resultForQa, meanStack: meanImage, grid: plan.grid, meanTileWeights: mtw, fwhmResult, fwhmMeanStack: fwhmMean, seeing: plan.seeingPx, ess },
    cfg,
  );
  await writeJson(fs, ctx.paths.metricsFile('validation.json'), { ...validation, fwhm_result: fwhmResult, fwhm_mean_stack: fwhmMean });

  if (qaTiles) await writeQaMaps(rt, plan, lw, mtw, boundaries, assembled.coverage, qaTiles);
  return { finished, validation, fwhmResult, fwhmMean };
}

/**
 * The qa-tiles units (tasks/qa-task.ts) of the result's and the mean stack's luminance, both
 * started at once: the planes are written to work/qa/ (not fsync'd: a resume redoes the finish)
 * and each worker reads one. Returns once they are handed to the workers (the host's validation
 * that follows runs without a break, and would hold them back), with their outcome, [result, mean].
 */
async function startQaTiles(rt: Runtime, result: Image, mean: Image): Promise<{ readonly done: Promise<[QaTiles, QaTiles]> }> {
  const { fs } = rt.host;
  const ctx = rt.ctx;
  const names = ['result', 'mean'] as const;
  const planes = { result: luminancePlane(result), mean: luminancePlane(mean) };
  await Promise.all(names.map((name) => writeFloat32(fs, qaPlanePath(ctx, name), planes[name].data, { durable: false })));
  const mb = (result.width * result.height * 4) / (1024 * 1024);
  const units: TaskUnit<QaTilesPayload>[] = names.map((name, index) => ({ index, payload: { runDir: ctx.paths.root, name }, sizeMb: mb }));
  const out: QaTiles[] = [];
  const done = rt.host.executor
    .execute<QaTilesPayload, QaTiles>('qa-tiles', units, { signal: rt.signal, onDone: (i, r) => void (out[i] = r) })
    .then((): [QaTiles, QaTiles] => [out[0], out[1]]);
  // awaited by writeQaMaps; a failure before then must not count as unhandled
  done.catch(() => undefined);
  // one turn of the event loop: the units' memory permits are granted and their messages sent
  await delay(0);
  return { done };
}

async function writeQaMaps(
  rt: Runtime,
  plan: RunPlan,
  lw: LocalWeights,
  mtw: Float64Array,
  boundaries: BoundarySummary,
  coverage: Int32Array,
  qaTiles: { readonly done: Promise<[QaTiles, QaTiles]> },
): Promise<void> {
  const { fs } = rt.host;
  const grid = plan.grid;
  await fs.mkdirp(rt.ctx.paths.qa);
  // each map is encoded and written while the next is computed; the artifact events follow in order
  const written: Array<{ done: Promise<void>; event: () => void }> = [];
  const write = (name: string, kind: string, px: MapPixels) => {
    const path = rt.ctx.paths.file('qa', `${name}.png`);
    const done = (async () => fs.writeFileAtomic(path, await rt.host.encodePng({ width: px.width, height: px.height, channels: 3, data: px.data })))();
    done.catch(() => undefined);
    written.push({ done, event: () => rt.events.emit({ type: 'artifact', kind, path: `qa/${name}.png`, mime: 'image/png', min: px.min, max: px.max }) });
  };
  write('weights', 'qa_weights', barChart(plan.G));
  write('weight_map', 'qa_weight_map', tileValueMap(grid, mtw));
  write('fwhm_map', 'qa_fwhm_map', tileValueMap(grid, lw.medianFwhm));
  write('tile_quality_map', 'qa_tile_quality_map', tileValueMap(grid, lw.medianQ));
  write('tile_types', 'qa_tile_types', tileValueMap(grid, lw.tileType.map((t) => (t === 'STAR' ? 1 : 0)), 512, { min: 0, max: 1 }));
  write('coverage', 'qa_coverage', scalarMap(coverage, plan.canvasWidth, plan.canvasHeight));
  // seams: per tile, the largest mean|D| of the boundaries it shares
  const seam = new Float64Array(grid.tiles.length).fill(0);
  for (const p of boundaries.top) {
    seam[p.a] = Math.max(seam[p.a], p.meanAbs);
    seam[p.b] = Math.max(seam[p.b], p.meanAbs);
  }
  write('seams', 'qa_seams', tileValueMap(grid, seam));
  // before/after sharpness: local FWHM of the plain mean minus that of the result, in percent
  const [fr, fm] = await qaTiles.done;
  const gain = fr.nstar.map((n, t) => {
    const rf = fr.fwhm[t] ?? Number.NaN;
    const mf = fm.fwhm[t] ?? Number.NaN;
    return n > 0 && fm.nstar[t] > 0 && mf > 0 ? (100 * (mf - rf)) / mf : Number.NaN;
  });
  write('sharpness_gain', 'qa_sharpness_gain', tileValueMap(grid, gain));
  await writeJson(fs, rt.ctx.paths.metricsFile('sharpness.json'), { tiles: gain });
  for (const w of written) {
    await w.done;
    w.event();
  }
}
