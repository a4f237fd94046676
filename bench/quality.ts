import { nodeFileSystem } from '../electron/host/node-file-system';
import { createPipelineHost } from '../electron/host/pipeline-host';
import { readFitsImage } from '../shared/fits/reader';
import type { Image } from '../shared/image/image';
import { median, medianAndSigmaMad, percentile, sigmaMad } from '../shared/image/stats';
import type { FileSystem } from '../shared/io/file-system';
import { measureStar } from '../shared/pipeline/measure-star';
import { OverlapAdd } from '../shared/pipeline/overlap-add';
import type { TileGrid } from '../shared/pipeline/tile-grid';
import { tileBlock } from '../shared/pipeline/tile-reconstruction';
import { runPipeline } from '../shared/pipeline/run/run-pipeline';
import { readTileJournalFile, readTileSlot } from '../shared/pipeline/tasks/tile-task';
import { backgroundNoise, luminanceOf } from '../shared/pipeline/validation';
import { createSkySpec, writeSynthSet, type SynthOptions } from '../shared/synth';

/**
 * Quality yardstick of issue 4 (METHOD.md acceptance 17): TBQR against the equal-weight mean of the
 * same registered frames, on synthetic sets whose truth is known.
 *
 * The run writes both images (`output.write_mean_stack`), finished identically, so every number
 * below compares like with like. Truth stars are mapped to the canvas through truth/frames.json
 * (scene -> frame) and metrics/registration.json (canvas -> frame), averaged over the usable frames,
 * so registration errors shift the expected positions the way they shift the stacked stars.
 *   FWHM    median of measure_star FWHM over bright, unsaturated, isolated stars.
 *   SNR     faint isolated stars: (median faint-aperture sum - median blank-aperture sum) / robust
 *           SD of the blank sums (same aperture, radius 0.8 x the mean stack's FWHM, for both
 *           images: no help from a tighter aperture for the sharper image), each sum minus its
 *           annulus median. Medians, not means: a mean over ~50 faint stars counted the hot pixels
 *           and trail light that the mean stack keeps and pixel rejection removes as faint-star
 *           signal (equal weights, rejection on: mean-based signal -7 %, median-based -1 %;
 *           bench/QUALITY.md). The mean-based ratio is still reported (snrRatioMeanSums).
 *   flux    aperture (radius 2 x FWHM) fluxes of bright, unsaturated, isolated stars whose
 *           photometric noise (blank-aperture scatter) is below 2 %, against the truth after a
 *           linear fit m = a*t + b; the RMS relative residual, the part the noise explains, and the
 *           systematic rest sqrt(rms^2 - noise^2): flux errors the weighting made.
 *   noise   sigma_MAD of the high-passed star-free background (P13).
 *   seams   seam step at the tile window edges (seamStep), P13 tile-pattern ratios, P10 boundary
 *           diagnostics (SEAM_SUSPECT pairs).
 */

export interface QualitySet {
  readonly name: string;
  readonly synth: SynthOptions;
}

export interface StackMetrics {
  readonly fwhm: number;
  readonly faintSnr: number;
  /** The same with the mean faint sum and the mean blank sum (outlier-sensitive; for comparison). */
  readonly faintSnrMeanSums: number;
  readonly blankSd: number;
  readonly noise: number;
  readonly flux: { readonly slope: number; readonly p90AbsPct: number; readonly maxAbsPct: number; readonly rmsPct: number; readonly noisePct: number; readonly systematicPct: number; readonly n: number };
}

export interface QualityReport {
  readonly set: string;
  readonly config: string;
  readonly status: string;
  readonly seconds: number;
  readonly result: StackMetrics;
  readonly mean: StackMetrics;
  /** 100 * (FWHM_mean - FWHM_result) / FWHM_mean. */
  readonly fwhmGainPct: number;
  readonly snrRatio: number;
  readonly snrRatioMeanSums: number;
  readonly noiseRatio: number;
  /** Flux error the weighting adds: sqrt(rms_TBQR^2 - rms_mean^2) of the truth residuals, %. */
  readonly fluxAddedPct: number;
  readonly stars: { readonly fwhm: number; readonly faint: number; readonly flux: number; readonly fluxNoiseAdu: number; readonly blank: number };
  readonly seams: { readonly stepResult: number; readonly stepMean: number; readonly patternMax: number; readonly patternP95: number; readonly suspectPairs: number; readonly pairs: number };
  readonly weights: { readonly essGlobal: number; readonly n: number; readonly spearmanGvsFwhm: number };
  /** Registration against the truth: per accepted frame the largest error over the frame's corners and centre, full-resolution px. */
  readonly registration: RegistrationErrors;
}

type Row = [number, number, number];
interface TruthStar {
  readonly x: number;
  readonly y: number;
  readonly flux: number;
}

