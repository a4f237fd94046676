import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runMeasured } from './pipeline-run';

/**
 * Siril as the peer, through ../shared/bench/run_siril.sh on the same frames in the same run.
 * The script times only the stacking (convert, register, stack) under `/usr/bin/time -v`; its
 * untimed baselines afterwards are not part of the comparison.
 */
export interface SirilResult {
  readonly ok: boolean;
  readonly wallS: number;
  readonly cpuS: number | null;
  readonly peakRssMb: number;
  readonly scratchMb: number | null;
  readonly registered: string | null;
  readonly outDir: string;
  readonly message?: string;
}

export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Why Siril cannot run here, or null when it can. */
export function sirilUnavailableReason(scriptPath: string): string | null {
  if (!existsSync(scriptPath)) return `${scriptPath} not found`;
  if (onPath('siril-cli') === null) return 'siril-cli not installed (Debian: apt-get install siril)';
  if (!existsSync('/usr/bin/time')) return '/usr/bin/time not installed (Debian: apt-get install time)';
  return null;
}

/** time.txt: `tool=siril-1.0.6 frames=60 wall_s=4.52 peak_rss_mb=160 scratch_mb=800 Total:_0_failed,_60_registered` */
export function parseSirilTimeTxt(text: string): { wallS: number; peakRssMb: number; scratchMb: number | null; registered: string | null } | null {
  const field = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(text)?.[1];
  const wall = Number(field('wall_s'));
  const rss = Number(field('peak_rss_mb'));
  if (!Number.isFinite(wall) || !Number.isFinite(rss) || field('wall_s') === undefined) return null;
  const scratch = field('scratch_mb');
  const reg = /Total:_(\d+)_failed,_(\d+)_registered/.exec(text);
  return {
    wallS: wall,
    peakRssMb: rss,
    scratchMb: scratch === undefined ? null : Number(scratch),
    registered: reg ? `${reg[2]} registered, ${reg[1]} failed` : null,
  };
}

/** User + system seconds from `/usr/bin/time -v` output. */
export function parseTimeVCpu(text: string): number | null {
  const user = /User time \(seconds\):\s*([\d.]+)/.exec(text);
  const sys = /System time \(seconds\):\s*([\d.]+)/.exec(text);
  return user && sys ? Number(user[1]) + Number(sys[1]) : null;
}

/**
 * Exit status of a shell killed by SIGPIPE. run_siril.sh (set -o pipefail) picks its first frame
 * with `ls | head -1`; with a few hundred frames `ls` writes more than one buffer and may be cut
 * off by head before Siril starts (M400 lost its Siril run to this once). That is a race in the
 * script, not a Siril failure: it is run once more.
 */
const SIGPIPE_EXIT = 141;

export async function runSiril(scriptPath: string, inputDir: string, outDir: string): Promise<SirilResult> {
  let run = await runMeasured('bash', [scriptPath, inputDir, outDir], `${outDir}.log`);
  if (run.exitCode === SIGPIPE_EXIT) run = await runMeasured('bash', [scriptPath, inputDir, outDir], `${outDir}.log`);
  const timeTxt = join(outDir, 'time.txt');
  const parsed = existsSync(timeTxt) ? parseSirilTimeTxt(readFileSync(timeTxt, 'utf8')) : null;
  if (run.exitCode !== 0 || parsed === null) {
    return { ok: false, wallS: run.wallS, cpuS: null, peakRssMb: 0, scratchMb: null, registered: null, outDir, message: `run_siril.sh exited with ${run.exitCode}; see ${outDir}.log` };
  }
  const timeV = join(outDir, 'time_v.txt');
  const cpuS = existsSync(timeV) ? parseTimeVCpu(readFileSync(timeV, 'utf8')) : null;
  return { ok: true, wallS: parsed.wallS, cpuS, peakRssMb: parsed.peakRssMb, scratchMb: parsed.scratchMb, registered: parsed.registered, outDir };
}
