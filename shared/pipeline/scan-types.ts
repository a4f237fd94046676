/**
 * The result of scanning an input folder (P0, headers only, plus a cheap NaN/Inf pass).
 * Produced by shared/pipeline/scan.ts, shown by `tile-compile scan` and the UI's Input view.
 */
export type RunModeName = 'full' | 'reduced' | 'emergency' | 'refused';

export interface ScannedFrame {
  readonly index: number;
  readonly file: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly bitpix: number;
  readonly compressed: boolean;
  readonly exposureS: number | null;
  readonly filter: string | null;
  readonly bayerPattern: string | null;
  readonly colorMode: 'MONO' | 'OSC' | 'RGB';
  readonly dateObs: string | null;
  readonly imageType: string | null;
  /** Set when the frame will not be used; a closed-list exclusion code of METHOD.md 1.2. */
  readonly excluded: null | 'SIZE_MISMATCH' | 'EXPOSURE_MISMATCH' | 'BAYER_MISMATCH' | 'UNREADABLE';
}

export type ScanProblemCode =
  | 'INPUT_NOT_FOUND'
  | 'NO_FRAMES'
  | 'NOT_FITS'
  | 'UNREADABLE'
  | 'TRUNCATED'
  | 'SIZE_MISMATCH'
  | 'EXPOSURE_MISMATCH'
  | 'NO_EXPOSURE'
  | 'BAYER_MISMATCH'
  | 'NAN_PIXELS'
  | 'NOT_LIGHT'
  | 'LOW_BIT_DEPTH'
  | 'NONLINEAR'
  | 'INSUFFICIENT_FRAMES'
  | 'EMERGENCY_MODE'
  | 'DISK_SPACE';

export interface ScanProblem {
  /** File name (not path) the problem is about, or null for folder-level problems. */
  readonly file: string | null;
  readonly code: ScanProblemCode;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export interface ScanReport {
  readonly inputDir: string;
  readonly frames: readonly ScannedFrame[];
  readonly problems: readonly ScanProblem[];
  readonly usableFrames: number;
  readonly mode: RunModeName;
  readonly colorMode: 'MONO' | 'OSC' | 'RGB' | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly totalBytes: number;
  /** True when a run could start (no error-severity problem). */
  readonly canRun: boolean;
}