const readJson = async <T>(fs: FileSystem, path: string): Promise<T> => JSON.parse(new TextDecoder().decode(await fs.readFile(path))) as T;

function invert(m: readonly Row[]): Row[] {
  const [[a, b, tx], [c, d, ty]] = m;
  const det = a * d - b * c;
  return [
    [d / det, -b / det, (b * ty - d * tx) / det],
    [-c / det, a / det, (c * tx - a * ty) / det],
  ];
}
const apply = (m: readonly Row[], x: number, y: number): [number, number] => [m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]];

/** Truth stars on the canvas: scene -> frame (truth) -> canvas (registration), mean over usable frames. */
export async function truthOnCanvas(fs: FileSystem, synthDir: string, runDir: string): Promise<{ stars: TruthStar[]; inside: (x: number, y: number, margin: number) => boolean; fwhmByFile: Map<string, number> }> {
  const truth = await readJson<{ stars: { x: number; y: number; flux: number; flux_rgb?: number[] }[] }>(fs, fs.join(synthDir, 'truth', 'stars.json'));
  const frames = await readJson<{ width: number; height: number; frames: { file: string; matrix: Row[]; fwhm_px: number }[] }>(fs, fs.join(synthDir, 'truth', 'frames.json'));
  const reg = await readJson<{ canvas: { width: number; height: number }; frames: { file: string; matrix: Row[] | null }[] }>(fs, fs.join(runDir, 'metrics', 'registration.json'));
  const truthByFile = new Map(frames.frames.map((f) => [f.file, f]));
  const used = reg.frames.filter((f) => f.matrix !== null).map((f) => ({ toCanvas: invert(f.matrix as Row[]), toFrame: truthByFile.get(f.file)!.matrix }));
  const stars = truth.stars.map((s) => {
    let x = 0;
    let y = 0;
    for (const u of used) {
      const [fx, fy] = apply(u.toFrame, s.x, s.y);
      const [cx, cy] = apply(u.toCanvas, fx, fy);
      x += cx;
      y += cy;
    }
    // colour: the result's luminance is the mean of R, G, B
    const flux = s.flux_rgb ? (s.flux_rgb[0] + s.flux_rgb[1] + s.flux_rgb[2]) / 3 : s.flux;
    return { x: x / used.length, y: y / used.length, flux };
  });
  const { width: W, height: H } = reg.canvas;
  // a canvas point is fully covered when every usable frame holds it
  const inside = (x: number, y: number, margin: number) =>
    used.every((u) => {
      const [fx, fy] = apply(invert(u.toCanvas), x, y);
      return fx >= margin && fy >= margin && fx <= frames.width - 1 - margin && fy <= frames.height - 1 - margin;
    }) && x >= margin && y >= margin && x <= W - 1 - margin && y <= H - 1 - margin;
  return { stars, inside, fwhmByFile: new Map(frames.frames.map((f) => [f.file, f.fwhm_px])) };
}

/**
 * Registration errors against the truth. For a canvas point q the reference frame sees M_ref(q); the
 * truth maps that to the scene (T_ref^-1) and on to the moving frame (T_f), which the run's matrix
 * M_f(q) should reproduce. Largest distance over the canvas corners and centre, per frame.
 */
export interface RegistrationErrors {
  readonly maxErrorPx: number;
  readonly medianErrorPx: number;
  readonly worstFile: string;
  /** Largest error / the frame's true FWHM, and the frame. */
  readonly maxErrorPerFwhm: number;
  readonly worstPerFwhmFile: string;
}

export async function registrationErrors(fs: FileSystem, synthDir: string, runDir: string): Promise<RegistrationErrors> {
  const truth = await readJson<{ frames: { file: string; matrix: Row[]; fwhm_px: number }[] }>(fs, fs.join(synthDir, 'truth', 'frames.json'));
  const fwhm = new Map(truth.frames.map((f) => [f.file, f.fwhm_px]));
  const reg = await readJson<{ reference: string; canvas: { width: number; height: number }; frames: { file: string; accepted: boolean; matrix: Row[] | null }[] }>(fs, fs.join(runDir, 'metrics', 'registration.json'));
  const T = new Map(truth.frames.map((f) => [f.file, f.matrix]));
  const refM = reg.frames.find((f) => f.file === reg.reference)?.matrix;
  if (!refM) throw new Error('registration.json: no matrix for the reference frame');
  const refInv = invert(T.get(reg.reference)!);
  const { width: W, height: H } = reg.canvas;
  const points: Array<[number, number]> = [[0, 0], [W - 1, 0], [0, H - 1], [W - 1, H - 1], [(W - 1) / 2, (H - 1) / 2]];
  const errors: Array<{ file: string; e: number }> = [];
  for (const f of reg.frames) {
    if (!f.accepted || !f.matrix) continue;
    let e = 0;
    for (const [x, y] of points) {
      const [rx, ry] = apply(refM, x, y);
      const [sx, sy] = apply(refInv, rx, ry);
      const [tx, ty] = apply(T.get(f.file)!, sx, sy);
      const [mx, my] = apply(f.matrix, x, y);
      e = Math.max(e, Math.hypot(tx - mx, ty - my));
    }
    errors.push({ file: f.file, e });
  }
  const perFwhm = errors.map((x) => ({ file: x.file, r: x.e / (fwhm.get(x.file) ?? Number.NaN) })).sort((a, b) => a.r - b.r);
  errors.sort((a, b) => a.e - b.e);
  const worst = errors[errors.length - 1];
  const worstRel = perFwhm[perFwhm.length - 1];
  return {
    maxErrorPx: worst?.e ?? Number.NaN,
    medianErrorPx: median(errors.map((x) => x.e)),
    worstFile: worst?.file ?? '',
    maxErrorPerFwhm: worstRel?.r ?? Number.NaN,
    worstPerFwhmFile: worstRel?.file ?? '',
  };
}

