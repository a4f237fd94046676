import type { BayerPattern, ColorMode } from '../../image/image';
import { canonicalJson, sha256Hex } from '../../util/seed';
import type { ScanReport } from '../scan-types';

/**
 * manifest.json: the sorted input frames of a run with what the scan learned about them.
 * frames_manifest_id = sha256(canonical JSON [{name, size, mtime}]) (METHOD.md section 7 (0)):
 * a resume or a distributed worker refuses inputs that changed since the run started.
 */
export interface ManifestFrame {
  readonly index: number;
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly bitpix: number;
  readonly exposure_s: number | null;
  readonly date_obs: string | null;
  readonly filter: string | null;
  /** Scan exclusion (SIZE_MISMATCH, EXPOSURE_MISMATCH, BAYER_MISMATCH) or null. */
  readonly excluded: string | null;
}

export interface Manifest {
  readonly version: 1;
  readonly input_dir: string;
  readonly frames_manifest_id: string;
  readonly color_mode: ColorMode;
  readonly bayer_pattern: BayerPattern | null;
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly frames: readonly ManifestFrame[];
}

export function framesManifestId(frames: ReadonlyArray<{ name: string; size: number; mtime: number }>): string {
  return sha256Hex(canonicalJson(frames.map((f) => ({ name: f.name, size: f.size, mtime: f.mtime }))));
}

export function manifestFromScan(scan: ScanReport, join: (dir: string, name: string) => string): Manifest {
  const frames: ManifestFrame[] = scan.frames.map((f, index) => ({
    index,
    name: f.file,
    path: join(scan.inputDir, f.file),
    size: f.sizeBytes,
    mtime: Math.round(f.mtimeMs),
    width: f.width,
    height: f.height,
    planes: f.planes,
    bitpix: f.bitpix,
    exposure_s: f.exposureS,
    date_obs: f.dateObs,
    filter: f.filter,
    excluded: f.excluded,
  }));
  const usable = scan.frames.find((f) => f.excluded === null) ?? scan.frames[0];
  return {
    version: 1,
    input_dir: scan.inputDir,
    frames_manifest_id: framesManifestId(frames),
    color_mode: usable.colorMode,
    bayer_pattern: (usable.bayerPattern as BayerPattern | null) ?? null,
    width: usable.width,
    height: usable.height,
    planes: usable.planes,
    frames,
  };
}
