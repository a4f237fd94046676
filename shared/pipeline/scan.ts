import { FitsError } from '../fits/types';
import { readFitsHeader, readFitsRows, headerSummary } from '../fits/reader';
import type { FileSystem } from '../io/file-system';
import type { BayerPattern, ColorMode } from '../image/image';
import { median } from '../image/stats';
import { matchesPattern, naturalCompare } from '../util/natural-sort';
import { resolveFrameFormat } from './frame-format';
import { decideMode } from './modes';
import type { RunModeName, ScanProblem, ScannedFrame, ScanReport } from './scan-types';

/**
 * P0 scan: headers only (plus a NaN/Inf count where a frame can hold them), never writes anything.
 * Every problem names its file. The scan decides which frames a run would use and the run mode the
 * usable count implies; per-frame problems exclude the frame, folder-level ones stop the run.
 */
export interface ScanOptions {
  readonly pattern: string;
  readonly sort: 'natural' | 'lexicographic';
  readonly maxFrames: number;
  readonly colorMode: 'auto' | ColorMode;
  readonly bayerPattern: 'auto' | BayerPattern;
  readonly exposureTolerancePercent: number;
  readonly framesMin: number;
  readonly framesReducedThreshold: number;
  readonly allowEmergencyMode: boolean;
  /** Required frame size (data.image_width/height); 0 = majority wins. */
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** Count NaN/Inf pixels in frames whose format can hold them (float, or integer with BLANK). */
  readonly checkPixels: boolean;
}

export const DEFAULT_SCAN_OPTIONS: ScanOptions = {
  pattern: '*.fit;*.fits;*.fts;*.fit.fz;*.fits.fz;*.fts.fz',
  sort: 'natural',
  maxFrames: 0,
  colorMode: 'auto',
  bayerPattern: 'auto',
  exposureTolerancePercent: 5,
  framesMin: 50,
  framesReducedThreshold: 200,
  allowEmergencyMode: false,
  imageWidth: 0,
  imageHeight: 0,
  checkPixels: true,
};

const ROWS_PER_PIXEL_READ = 256;

interface Candidate {
  frame: Mutable<ScannedFrame>;
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function scanFolder(fs: FileSystem, dir: string, opts: Partial<ScanOptions> = {}): Promise<ScanReport> {
  const o: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, ...opts };
  const problems: ScanProblem[] = [];
  const inputDir = fs.resolve(dir);
  const empty = (mode: RunModeName): ScanReport => ({
    inputDir,
    frames: [],
    problems,
    usableFrames: 0,
    mode,
    colorMode: null,
    width: null,
    height: null,
    totalBytes: 0,
    canRun: false,
  });

  let names: string[];
  try {
    const st = await fs.stat(inputDir);
    if (!st.isDirectory) {
      problems.push({ file: null, code: 'INPUT_NOT_FOUND', severity: 'error', message: `${inputDir} is not a folder` });
      return empty('refused');
    }
    names = await fs.readdir(inputDir);
  } catch {
    problems.push({ file: null, code: 'INPUT_NOT_FOUND', severity: 'error', message: `input folder ${inputDir} does not exist or cannot be read` });
    return empty('refused');
  }