/** Aperture sum minus the annulus median times the aperture area; NaN if a pixel is invalid. */
export function apertureFlux(y: Float32Array, w: number, h: number, cx: number, cy: number, r: number, rIn: number, rOut: number): number {
  const x0 = Math.floor(cx - rOut);
  const y0 = Math.floor(cy - rOut);
  if (x0 < 0 || y0 < 0 || Math.ceil(cx + rOut) >= w || Math.ceil(cy + rOut) >= h) return Number.NaN;
  let sum = 0;
  let area = 0;
  const ring: number[] = [];
  for (let yy = y0; yy <= Math.ceil(cy + rOut); yy++) {
    for (let xx = x0; xx <= Math.ceil(cx + rOut); xx++) {
      const d2 = (xx - cx) ** 2 + (yy - cy) ** 2;
      const v = y[yy * w + xx];
      if (d2 <= r * r) {
        if (!Number.isFinite(v) || v === 0) return Number.NaN;
        sum += v;
        area++;
      } else if (d2 >= rIn * rIn && d2 <= rOut * rOut && Number.isFinite(v)) ring.push(v);
    }
  }
  return ring.length < 10 ? Number.NaN : sum - area * median(ring);
}

/** Stars with no neighbour brighter than `rel` x their flux within `radius` px (grid-bucketed). */
function isolated(stars: readonly TruthStar[], radius: number, rel: number): (s: TruthStar) => boolean {
  const cell = radius;
  const grid = new Map<string, TruthStar[]>();
  for (const s of stars) {
    const k = `${Math.floor(s.x / cell)},${Math.floor(s.y / cell)}`;
    (grid.get(k) ?? grid.set(k, []).get(k)!).push(s);
  }
  return (s) => {
    const gx = Math.floor(s.x / cell);
    const gy = Math.floor(s.y / cell);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const o of grid.get(`${gx + dx},${gy + dy}`) ?? []) {
          if (o !== s && o.flux > rel * s.flux && (o.x - s.x) ** 2 + (o.y - s.y) ** 2 < radius * radius) return false;
        }
      }
    }
    return true;
  };
}

interface Selection {
  readonly fwhmStars: TruthStar[];
  readonly faint: TruthStar[];
  readonly fluxStars: TruthStar[];
  readonly blanks: [number, number][];
  readonly fluxBlanks: [number, number][];
  readonly rAp: number;
  readonly rFlux: number;
}

/** measure_star patch radius for the FWHM of the stacks (px). */
const FWHM_PATCH_PX = 12;

/** Faint stars: the lowest truth fluxes up to this multiple of the faintest (per-frame SNR ~ 1). */
const FAINT_FLUX_SPAN = 3;

/** Star and blank positions, chosen once from the truth and the mean stack's seeing. */
function selectStars(stars: readonly TruthStar[], canvas: { W: number; H: number; inside: (x: number, y: number, m: number) => boolean }, fwhm0: number, saturationFlux: number): Selection {
  const rAp = 0.8 * fwhm0;
  const rFlux = 2 * fwhm0;
  const fMin = Math.min(...stars.map((s) => s.flux));
  const bright = stars.filter((s) => s.flux >= 10 * fMin && s.flux < saturationFlux);
  // FWHM: nothing above 5 % of the star within the measure_star patch; flux: nothing above 5 %
  // within the aperture plus 2 FWHM (the annulus median ignores the rest)
  const isoFwhm = isolated(stars, FWHM_PATCH_PX + 3, 0.05);
  const fluxReach = annulus(rFlux, fwhm0)[1] + 2;
  const isoFlux = isolated(stars, rFlux + 2 * fwhm0, 0.05);
  const fwhmStars = bright.filter((s) => canvas.inside(s.x, s.y, FWHM_PATCH_PX + 2) && isoFwhm(s));
  const fluxStars = bright.filter((s) => canvas.inside(s.x, s.y, fluxReach) && isoFlux(s));
  const isoFaint = isolated(stars, rAp + 2 * fwhm0 + 6, 0.3);
  const faint = stars.filter((s) => s.flux <= FAINT_FLUX_SPAN * fMin && canvas.inside(s.x, s.y, rAp + 12) && isoFaint(s));
  // blank apertures on a grid, clear of every truth star by the aperture plus 1.5 FWHM
  const grid = (r: number) => {
    const blocked = isolated(stars, r + 1.5 * fwhm0 + 2, -1);
    const step = Math.max(4, Math.round(r + 6));
    const out: [number, number][] = [];
    for (let y = step; y < canvas.H - step; y += step) {
      for (let x = step; x < canvas.W - step; x += step) {
        if (canvas.inside(x, y, annulus(r, fwhm0)[1] + 2) && blocked({ x, y, flux: -1 })) out.push([x, y]);
      }
    }
    return out;
  };
  const blanks = grid(rAp);
  const fluxBlanks = grid(rFlux);
  return { fwhmStars, faint, fluxStars, blanks, fluxBlanks, rAp, rFlux };
}

