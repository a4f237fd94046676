import { nodeFileSystem } from '../../host/node-file-system';
import {
  MAX_CONFIG_BYTES,
  PRESETS,
  PRESET_NAMES,
  checkConfigPaths,
  defaultConfigYaml,
  loadConfig,
  type ConfigProblem,
  type PresetName,
} from '../../../shared/config';
import { EXIT, UsageError, type CliCommand, type CliIO } from '../command';
import { parseArgs } from '../args';

const usage = `usage: tile-compile config --defaults [--lang en|de]
       tile-compile config --check FILE
       tile-compile config --preset NAME

  --defaults     print the default tile_compile.yaml, every key with a comment (meaning, range, default)
  --lang LANG    language of those comments: en (default) or de
  --check FILE   validate FILE and print every problem as FILE:line:column: error|warning: message;
                 paths of enabled features (calibration folders, masters, …) must exist, relative
                 ones are taken from FILE's folder
  --preset NAME  print an example profile: ${PRESET_NAMES.join(', ')}
Exit status: 0 when the file has no errors (warnings allowed), 2 on errors or a usage error.`;

export const command: CliCommand = {
  name: 'config',
  summary: 'print the default configuration or a preset, or check a tile_compile.yaml',
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: ['defaults'], options: ['check', 'preset', 'lang'] });
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    const actions = [args.flags.defaults, args.options.check !== undefined, args.options.preset !== undefined].filter(Boolean);
    if (actions.length !== 1) throw new UsageError('give exactly one of --defaults, --check FILE, --preset NAME');
    const lang = args.options.lang ?? 'en';
    if (lang !== 'en' && lang !== 'de') throw new UsageError(`--lang expects en or de, got ${lang}`);
    if (args.options.lang !== undefined && !args.flags.defaults) throw new UsageError('--lang only applies to --defaults');

    if (args.flags.defaults) {
      io.stdout(defaultConfigYaml(lang));
      return EXIT.ok;
    }
    if (args.options.preset !== undefined) {
      const name = args.options.preset;
      if (!(PRESET_NAMES as string[]).includes(name)) {
        throw new UsageError(`unknown preset ${name}; presets: ${PRESET_NAMES.join(', ')}`);
      }
      io.stdout(PRESETS[name as PresetName]);
      return EXIT.ok;
    }
    return checkFile(args.options.check as string, io);
  },
};

async function checkFile(file: string, io: CliIO): Promise<number> {
  const fs = nodeFileSystem;
  let text: string;
  try {
    // Refuse before reading: an oversized file is never loaded into memory.
    const size = (await fs.stat(file)).size;
    if (size > MAX_CONFIG_BYTES) {
      io.stdout(`${file}:1:1: error: ${file}: expected at most ${MAX_CONFIG_BYTES} bytes (1 MiB), got ${size} bytes\n`);
      io.stderr(`${file}: 1 error\n`);
      return EXIT.usage;
    }
    text = await fs.readText(file);
  } catch (err) {
    io.stderr(`${file}: cannot read the configuration (${(err as Error).message})\n`);
    return EXIT.usage;
  }
  const loaded = loadConfig(text, file);
  const problems: ConfigProblem[] = [...loaded.problems];
  if (loaded.config) {
    problems.push(...(await checkConfigPaths(loaded.config, fs, { baseDir: fs.dirname(fs.resolve(file)), document: loaded.document })));
  }
  for (const p of problems) io.stdout(`${formatLocated(file, p)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  io.stderr(`${file}: ${count(errors, 'error')}, ${count(warnings, 'warning')}\n`);
  return errors > 0 ? EXIT.usage : EXIT.ok;
}

/** `FILE:line:column: severity: message`, the form editors and CI annotate. */
export function formatLocated(file: string, p: ConfigProblem): string {
  const where = p.line > 0 ? `${file}:${p.line}:${p.column}` : file;
  return `${where}: ${p.severity}: ${p.message}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