  const fitsNames: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    let st;
    try {
      st = await fs.stat(fs.join(inputDir, name));
    } catch {
      continue;
    }
    if (!st.isFile) continue;
    if (matchesPattern(name, o.pattern)) fitsNames.push(name);
    else problems.push({ file: name, code: 'NOT_FITS', severity: 'info', message: `${name}: skipped, the name does not match the input pattern (${o.pattern})` });
  }
  fitsNames.sort(o.sort === 'natural' ? naturalCompare : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const selected = o.maxFrames > 0 ? fitsNames.slice(0, o.maxFrames) : fitsNames;

  const candidates: Candidate[] = [];
  for (const name of selected) {
    const path = fs.join(inputDir, name);
    const c = await scanOneFrame(fs, path, name, candidates.length, o, problems);
    if (c !== null) candidates.push(c);
  }

  if (candidates.length === 0) {
    problems.push({
      file: null,
      code: 'NO_FRAMES',
      severity: 'error',
      message: `no readable FITS light frames in ${inputDir} (pattern ${o.pattern})`,
    });
    return empty('refused');
  }

  excludeSizeMismatches(candidates, o, problems);
  excludeExposureMismatches(candidates, o, problems);
  excludeBayerMismatches(candidates, problems);

  const frames = candidates.map((c) => c.frame as ScannedFrame);
  const usable = frames.filter((f) => f.excluded === null);
  const decision = decideMode(usable.length, {
    assumptions: {
      frames_min: o.framesMin,
      frames_reduced_threshold: o.framesReducedThreshold,
      reduced_mode_skip_clustering: true,
      reduced_mode_cluster_range: [5, 10],
    },
    runtime: { allow_emergency_mode: o.allowEmergencyMode },
    synthetic: { clustering: { cluster_count_range: [5, 30] } },
  });
  if (decision.mode === 'refused') {
    problems.push({ file: null, code: 'INSUFFICIENT_FRAMES', severity: 'error', message: decision.message ?? 'too few frames' });
  } else if (decision.mode === 'emergency') {
    problems.push({
      file: null,
      code: 'EMERGENCY_MODE',
      severity: 'warning',
      message: `Only ${usable.length} usable frames (fewer than assumptions.frames_min = ${o.framesMin}): the run goes ahead in emergency mode because runtime.allow_emergency_mode is true; weights from so few frames are noisy.`,
    });
  }
  const first = usable[0] ?? frames[0];
  return {
    inputDir,
    frames,
    problems,
    usableFrames: usable.length,
    mode: decision.mode,
    colorMode: first.colorMode,
    width: first.width,
    height: first.height,
    totalBytes: frames.reduce((s, f) => s + f.sizeBytes, 0),
    canRun: !problems.some((p) => p.severity === 'error'),
  };
}

async function scanOneFrame(
  fs: FileSystem,
  path: string,
  name: string,
  index: number,
  o: ScanOptions,
  problems: ScanProblem[],
): Promise<Candidate | null> {
  let st;
  let head;
  try {
    st = await fs.stat(path);
    head = await readFitsHeader(fs, path);
  } catch (err) {
    problems.push(frameProblem(name, err));
    return null;
  }
  const { header, info, fileSize } = head;
  if (!info.compressed && fileSize < info.dataOffset + info.dataBytes) {
    problems.push({
      file: name,
      code: 'TRUNCATED',
      severity: 'warning',
      message: `${name}: truncated — the data ends at byte ${fileSize}, the header promises ${info.dataOffset + info.dataBytes}; the frame is skipped`,
    });
    return null;
  }
  const s = headerSummary(header);
  const bayerpat = header.getString('BAYERPAT');
  const colortyp = header.getString('COLORTYP');
  const format = resolveFrameFormat(
    { planes: info.planes, bayerpat, colortyp, xBayerOffset: s.xBayerOffset, yBayerOffset: s.yBayerOffset },
    { color_mode: o.colorMode, bayer_pattern: o.bayerPattern },
  );
  if (s.imageType !== undefined && !/light|object|science/i.test(s.imageType)) {
    problems.push({ file: name, code: 'NOT_LIGHT', severity: 'warning', message: `${name}: IMAGETYP is '${s.imageType}', not a light frame` });
  }
  if (info.bitpix === 8) {
    problems.push({ file: name, code: 'LOW_BIT_DEPTH', severity: 'warning', message: `${name}: 8-bit data (BITPIX 8) has little dynamic range for stacking` });
  }
  if (o.checkPixels && (info.bitpix < 0 || info.blank !== undefined)) {
    try {
      const bad = await countNonFinite(fs, path, info);
      if (bad > 0) {
        problems.push({
          file: name,
          code: 'NAN_PIXELS',
          severity: 'warning',
          message: `${name}: ${bad} NaN/Inf or BLANK pixel${bad === 1 ? '' : 's'}; they are treated as invalid (no data), not as 0`,
        });
      }
    } catch (err) {
      problems.push(frameProblem(name, err));
      return null;
    }
  }
  return {
    frame: {
      index,
      file: name,
      sizeBytes: st.size,
      mtimeMs: st.mtimeMs,
      width: info.width,
      height: info.height,
      planes: info.planes,
      bitpix: info.bitpix,
      compressed: info.compressed !== undefined,
      exposureS: s.exptime ?? null,
      filter: s.filter ?? null,
      bayerPattern: format.bayerPattern,
      colorMode: format.colorMode,
      dateObs: s.dateObs ?? null,
      imageType: s.imageType ?? null,
      excluded: null,
    },
  };
}

async function countNonFinite(fs: FileSystem, path: string, info: Awaited<ReturnType<typeof readFitsHeader>>['info']): Promise<number> {
  let bad = 0;
  for (let y0 = 0; y0 < info.height; y0 += ROWS_PER_PIXEL_READ) {
    const y1 = Math.min(info.height, y0 + ROWS_PER_PIXEL_READ);
    const rows = await readFitsRows(fs, path, y0, y1, info);
    for (let i = 0; i < rows.length; i++) if (!Number.isFinite(rows[i])) bad++;
  }
  return bad;
}