/** Annulus for an aperture of radius r: from r + max(3, 1.5 FWHM), 6 px wide. */
const annulus = (r: number, fwhm0: number): [number, number] => [r + Math.max(3, 1.5 * fwhm0), r + Math.max(3, 1.5 * fwhm0) + 6];

function sums(y: Float32Array, w: number, h: number, at: readonly (readonly [number, number])[], r: number, fwhm0: number): number[] {
  const [rIn, rOut] = annulus(r, fwhm0);
  return at.map(([x, yy]) => apertureFlux(y, w, h, x, yy, r, rIn, rOut)).filter(Number.isFinite);
}

/** Relative residuals of m = a*t + b, fitted by least squares on relative errors (weights 1/t^2). */
export function linearFluxFit(truth: readonly number[], measured: readonly number[]): { slope: number; offset: number; rel: number[] } {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let sm = 0;
  let stm = 0;
  for (let i = 0; i < truth.length; i++) {
    const w = 1 / (truth[i] * truth[i]);
    s0 += w;
    s1 += w * truth[i];
    s2 += w * truth[i] * truth[i];
    sm += w * measured[i];
    stm += w * truth[i] * measured[i];
  }
  const det = s0 * s2 - s1 * s1;
  const slope = (s0 * stm - s1 * sm) / det;
  const offset = (s2 * sm - s1 * stm) / det;
  return { slope, offset, rel: truth.map((t, i) => (measured[i] - slope * t - offset) / (slope * t)) };
}

/** Photometric noise limit of the flux stars: blank scatter of the flux aperture below this share of the flux. */
export const FLUX_NOISE_SHARE = 0.02;

