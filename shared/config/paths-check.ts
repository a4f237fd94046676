import type { Document, Node } from 'yaml';
import type { FileSystem } from '../io/file-system';
import type { ConfigProblem, TileCompileConfig } from './config-types';
import { getAtPath } from './defaults';
import { NO_PLACE, expectedProblem, type Place } from './problems';
import { sourceTextOf } from './round-trip';

export interface PathCheckOptions {
  /** Folder relative paths are resolved against (usually the config file's folder); else the process cwd. */
  readonly baseDir?: string;
  /** The loaded document, to give problems a line and column. */
  readonly document?: Document | null;
}

type Kind = 'folder' | 'file';

/**
 * The part of validation that needs the disk (kept out of loadConfig so shared/ stays pure): every
 * path an enabled feature will read must exist and be of the right kind. Paths of disabled features
 * are not checked. Returns PATH_NOT_FOUND errors.
 */
export async function checkConfigPaths(config: TileCompileConfig, fs: FileSystem, options: PathCheckOptions = {}): Promise<ConfigProblem[]> {
  const wanted: Array<[string, Kind]> = [];
  const c = config.calibration;
  for (const [stage, dir] of [['bias', 'bias_dir'], ['dark', 'darks_dir'], ['flat', 'flats_dir']] as const) {
    if (!c[`use_${stage}`]) continue;
    wanted.push(c[`${stage}_use_master`] ? [`calibration.${stage}_master`, 'file'] : [`calibration.${dir}`, 'folder']);
  }
  if (config.distributed.enabled) {
    wanted.push(['distributed.shared_dir', 'folder']);
    for (const k of ['ca_file', 'cert_file', 'key_file'] as const) wanted.push([`distributed.tls.${k}`, 'file']);
  }
  if (config.astrometry.enabled) {
    wanted.push(['astrometry.astap_bin', 'file'], ['astrometry.astap_data_dir', 'folder']);
  }
  if (config.pcc.enabled) wanted.push(['pcc.siril_catalog_dir', 'folder']);

  const problems: ConfigProblem[] = [];
  for (const [path, kind] of wanted) {
    const written = getAtPath(config, path) as string;
    // Empty means "not used" or "default location"; a required empty path is a loadConfig error.
    if (written === '') continue;
    const full = isAbsolutePath(written) || !options.baseDir ? fs.resolve(written) : fs.resolve(fs.join(options.baseDir, written));
    const found = await statKind(fs, full);
    if (found === kind) continue;
    const why = found === null ? 'not found' : `a ${found}`;
    problems.push(
      expectedProblem(path, placeIn(options.document ?? null, path), 'PATH_NOT_FOUND', `an existing ${kind}`, `${JSON.stringify(written)} (${why}: ${full})`),
    );
  }
  return problems;
}

export function isAbsolutePath(p: string): boolean {
  return /^([A-Za-z]:[\\/]|[\\/])/.test(p);
}

async function statKind(fs: FileSystem, path: string): Promise<Kind | 'other' | null> {
  try {
    const s = await fs.stat(path);
    return s.isDirectory ? 'folder' : s.isFile ? 'file' : 'other';
  } catch {
    return null;
  }
}

function placeIn(doc: Document | null, path: string): Place {
  if (!doc) return NO_PLACE;
  const node = doc.getIn(path.split('.'), true) as Node | undefined;
  const text = sourceTextOf(doc);
  if (!node?.range || text === null) return NO_PLACE;
  const [start, end] = node.range;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < start; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: start - lineStart + 1, offset: start, endOffset: end };
}
