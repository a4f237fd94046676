import { readFitsHeader, readFitsImage, readFitsRows, headerSummary } from '../../fits/reader';
import { writeFitsImage } from '../../fits/writer';
import type { Image } from '../../image/image';
import { median } from '../../image/stats';
import { matchesPattern, naturalCompare } from '../../util/natural-sort';
import { sha256Hex } from '../../util/seed';
import { combineFrames, normalizeFlat, selectDarks } from '../calibration';
import { resolveFrameFormat } from '../frame-format';
import { PipelineError } from '../run/pipeline-error';
import { writeFloat32, writeJson } from '../run/run-files';
import type { Runtime } from '../run/runtime';
import { mastersPaths } from '../tasks/calibrate';

/**
 * P1 — master bias, dark and flat from folders (or master files), built in row bands so that only
 * one band of every calibration frame is in memory (METHOD.md section 6: "P1 one row band of
 * calibration frames"). Writes work/masters/{bias,dark,flat}.fits for the user, the combined
 * offset (bias + scaled dark) and normalized flat as float32 for the P2/P6 units, and
 * metrics/calibration.json with their sha256.
 */
const BAND_BYTES = 128 * 1024 * 1024;

interface Geometry {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
}

export async function buildMasters(rt: Runtime): Promise<Record<string, unknown>> {
  const { fs } = rt.host;
  const ctx = rt.ctx;
  const cfg = ctx.config.calibration;
  const m = ctx.manifest;
  const geo: Geometry = { width: m.width, height: m.height, planes: m.planes };
  const lights = m.frames.filter((f) => f.excluded === null);
  const exposures = lights.map((f) => f.exposure_s).filter((e): e is number => e !== null);
  const lightExposure = exposures.length > 0 ? median(exposures) : null;
  const lightTemp = await medianLightTemp(rt, lights.map((f) => f.path));
  const summary: Record<string, unknown> = {};
  const written: Array<{ kind: string; path: string; sha256: string; frames: string[] }> = [];
  const size = geo.width * geo.height * geo.planes;

  let bias: Float32Array | null = null;
  if (cfg.use_bias) {
    const r = cfg.bias_use_master ? await loadMaster(rt, cfg.bias_master, geo, 'bias') : await combineFolder(rt, cfg.bias_dir, geo, null, 'bias');
    bias = r.data;
    written.push(await saveMaster(rt, 'bias', bias, geo, r.files));
  }
  let dark: Float32Array | null = null;
  let darkScale = 1;
  if (cfg.use_dark) {
    if (cfg.dark_use_master) {
      const r = await loadMaster(rt, cfg.dark_master, geo, 'dark');
      dark = r.data;
      written.push(await saveMaster(rt, 'dark', dark, geo, r.files));
    } else {
      const files = await listFrames(rt, cfg.darks_dir, 'darks');
      const heads = await Promise.all(files.map(async (f) => headerSummary((await readFitsHeader(fs, f)).header)));
      const sel = selectDarks(
        heads.map((h) => ({ exposureS: h.exptime ?? null, tempC: h.ccdTemp ?? null })),
        { exposureS: lightExposure, tempC: lightTemp },
        {
          autoSelect: cfg.dark_auto_select,
          tolerancePercent: cfg.dark_match_exposure_tolerance_percent,
          useTemp: cfg.dark_match_use_temp,
          tempToleranceC: cfg.dark_match_temp_tolerance_c,
          scaleToExposure: cfg.dark_scale_to_exposure,
          biasSubtracted: bias !== null,
        },
      );
      if (sel === null) {
        throw new PipelineError(
          'CALIBRATION_MISMATCH',
          `no dark in ${cfg.darks_dir} matches the lights' exposure of ${lightExposure ?? '?'} s (±${cfg.dark_match_exposure_tolerance_percent} %)${cfg.dark_match_use_temp ? ` and temperature ${lightTemp ?? '?'} °C (±${cfg.dark_match_temp_tolerance_c})` : ''}; add matching darks, or set calibration.dark_scale_to_exposure: true with use_bias`,
        );
      }
      const r = await combineFolder(rt, cfg.darks_dir, geo, bias, 'dark', sel.use.map((i) => files[i]));
      dark = r.data;
      darkScale = sel.scale;
      summary.dark_selection = sel.reason;
      written.push(await saveMaster(rt, 'dark', dark, geo, r.files));
    }
  }
  let flat: Float32Array | null = null;
  if (cfg.use_flat) {
    const r = cfg.flat_use_master ? await loadMaster(rt, cfg.flat_master, geo, 'flat') : await combineFolder(rt, cfg.flats_dir, geo, bias, 'flat');
    const normalized = normalizeFlat({ ...geo, data: r.data }, ctx.layout.colorMode === 'OSC' ? (ctx.layout.pattern ?? null) : null);
    flat = normalized.data;
    written.push(await saveMaster(rt, 'flat', flat, geo, r.files));
  }

  const paths = mastersPaths(ctx);
  if (bias || dark) {
    const offset = new Float32Array(size);
    for (let i = 0; i < size; i++) offset[i] = (bias ? bias[i] : 0) + (dark ? darkScale * dark[i] : 0);
    await writeFloat32(fs, paths.offset, offset);
  }
  if (flat) await writeFloat32(fs, paths.flat, flat);
  await writeJson(fs, ctx.paths.metricsFile('calibration.json'), { masters: written, dark_scale: darkScale, light_exposure_s: lightExposure, light_temp_c: lightTemp, ...summary });
  return { masters: written.map((w) => w.kind), dark_scale: darkScale };
}