function measureStack(img: Image, sel: Selection, fwhm0: number, fluxStars: readonly TruthStar[], fluxNoise: number): StackMetrics {
  const { width: w, height: h } = img;
  const y = luminanceOf(img);
  const fw: number[] = [];
  for (const s of sel.fwhmStars) {
    const m = measureStar(y, w, h, s.x, s.y, FWHM_PATCH_PX, 1);
    if (m) fw.push(m.fwhm);
  }
  const blank = sums(y, w, h, sel.blanks, sel.rAp, fwhm0);
  const blankStats = medianAndSigmaMad(blank);
  const faint = sums(y, w, h, sel.faint.map((s) => [s.x, s.y] as const), sel.rAp, fwhm0);
  const signal = median(faint) - blankStats.median;
  const mean = (xs: readonly number[]) => xs.reduce((a, v) => a + v, 0) / xs.length;
  const signalMeanSums = mean(faint) - mean(blank);
  const [rIn, rOut] = annulus(sel.rFlux, fwhm0);
  const pairs = fluxStars.map((s) => [s.flux, apertureFlux(y, w, h, s.x, s.y, sel.rFlux, rIn, rOut)]).filter((p) => Number.isFinite(p[1]));
  const fit = linearFluxFit(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  const abs = fit.rel.map((v) => 100 * Math.abs(v));
  // the residual scatter beyond the photometric noise (both in %, quadrature)
  const rms = Math.sqrt(fit.rel.reduce((a, v) => a + v * v, 0) / fit.rel.length);
  const noiseRms = Math.sqrt(pairs.reduce((a, p) => a + (fluxNoise / p[0]) ** 2, 0) / pairs.length);
  return {
    fwhm: median(fw),
    faintSnr: signal / blankStats.sigma,
    faintSnrMeanSums: signalMeanSums / blankStats.sigma,
    blankSd: blankStats.sigma,
    noise: backgroundNoise(img),
    flux: { slope: fit.slope, p90AbsPct: percentile(abs, 90), maxAbsPct: Math.max(...abs), rmsPct: 100 * rms, noisePct: 100 * noiseRms, systematicPct: 100 * Math.sqrt(Math.max(0, rms * rms - noiseRms * noiseRms)), n: pairs.length },
  };
}

/** The tile grid as metrics/tile_grid.json stores it (enough to find the window edges). */
export interface GridLines {
  readonly canvasWidth: number;
  readonly canvasHeight: number;
  readonly tileSize: number;
  readonly xOrigins: readonly number[];
  readonly yOrigins: readonly number[];
}

/**
 * Seam step: at every line where a tile window starts or ends (x0 and x0 + T inside the canvas,
 * both axes) the median over the line of the one-pixel step Y(p) - Y(p - 1), in units of the
 * image's background noise; the largest |value| over all lines. The median ignores stars; a level
 * step between tiles (an unnormalized or broken window, per-tile normalization) shows at once,
 * while a smooth level difference blended by the Hann windows does not step. Pure noise gives
 * about 1.8/sqrt(line length) (~0.1 on a 384-px line).
 */
/** Largest seam step (in background sigma) accepted at a tile window edge; see seamStep. */
export const SEAM_STEP_MAX = 0.5;

export function seamStep(img: Image, grid: GridLines, noise: number): number {
  const { width: w, height: h } = img;
  const y = luminanceOf(img);
  const valid = (v: number) => Number.isFinite(v) && v !== 0;
  const lines = (origins: readonly number[], extent: number) =>
    [...new Set(origins.flatMap((o) => [o, o + grid.tileSize]))].filter((p) => p > 0 && p < extent).sort((a, b) => a - b);
  let worst = 0;
  for (const p of lines(grid.xOrigins, w)) {
    const d: number[] = [];
    for (let r = 0; r < h; r++) if (valid(y[r * w + p]) && valid(y[r * w + p - 1])) d.push(y[r * w + p] - y[r * w + p - 1]);
    if (d.length > 0) worst = Math.max(worst, Math.abs(median(d)) / noise);
  }
  for (const p of lines(grid.yOrigins, h)) {
    const d: number[] = [];
    for (let c = 0; c < w; c++) if (valid(y[p * w + c]) && valid(y[(p - 1) * w + c])) d.push(y[p * w + c] - y[(p - 1) * w + c]);
    if (d.length > 0) worst = Math.max(worst, Math.abs(median(d)) / noise);
  }
  return worst;
}

/**
 * Re-assembles the kept tile results R_t (work/tiles.f32, `output.keep_work`) into a normalized canvas:
 * `hann` with the pipeline's own overlap-add, `boxcar` with the deliberately broken window of
 * METHOD.md acceptance 5 (weight 1 everywhere, never divided by the window sum), so overlaps hold
 * the sum of two or four tiles.
 */
export async function assembleKeptTiles(fs: FileSystem, runDir: string, window: 'hann' | 'boxcar'): Promise<{ image: Image; grid: GridLines }> {
  // the run's own plan holds the exact grid and the plane count
  const { grid, planes } = await readJson<{ grid: TileGrid; planes: number }>(fs, fs.join(runDir, 'work', 'plan.json'));
  const tiles = grid.tiles;
  const { canvasWidth: W, canvasHeight: H } = grid;
  const records = await readTileJournalFile(fs, fs.join(runDir, 'work', 'tiles.jsonl'));
  const out = new Float32Array(planes * W * H);
  const ola = window === 'hann' ? new OverlapAdd(grid, planes) : null;
  for (const t of tiles) {
    const rec = records.get(t.id);
    if (!rec) throw new Error(`${runDir}: work/tiles.jsonl holds no record of tile ${t.id}`);
    const R = tileBlock(await readTileSlot(fs, fs.join(runDir, 'work', 'tiles.f32'), rec), planes, t.width, t.height, 0);
    if (ola) {
      for (const band of ola.add(t.id, R)) {
        for (let c = 0; c < planes; c++) out.set(band.data.subarray(c * band.height * W, (c + 1) * band.height * W), (c * H + band.y0) * W);
      }
      continue;
    }
    for (let c = 0; c < planes; c++) {
      for (let y = 0; y < t.height; y++) {
        for (let x = 0; x < t.width; x++) {
          const v = R[(c * t.height + y) * t.width + x];
          if (Number.isFinite(v)) out[(c * H + t.y0 + y) * W + t.x0 + x] += v;
        }
      }
    }
  }
  return { image: { width: W, height: H, planes, data: out }, grid };
}

/** Spearman rank correlation (ties by average rank). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const idx = v.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(v.length);
    for (let i = 0; i < idx.length; ) {
      let j = i;
      while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
      for (let k = i; k <= j; k++) r[idx[k][1]] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  const ma = (n - 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - ma);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - ma) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** All quality numbers of one finished run (needs result/mean_stack.fits: output.write_mean_stack). */
export async function evaluateRun(fs: FileSystem, synthDir: string, runDir: string): Promise<Omit<QualityReport, 'set' | 'config' | 'status' | 'seconds'>> {
  const result = (await readFitsImage(fs, fs.join(runDir, 'result', 'stack.fits'))).image;
  const mean = (await readFitsImage(fs, fs.join(runDir, 'result', 'mean_stack.fits'))).image;
  const { stars, inside, fwhmByFile } = await truthOnCanvas(fs, synthDir, runDir);
  const framesTruth = await readJson<{ fwhm_median_px: number; best_fwhm_px: number; bayer: string | null }>(fs, fs.join(synthDir, 'truth', 'frames.json'));
  const starsTruth = await readJson<{ stars: { flux: number; peak_adu: number }[] }>(fs, fs.join(synthDir, 'truth', 'stars.json'));
  const sensor = await readJson<{ pedestal_adu: number; saturation_adu: number }>(fs, fs.join(synthDir, 'truth', 'sensor.json'));
  const peakShare = starsTruth.stars[0].peak_adu / starsTruth.stars[0].flux;
  // the sharpest frame's corner may be 40 % sharper than its centre: keep peaks well below saturation
  const sharpest = framesTruth.best_fwhm_px * 0.6;
  const headroom = (framesTruth.bayer ? 0.3 : 0.6) * (sensor.saturation_adu - sensor.pedestal_adu);
  const saturationFlux = headroom / (peakShare * (framesTruth.fwhm_median_px / sharpest) ** 2);

  // seeing of the baseline, from the same stars the FWHM uses
  const yMean = luminanceOf(mean);
  const probe = selectStars(stars, { W: mean.width, H: mean.height, inside }, framesTruth.fwhm_median_px, saturationFlux);
  const fw0 = probe.fwhmStars.map((s) => measureStar(yMean, mean.width, mean.height, s.x, s.y, FWHM_PATCH_PX, 1)?.fwhm ?? Number.NaN);
  const fwhm0 = median(fw0.filter(Number.isFinite));
  const sel = selectStars(stars, { W: mean.width, H: mean.height, inside }, fwhm0, saturationFlux);
  // photometric noise of the flux aperture: scatter of blank sums on the mean stack
  const fluxNoise = sigmaMad(sums(yMean, mean.width, mean.height, sel.fluxBlanks, sel.rFlux, fwhm0));
  const fluxStars = sel.fluxStars.filter((s) => fluxNoise < FLUX_NOISE_SHARE * s.flux);
  const mr = measureStack(result, sel, fwhm0, fluxStars, fluxNoise);
  const mm = measureStack(mean, sel, fwhm0, fluxStars, fluxNoise);

  const boundaries = await readJson<{ pairCount: number; suspects: unknown[] }>(fs, fs.join(runDir, 'metrics', 'boundaries.json'));
  const validation = await readJson<{ tilePattern: { maxRatio: number; p95Ratio: number } | null }>(fs, fs.join(runDir, 'metrics', 'validation.json'));
  const grid = await readJson<GridLines>(fs, fs.join(runDir, 'metrics', 'tile_grid.json'));
  const global = await readJson<{ frames: number[]; G: number[]; channels: { ess: number }[] }>(fs, fs.join(runDir, 'metrics', 'global.json'));
  const manifest = await readJson<{ frames: { name: string }[] }>(fs, fs.join(runDir, 'manifest.json'));
  const truthFwhm = global.frames.map((f) => fwhmByFile.get(manifest.frames[f].name) ?? Number.NaN);
  return {
    result: mr,
    mean: mm,
    fwhmGainPct: (100 * (mm.fwhm - mr.fwhm)) / mm.fwhm,
    snrRatio: mr.faintSnr / mm.faintSnr,
    snrRatioMeanSums: mr.faintSnrMeanSums / mm.faintSnrMeanSums,
    noiseRatio: mr.noise / mm.noise,
    fluxAddedPct: Math.sqrt(Math.max(0, mr.flux.rmsPct ** 2 - mm.flux.rmsPct ** 2)),
    stars: { fwhm: sel.fwhmStars.length, faint: sel.faint.length, flux: fluxStars.length, fluxNoiseAdu: fluxNoise, blank: sel.blanks.length },
    seams: {
      stepResult: seamStep(result, grid, mr.noise),
      stepMean: seamStep(mean, grid, mm.noise),
      patternMax: validation.tilePattern?.maxRatio ?? Number.NaN,
      patternP95: validation.tilePattern?.p95Ratio ?? Number.NaN,
      suspectPairs: boundaries.suspects.length,
      pairs: boundaries.pairCount,
    },
    weights: { essGlobal: global.channels[0].ess, n: global.frames.length, spearmanGvsFwhm: spearman(global.G, truthFwhm) },
    registration: await registrationErrors(fs, synthDir, runDir),
  };
}

/**
 * The benchmark sets: seeing that drifts between about 2 and 6 px over a night (log-normal spread
 * 0.3 around 3.2 px, one or two bad stretches) and changes by up to +-25 % across the field, the
 * synth's default sky, stars, clouds, trails and hot pixels otherwise.
 */
export const QUALITY_SETS: readonly QualitySet[] = [
  { name: 'mono-a', synth: { frames: 50, width: 512, height: 384, seed: 11, fwhmMedianPx: 3.2, seeingSpreadLn: 0.3, fwhmRangePx: [2, 6.5], fieldSeeingVariation: 0.25 } },
  { name: 'mono-b', synth: { frames: 50, width: 512, height: 384, seed: 23, fwhmMedianPx: 3.2, seeingSpreadLn: 0.3, fwhmRangePx: [2, 6.5], fieldSeeingVariation: 0.25 } },
  { name: 'osc', synth: { frames: 50, width: 512, height: 384, seed: 37, bayer: 'RGGB', fwhmMedianPx: 3.2, seeingSpreadLn: 0.3, fwhmRangePx: [2, 6.5], fieldSeeingVariation: 0.25 } },
];

/** The set of the CI quality test (test/integration/quality), runnable here with `--sets ci`. */
export const CI_QUALITY_SET: QualitySet = {
  name: 'ci',
  synth: { frames: 40, width: 512, height: 384, seed: 5, fwhmMedianPx: 3.2, seeingSpreadLn: 0.3, fwhmRangePx: [2, 6.5], fieldSeeingVariation: 0.25 },
};

/** Config lines every quality run gets: small sets allowed, the baseline written, no PNGs (unless `qaMaps`). */
export function qualityBaseYaml(keepWork = false, qaMaps = false): string {
  return `runtime:
  allow_emergency_mode: true
output:
  write_mean_stack: true
  keep_work: ${keepWork}
  preview: false
  qa_maps: ${qaMaps}
`;
}

/** Writes the set once; a complete earlier copy (frames.json + every frame) is reused. */
export async function ensureSynthSet(fs: FileSystem, dir: string, synth: SynthOptions): Promise<void> {
  const spec = createSkySpec(synth);
  const stamp = fs.join(dir, 'truth', 'options.json');
  const want = JSON.stringify(spec.options);
  if ((await fs.exists(stamp)) && new TextDecoder().decode(await fs.readFile(stamp)) === want) return;
  await fs.rm(dir, { recursive: true }).catch(() => undefined);
  await writeSynthSet(fs, dir, spec);
  await fs.writeFileAtomic(stamp, want);
}

/** One pipeline run (in this process) on a synth set, then its quality report. */
export async function runQuality(fs: FileSystem, set: QualitySet, synthDir: string, runDir: string, configName: string, configYaml: string, keepWork = false, qaMaps = false): Promise<QualityReport> {
  await fs.rm(runDir, { recursive: true }).catch(() => undefined);
  const host = createPipelineHost({ inProcess: true });
  const t0 = performance.now();
  const outcome = await runPipeline({ inputDir: synthDir, runDir, configText: `${qualityBaseYaml(keepWork, qaMaps)}${configYaml}` }, host);
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.status !== 'ok' && outcome.status !== 'validation_failed') {
    throw new Error(`${set.name}/${configName}: run ${outcome.status} ${outcome.error?.code ?? ''} ${outcome.error?.message ?? ''}`);
  }
  return { set: set.name, config: configName, status: outcome.status, seconds, ...(await evaluateRun(fs, synthDir, runDir)) };
}

