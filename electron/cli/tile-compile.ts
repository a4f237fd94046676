#!/usr/bin/env node
/**
 * `tile-compile` — the command-line entry point. One file per subcommand in ./commands; this file
 * only dispatches, turns usage errors into exit code 2 and SIGINT into cancellation (exit 130).
 */
import { EXIT, UsageError, type CliCommand, type CliIO } from './command';
import { commands } from './commands';
import { APP_VERSION } from '../../shared/version';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Tile Compile ${APP_VERSION} — tile-based quality reconstruction for astronomical image stacks`,
    '',
    'usage: tile-compile <command> [arguments]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'tile-compile help <command>' for a command's options.",
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = rest[0] !== undefined ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout(target ? `${target.usage}\n` : help());
    return EXIT.ok;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`${APP_VERSION}\n`);
    return EXIT.ok;
  }
  const command: CliCommand | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`tile-compile: unknown command '${name}'\n\n${help()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`tile-compile ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    if (io.signal.aborted) {
      io.stderr('cancelled\n');
      return EXIT.cancelled;
    }
    const e = err as Error & { code?: string };
    io.stderr(`tile-compile ${command.name}: ${e.code ? `[${e.code}] ` : ''}${e.message}\n`);
    if (process.env.TILE_COMPILE_DEBUG) io.stderr(`${e.stack}\n`);
    return EXIT.failed;
  }
}

const isEntry = process.argv[1] !== undefined && /tile-compile(\.js)?$/.test(process.argv[1]);
if (isEntry) {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    process.stderr.write('\ncancelling… (press Ctrl+C again to stop at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`tile-compile: ${(err as Error).stack ?? err}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
