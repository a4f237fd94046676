import type { ScanReport } from '../pipeline/scan-types';
import { arr, bool, nullable, num, obj, oneOf, str, type Infer } from './schema';

/** Runtime schema of shared/pipeline/scan-types.ts (the type there is the source of truth). */
const lenient = { strict: false } as const;

const scannedFrame = obj(
  {
    index: num({ min: 0, integer: true }),
    file: str({ maxLength: 4096 }),
    sizeBytes: num({ min: 0 }),
    mtimeMs: num(),
    width: num({ min: 0, integer: true }),
    height: num({ min: 0, integer: true }),
    planes: num({ min: 0, integer: true }),
    bitpix: num({ integer: true }),
    compressed: bool(),
    exposureS: nullable(num()),
    filter: nullable(str()),
    bayerPattern: nullable(str()),
    colorMode: oneOf(['MONO', 'OSC', 'RGB'] as const),
    dateObs: nullable(str()),
    imageType: nullable(str()),
    excluded: nullable(oneOf(['SIZE_MISMATCH', 'EXPOSURE_MISMATCH', 'BAYER_MISMATCH', 'UNREADABLE'] as const)),
  },
  lenient,
);

const scanProblem = obj(
  {
    file: nullable(str({ maxLength: 4096 })),
    code: oneOf([
      'INPUT_NOT_FOUND',
      'NO_FRAMES',
      'NOT_FITS',
      'UNREADABLE',
      'TRUNCATED',
      'SIZE_MISMATCH',
      'EXPOSURE_MISMATCH',
      'NO_EXPOSURE',
      'BAYER_MISMATCH',
      'NAN_PIXELS',
      'NOT_LIGHT',
      'LOW_BIT_DEPTH',
      'NONLINEAR',
      'INSUFFICIENT_FRAMES',
      'EMERGENCY_MODE',
      'DISK_SPACE',
    ] as const),
    severity: oneOf(['error', 'warning', 'info'] as const),
    message: str(),
  },
  lenient,
);

export const scanReportSchema = obj(
  {
    inputDir: str({ maxLength: 4096 }),
    frames: arr(scannedFrame),
    problems: arr(scanProblem),
    usableFrames: num({ min: 0, integer: true }),
    mode: oneOf(['full', 'reduced', 'emergency', 'refused'] as const),
    colorMode: nullable(oneOf(['MONO', 'OSC', 'RGB'] as const)),
    width: nullable(num()),
    height: nullable(num()),
    totalBytes: num({ min: 0 }),
    canRun: bool(),
  },
  lenient,
);

// Compile-time guard: the schema and the pipeline's type must describe the same data.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const scanSchemaMatchesType: Same<Infer<typeof scanReportSchema>, ScanReport> = true;
void scanSchemaMatchesType;