/** Configurations compared in bench/QUALITY.md (YAML added to qualityBaseYaml()). */
export const QUALITY_CONFIGS: Readonly<Record<string, string>> = {
  defaults: '',
  // METHOD.md's reference values (the defaults before issue 4)
  'method-ref': `tile:\n  star_min_count: 10\nglobal_metrics:\n  weights: {background: 0.4, noise: 0.3, gradient: 0.3}\n  z_floor_rel: 0.05\n  weight_exponent_scale: 1\nlocal_metrics:\n  z_floor_rel: 0.05\n  weight_exponent_scale: 1\n  star_mode:\n    weights: {fwhm: 0.6, roundness: 0.2, contrast: 0.2}\n`,
  // the defaults with ln L ~ -3 d ln FWHM (the default before the registration and OSC fixes)
  'k_local-1.5': `local_metrics:\n  weight_exponent_scale: 1.5\n`,
  // the defaults with ln L ~ -4 d ln FWHM
  'k_local-2': `local_metrics:\n  weight_exponent_scale: 2\n`,
  // the defaults with ln L ~ -2 d ln FWHM (the yardstick's exponent)
  'k_local-0.75': `local_metrics:\n  weight_exponent_scale: 0.75\n`,
  // the defaults with the global weight switched off (G ~ 1)
  'flatG': `global_metrics:\n  weight_exponent_scale: 0.01\n`,
  'k_local-1': `local_metrics:\n  weight_exponent_scale: 1\n`,
  // diagnostics: (nearly) equal weights, with and without pixel rejection; with equal weights and no
  // rejection TBQR must reproduce the mean stack, so any SNR gap left there is not the weights'
  equal: `global_metrics:\n  weight_exponent_scale: 0.001\nlocal_metrics:\n  weight_exponent_scale: 0.001\n`,
  'equal-average': `global_metrics:\n  weight_exponent_scale: 0.001\nlocal_metrics:\n  weight_exponent_scale: 0.001\nstacking:\n  method: average\n`,
  'k_local-1-average': `stacking:\n  method: average\n`,
  // the OSC demosaic (stacking.debayer_method) of the result and the mean stack alike: the default rcd
  // against METHOD.md's bilinear
  'debayer-rcd': `stacking:\n  debayer_method: rcd\n`,
  'debayer-bilinear': `stacking:\n  debayer_method: bilinear\n`,
};

