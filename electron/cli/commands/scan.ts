import { nodeFileSystem } from '../../host/node-file-system';
import { scanFolder } from '../../../shared/pipeline/scan';
import type { ScanReport } from '../../../shared/pipeline/scan-types';
import { EXIT, UsageError, type CliCommand } from '../command';
import { parseArgs } from '../args';
import { loadConfigFile, scanOptionsFromConfig } from '../config-file';

const usage = `usage: tile-compile scan DIR [--json] [--config FILE]

Lists every frame in DIR (file, size, bit depth, exposure, filter, Bayer pattern, date) and names
every problem: non-FITS files, truncated or unreadable files, mixed sizes, exposure spread, mixed
Bayer patterns, NaN/Inf pixels, and the run mode the frame count implies. Nothing is written.
  --json         one JSON object {frames: [...], problems: [...], mode, ...} on stdout
  --config FILE  use FILE's input/data/assumptions settings (default: built-in defaults)
Exit status: 0 when a run could start, 1 otherwise, 2 on a usage or configuration error.`;

export const command: CliCommand = {
  name: 'scan',
  summary: 'check a folder of light frames and say what a run would do with it',
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: ['json'], options: ['config'] });
    if (args.positional.length !== 1) throw new UsageError('scan needs exactly one folder');
    const config = args.options.config !== undefined ? await loadConfigFile(args.options.config, io) : null;
    if (config === undefined) return EXIT.usage;
    const report = await scanFolder(nodeFileSystem, args.positional[0], config ? scanOptionsFromConfig(config) : {});
    if (args.flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout(formatScanReport(report));
    return report.canRun ? EXIT.ok : EXIT.failed;
  },
};

export function formatScanReport(r: ScanReport): string {
  const lines: string[] = [];
  lines.push(`Folder: ${r.inputDir}`);
  if (r.frames.length > 0) {
    const rows = r.frames.map((f) => [
      String(f.index + 1),
      f.file,
      `${f.width}×${f.height}${f.planes > 1 ? `×${f.planes}` : ''}`,
      String(f.bitpix),
      f.exposureS === null ? '—' : `${f.exposureS} s`,
      f.filter ?? '—',
      f.bayerPattern ?? (f.colorMode === 'RGB' ? 'RGB' : 'mono'),
      f.dateObs ?? '—',
      f.excluded ?? 'ok',
    ]);
    lines.push(...table(['#', 'file', 'size', 'BITPIX', 'exposure', 'filter', 'Bayer', 'date', 'status'], rows));
  }
  const mb = (r.totalBytes / 1e6).toFixed(1);
  lines.push('');
  lines.push(`${r.frames.length} frame${r.frames.length === 1 ? '' : 's'} read (${mb} MB), ${r.usableFrames} usable → mode: ${r.mode}`);
  const shown = r.problems.filter((p) => p.severity !== 'info');
  const skipped = r.problems.filter((p) => p.severity === 'info');
  if (skipped.length > 0) lines.push(`${skipped.length} other file${skipped.length === 1 ? '' : 's'} skipped: ${skipped.map((p) => p.file).join(', ')}`);
  if (shown.length > 0) {
    lines.push('Problems:');
    for (const p of shown) lines.push(`  ${p.severity === 'error' ? 'ERROR  ' : 'warning'} [${p.code}] ${p.message}`);
  }
  lines.push(r.canRun ? 'A run can start.' : 'A run cannot start until the errors above are fixed.');
  return `${lines.join('\n')}\n`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
}
