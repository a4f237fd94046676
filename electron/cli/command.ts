/**
 * One CLI subcommand = one file in electron/cli/commands/ exporting `command`. The dispatcher
 * (electron/cli/tile-compile.ts) lists them in its help. Commands write through `io` so tests can
 * run them in-process as well as in a real child process.
 * Exit codes (METHOD.md section 5): 0 ok, 1 failed, 2 usage/config, 3 validation_failed, 130 cancelled.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborted on SIGINT/SIGTERM; long commands honour it. */
  readonly signal: AbortSignal;
}

export interface CliCommand {
  readonly name: string;
  /** One line for the help listing. */
  readonly summary: string;
  /** Full usage text printed by `tile-compile help <name>` and on usage errors. */
  readonly usage: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, validationFailed: 3, cancelled: 130 } as const;

/** A usage error: printed with the command's usage text, exit code 2. */
export class UsageError extends Error {}
