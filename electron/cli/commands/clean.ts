import path from 'node:path';
import { nodeFileSystem } from '../../host/node-file-system';
import { cleanRun } from '../../../shared/pipeline/run/run-clean';
import { PipelineError } from '../../../shared/pipeline/run/pipeline-error';
import { EXIT, UsageError, type CliCommand } from '../command';
import { parseArgs } from '../args';

const usage = `usage: tile-compile clean RUN_DIR [--json]

Removes what a crashed or cancelled run left behind in RUN_DIR: the scratch folder (work/, or
runtime.work_dir) and half-written temporary files (*.tmp-*). Keeps result/, metrics/, qa/,
events.jsonl, logs/, config.yaml and state.json, and clears the finished-unit marks, so
'tile-compile run --resume RUN_DIR' still works afterwards (it redoes the removed work).
Do not clean a run that is still going.
  --json   one JSON object {runDir, workDir, tempFiles, resetPhases} on stdout
Exit status: 0 cleaned, 2 RUN_DIR is not a run directory or a usage error, 1 failed.`;

export const command: CliCommand = {
  name: 'clean',
  summary: "remove a crashed run's scratch and temporary files (results are kept)",
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: ['json'] });
    if (args.positional.length !== 1) throw new UsageError('clean needs exactly one run folder');
    let report;
    try {
      report = await cleanRun(nodeFileSystem, path.resolve(args.positional[0]));
    } catch (err) {
      if (err instanceof PipelineError && err.code === 'NOT_A_RUN') {
        io.stderr(`tile-compile clean: [${err.code}] ${err.message}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (args.flags.json) {
      io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout(`${report.workDir !== null ? `removed ${report.workDir}` : 'no scratch folder'}; ${report.tempFiles.length} temporary file(s) removed\n`);
      if (report.resetPhases.length > 0) io.stdout(`finished units of ${report.resetPhases.join(', ')} will be redone on resume\n`);
    }
    return EXIT.ok;
  },
};