async function medianLightTemp(rt: Runtime, paths: string[]): Promise<number | null> {
  if (!rt.ctx.config.calibration.dark_match_use_temp) return null;
  const temps: number[] = [];
  for (const p of paths) {
    const t = headerSummary((await readFitsHeader(rt.host.fs, p)).header).ccdTemp;
    if (t !== undefined) temps.push(t);
  }
  return temps.length > 0 ? median(temps) : null;
}

async function listFrames(rt: Runtime, dir: string, what: string): Promise<string[]> {
  const { fs } = rt.host;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    throw new PipelineError('CALIBRATION_MISMATCH', `the ${what} folder ${dir} does not exist or cannot be read`);
  }
  const files = names.filter((n) => matchesPattern(n, rt.ctx.config.input.pattern)).sort(naturalCompare).map((n) => fs.join(dir, n));
  if (files.length === 0) throw new PipelineError('CALIBRATION_MISMATCH', `no FITS ${what} in ${dir}`);
  return files;
}

async function checkGeometry(rt: Runtime, file: string, geo: Geometry, what: string): Promise<void> {
  const { header, info } = await readFitsHeader(rt.host.fs, file);
  if (info.width !== geo.width || info.height !== geo.height || info.planes !== geo.planes) {
    throw new PipelineError('CALIBRATION_MISMATCH', `${file}: ${what} frame is ${info.width}×${info.height}×${info.planes}, the lights are ${geo.width}×${geo.height}×${geo.planes}`);
  }
  const lightPattern = rt.ctx.layout.pattern ?? null;
  if (lightPattern !== null) {
    const s = headerSummary(header);
    const f = resolveFrameFormat({ planes: info.planes, bayerpat: header.getString('BAYERPAT'), colortyp: header.getString('COLORTYP'), xBayerOffset: s.xBayerOffset, yBayerOffset: s.yBayerOffset }, { color_mode: 'auto', bayer_pattern: 'auto' });
    if (f.bayerPattern !== null && f.bayerPattern !== lightPattern) {
      throw new PipelineError('CALIBRATION_MISMATCH', `${file}: ${what} Bayer pattern ${f.bayerPattern} differs from the lights' ${lightPattern}`);
    }
  }
}

/** Sigma-clipped mean of the frames of `dir` (or `only`), minus `subtract`, in row bands. */
async function combineFolder(rt: Runtime, dir: string, geo: Geometry, subtract: Float32Array | null, what: string, only?: string[]): Promise<{ data: Float32Array; files: string[] }> {
  const files = only ?? (await listFrames(rt, dir, what));
  for (const f of files) await checkGeometry(rt, f, geo, what);
  const { width: W, height: H, planes } = geo;
  const n = files.length;
  const out = new Float32Array(W * H * planes);
  const bandRows = Math.max(1, Math.min(H, Math.floor(BAND_BYTES / (n * W * planes * 4))));
  for (let y0 = 0; y0 < H; y0 += bandRows) {
    const y1 = Math.min(H, y0 + bandRows);
    const rows = y1 - y0;
    const size = planes * rows * W;
    const stack = new Float32Array(n * size);
    for (let f = 0; f < n; f++) {
      const band = await readFitsRows(rt.host.fs, files[f], y0, y1);
      if (subtract) {
        for (let c = 0; c < planes; c++) {
          for (let k = 0; k < rows * W; k++) band[c * rows * W + k] -= subtract[(c * H + y0) * W + k];
        }
      }
      stack.set(band, f * size);
    }
    const combined = combineFrames(stack, n, size);
    for (let c = 0; c < planes; c++) out.set(combined.subarray(c * rows * W, (c + 1) * rows * W), (c * H + y0) * W);
  }
  return { data: out, files: files.map((f) => rt.host.fs.basename(f)) };
}

async function loadMaster(rt: Runtime, path: string, geo: Geometry, what: string): Promise<{ data: Float32Array; files: string[] }> {
  await checkGeometry(rt, path, geo, `master ${what}`);
  const { image } = await readFitsImage(rt.host.fs, path);
  return { data: image.data, files: [rt.host.fs.basename(path)] };
}

async function saveMaster(rt: Runtime, kind: string, data: Float32Array, geo: Geometry, files: string[]) {
  const path = rt.ctx.paths.workFile('masters', `${kind}.fits`);
  await rt.host.fs.mkdirp(rt.ctx.paths.workFile('masters'));
  const image: Image = { ...geo, data };
  await writeFitsImage(rt.host.fs, path, image, { history: [`Tile Compile master ${kind} from ${files.length} frame(s)`] });
  return { kind, path: `work/masters/${kind}.fits`, sha256: sha256Hex(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)), frames: files };
}