const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

export function formatQualityTable(reports: readonly QualityReport[]): string {
  const head = '| set | config | FWHM mean -> TBQR (px) | FWHM gain % | faint SNR ratio (medians / means) | noise ratio | flux rms TBQR / mean / added % (n) | seam step TBQR / mean (sigma) | tile pattern max / p95 | seam suspects | ESS(G)/N | rho(G, FWHM) | s |';
  const rule = `|${'---|'.repeat(13)}`;
  const rows = reports.map(
    (r) =>
      `| ${r.set} | ${r.config} | ${f(r.mean.fwhm)} -> ${f(r.result.fwhm)} | ${f(r.fwhmGainPct, 1)} | ${f(r.snrRatio, 3)} / ${f(r.snrRatioMeanSums, 3)} | ${f(r.noiseRatio, 3)} | ${f(r.result.flux.rmsPct)} / ${f(r.mean.flux.rmsPct)} / ${f(r.fluxAddedPct)} (${r.result.flux.n}) | ${f(r.seams.stepResult, 3)} / ${f(r.seams.stepMean, 3)} | ${f(r.seams.patternMax)} / ${f(r.seams.patternP95)} | ${r.seams.suspectPairs}/${r.seams.pairs} | ${f(r.weights.essGlobal, 1)}/${r.weights.n} | ${f(r.weights.spearmanGvsFwhm)} | ${f(r.seconds, 0)} |`,
  );
  return [head, rule, ...rows].join('\n');
}

