import path from 'node:path';
import { nodeFileSystem } from '../../host/node-file-system';
import { createPipelineHost } from '../../host/pipeline-host';
import { attachRunLogging, createAppLogger, defaultAppLogDir, LoggingWorkerLauncher, type Logger } from '../../host/logging';
import { runPipeline, type RunOutcome } from '../../../shared/pipeline/run/run-pipeline';
import { PipelineError } from '../../../shared/pipeline/run/pipeline-error';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { parseArgs, parseIntOption } from '../args';
import { createRunPrinter } from '../run-printer';

const usage = `usage: tile-compile run INPUT_DIR --out RUN_DIR [--config FILE] [--workers N] [--verbose]
       tile-compile run --resume RUN_DIR [--workers N]

Stacks the light frames in INPUT_DIR with tile-based quality reconstruction. Everything the run
writes goes into RUN_DIR (result/stack.fits, result/preview.png, metrics/, qa/, events.jsonl);
the input folder is only read. A cancelled (Ctrl+C) or crashed run continues with --resume.
  --config FILE  tile_compile.yaml (default: built-in defaults; see 'tile-compile config --defaults')
  --workers N    number of worker processes (default: from the available memory and cores)
  --in-process   run every unit in this process (debugging)
  --verbose      one line per frame
Exit status: 0 ok, 3 validation failed (result written), 1 failed, 2 usage or configuration error,
130 cancelled (resumable).`;

export const command: CliCommand = {
  name: 'run',
  summary: 'stack a folder of light frames into RUN_DIR/result/stack.fits',
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: ['verbose', 'in-process'], options: ['out', 'config', 'workers', 'resume'] });
    const workers = parseIntOption('workers', args.options.workers, 1);
    const resumeDir = args.options.resume;
    if (resumeDir !== undefined) {
      if (args.positional.length > 0 || args.options.out !== undefined || args.options.config !== undefined) {
        throw new UsageError('--resume RUN_DIR takes no input folder, --out or --config (the run keeps its own)');
      }
      return execute(io, { inputDir: '', runDir: path.resolve(resumeDir), configText: '', resume: true }, workers, args.flags);
    }
    if (args.positional.length !== 1) throw new UsageError('run needs exactly one input folder');
    if (args.options.out === undefined) throw new UsageError('run needs --out RUN_DIR');
    let configText = '';
    if (args.options.config !== undefined) {
      try {
        configText = await nodeFileSystem.readText(args.options.config);
      } catch (err) {
        io.stderr(`${args.options.config}: cannot read the configuration (${(err as Error).message})\n`);
        return EXIT.usage;
      }
    }
    return execute(io, { inputDir: path.resolve(args.positional[0]), runDir: path.resolve(args.options.out), configText }, workers, args.flags);
  },
};

async function execute(
  io: CliIO,
  req: { inputDir: string; runDir: string; configText: string; resume?: boolean },
  workers: number | undefined,
  flags: Record<string, boolean>,
): Promise<number> {
  // Logs: RUN_DIR/logs/app.log and worker-<n>.log, and cli.log in the app's log folder.
  const appLog = createAppLogger(defaultAppLogDir(), 'cli.log');
  let runLog: Logger | null = null;
  let runId: string | null = null;
  const inProcess = flags['in-process'] === true;
  const host = createPipelineHost({
    workers,
    inProcess,
    launcher: inProcess ? undefined : new LoggingWorkerLauncher(() => runId),
    log: (level, m) => (runLog ?? appLog).log(level, m),
    onNotice: (m) => {
      io.stderr(`notice: ${m}\n`);
      (runLog ?? appLog).warn(m);
    },
  });
  const printer = createRunPrinter(io, { verbose: flags.verbose === true });
  let outcome: RunOutcome;
  try {
    const onEventLog = (log: Parameters<NonNullable<typeof host.onEventLog>>[0]) => {
      runId = log.runId;
      runLog = attachRunLogging(log, req.runDir, appLog);
      log.on(printer);
    };
    outcome = await runPipeline(req, { ...host, onEventLog }, io.signal);
  } catch (err) {
    if (err instanceof PipelineError) {
      appLog.error(`run ${req.runDir}: [${err.code}] ${err.message}`);
      io.stderr(`tile-compile run: [${err.code}] ${err.message}\n`);
      if (err.code === 'CONFIG_INVALID' && Array.isArray(err.details)) {
        for (const p of err.details as Array<{ line: number; column: number; severity: string; message: string }>) io.stderr(`  line ${p.line}, column ${p.column}: ${p.severity}: ${p.message}\n`);
      }
      return err.code === 'CONFIG_INVALID' || err.code === 'RUN_EXISTS' || err.code === 'NOT_A_RUN' ? EXIT.usage : EXIT.failed;
    }
    throw err;
  }
  if (outcome.status === 'cancelled') io.stderr(`Cancelled. Continue with: tile-compile run --resume ${outcome.runDir}\n`);
  else if (outcome.error) io.stderr(`tile-compile run: [${outcome.error.code}] ${outcome.error.message}\n`);
  return outcome.exitCode;
}