function frameProblem(name: string, err: unknown): ScanProblem {
  if (err instanceof FitsError) {
    const code = err.code === 'FITS_NOT_FITS' ? 'NOT_FITS' : err.code === 'FITS_TRUNCATED' || err.code === 'FITS_NO_END' ? 'TRUNCATED' : 'UNREADABLE';
    return { file: name, code, severity: 'warning', message: `${err.message}; the frame is skipped` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { file: name, code: 'UNREADABLE', severity: 'warning', message: `${name}: cannot be read (${msg}); the frame is skipped` };
}

function excludeSizeMismatches(candidates: Candidate[], o: ScanOptions, problems: ScanProblem[]): void {
  const key = (f: ScannedFrame) => `${f.width}x${f.height}x${f.planes}`;
  let wanted: string;
  if (o.imageWidth > 0 && o.imageHeight > 0) {
    const planes = candidates[0].frame.planes;
    wanted = `${o.imageWidth}x${o.imageHeight}x${planes}`;
  } else {
    const counts = new Map<string, number>();
    for (const c of candidates) counts.set(key(c.frame), (counts.get(key(c.frame)) ?? 0) + 1);
    // majority wins; ties go to the size seen first (frame order)
    wanted = key(candidates[0].frame);
    for (const [k, n] of counts) if (n > (counts.get(wanted) ?? 0)) wanted = k;
  }
  for (const c of candidates) {
    if (key(c.frame) !== wanted) {
      c.frame.excluded = 'SIZE_MISMATCH';
      const [w, h, p] = wanted.split('x');
      problems.push({
        file: c.frame.file,
        code: 'SIZE_MISMATCH',
        severity: 'warning',
        message: `${c.frame.file}: ${c.frame.width}×${c.frame.height}${c.frame.planes > 1 ? `×${c.frame.planes}` : ''} differs from the set's ${w}×${h}${p !== '1' ? `×${p}` : ''}; the frame is excluded`,
      });
    }
  }
}

function excludeExposureMismatches(candidates: Candidate[], o: ScanOptions, problems: ScanProblem[]): void {
  const live = candidates.filter((c) => c.frame.excluded === null);
  const withExp = live.filter((c) => c.frame.exposureS !== null);
  if (withExp.length < live.length) {
    const missing = live.length - withExp.length;
    problems.push({
      file: null,
      code: 'NO_EXPOSURE',
      severity: 'warning',
      message: `${missing} frame${missing === 1 ? ' has' : 's have'} no EXPTIME/EXPOSURE keyword; exposure consistency cannot be checked for ${missing === 1 ? 'it' : 'them'}`,
    });
  }
  if (withExp.length === 0) return;
  const med = median(withExp.map((c) => c.frame.exposureS as number));
  const tol = (o.exposureTolerancePercent / 100) * med;
  for (const c of withExp) {
    const e = c.frame.exposureS as number;
    if (Math.abs(e - med) > tol) {
      c.frame.excluded = 'EXPOSURE_MISMATCH';
      problems.push({
        file: c.frame.file,
        code: 'EXPOSURE_MISMATCH',
        severity: 'warning',
        message: `${c.frame.file}: exposure ${e} s differs from the median ${med} s by more than ±${o.exposureTolerancePercent} %; the frame is excluded`,
      });
    }
  }
}

function excludeBayerMismatches(candidates: Candidate[], problems: ScanProblem[]): void {
  const live = candidates.filter((c) => c.frame.excluded === null && c.frame.colorMode === 'OSC');
  if (live.length === 0) return;
  const counts = new Map<string, number>();
  for (const c of live) counts.set(c.frame.bayerPattern as string, (counts.get(c.frame.bayerPattern as string) ?? 0) + 1);
  if (counts.size < 2) return;
  let wanted = live[0].frame.bayerPattern as string;
  for (const [k, n] of counts) if (n > (counts.get(wanted) ?? 0)) wanted = k;
  for (const c of live) {
    if (c.frame.bayerPattern !== wanted) {
      c.frame.excluded = 'BAYER_MISMATCH';
      problems.push({
        file: c.frame.file,
        code: 'BAYER_MISMATCH',
        severity: 'warning',
        message: `${c.frame.file}: Bayer pattern ${c.frame.bayerPattern} differs from the set's ${wanted}; the frame is excluded`,
      });
    }
  }
}