/**
 * Runs every set (written once into bench/cache/quality/) with every configuration and returns the
 * reports. `only` filters set and config names.
 */
export async function benchQuality(opts: { root?: string; sets?: readonly string[]; configs?: Readonly<Record<string, string>>; reuse?: boolean; log?: (line: string) => void } = {}): Promise<{ reports: QualityReport[]; table: string }> {
  const fs = nodeFileSystem;
  const root = opts.root ?? fs.join(process.cwd(), 'bench');
  const configs = opts.configs ?? QUALITY_CONFIGS;
  const reports: QualityReport[] = [];
  for (const set of [...QUALITY_SETS, CI_QUALITY_SET].filter((s) => (opts.sets ? opts.sets.includes(s.name) : s !== CI_QUALITY_SET))) {
    const synthDir = fs.join(root, 'cache', 'quality', set.name);
    await ensureSynthSet(fs, synthDir, set.synth);
    for (const [name, yaml] of Object.entries(configs)) {
      const runDir = fs.join(root, 'results', 'tmp', 'quality', `${set.name}-${name}`);
      const r =
        opts.reuse && (await fs.exists(fs.join(runDir, 'result', 'mean_stack.fits')))
          ? { set: set.name, config: name, status: 'reused', seconds: Number.NaN, ...(await evaluateRun(fs, synthDir, runDir)) }
          : await runQuality(fs, set, synthDir, runDir, name, yaml);
      reports.push(r);
      opts.log?.(formatQualityTable([r]).split('\n')[2]);
    }
  }
  return { reports, table: formatQualityTable(reports) };
}

// `node dist/bench/quality.js [--sets a,b] [--configs x,y] [--reuse]` (--reuse: evaluate finished runs again)
const argv = process.argv.slice(2);
if (process.argv[1] && /quality\.(js|ts)$/.test(process.argv[1])) {
  const pick = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1].split(',') : undefined;
  };
  const names = pick('--configs');
  const configs = names ? Object.fromEntries(names.map((n) => [n, QUALITY_CONFIGS[n] ?? ''])) : undefined;
  const out = await benchQuality({ sets: pick('--sets'), configs, reuse: argv.includes('--reuse'), log: (l) => console.log(l) });
  console.log(`\n${out.table}`);
  await nodeFileSystem.writeFileAtomic(nodeFileSystem.join(process.cwd(), 'bench', 'results', 'tmp', 'quality.json'), JSON.stringify(out.reports, null, 1));
}
