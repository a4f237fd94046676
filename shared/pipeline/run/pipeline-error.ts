/**
 * A fatal pipeline error with a code from METHOD.md section 8 (plus the product's own codes).
 * Tests assert the code, never the wording.
 */
export type PipelineErrorCode =
  | 'INPUT_NOT_FOUND'
  | 'NO_FRAMES'
  | 'CONFIG_INVALID'
  | 'DISK_SPACE'
  | 'OUT_OF_MEMORY_PLAN'
  | 'CALIBRATION_MISMATCH'
  | 'INSUFFICIENT_FRAMES'
  | 'REGISTRATION_FAILED_MAJORITY'
  | 'NUMERICAL'
  | 'OUT_OF_MEMORY'
  | 'CANCELLED'
  | 'RUN_EXISTS'
  | 'RESUME_MISMATCH'
  | 'NOT_A_RUN'
  | 'DETERMINISM_VIOLATION';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}
