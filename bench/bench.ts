/**
 * `npm run bench` — the benchmark table against Siril (issues 2, 3, 4, 5).
 *
 * For each set (S, M; L with --large) it makes sure the synthetic frames exist (generated once,
 * cached under bench/cache/), runs `tile-compile run` on them as a measured process tree, then,
 * where Debian's siril is installed, ../shared/bench/run_siril.sh on the same frames, and prints
 * wall, CPU, throughput, bytes read ÷ input and the tree's peak memory with the ratios to Siril.
 * Before the sets: FITS read throughput (issue 2) and one-core registration of a 24 MP frame
 * (issue 3). Writes bench/results/latest.json and bench/RESULTS.md. Nothing is asserted: the
 * targets are reported. Not part of CI (minutes of work on 2 cores).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFitsRead } from './fits-read';
import { runPipelineMeasured } from './pipeline-run';
import { benchRegistration } from './registration';
import { enterMemoryCgroup } from './memory-cgroup';
import { evaluateTargets, medianRun, renderMarkdown, type BenchDocument, type SetResult } from './report';
import { runSiril, sirilUnavailableReason, type SirilResult } from './siril-run';
import { BENCH_SETS, ensureSet, frameNamesIn, type CachedSet } from './synth-cache';

const usage = `usage: npm run bench -- [options]      (or: node dist/bench/bench.js [options])
  --large          also run set L (400 x 6000x4000 uint16, ~19 GB of frames; hours on 2 cores)
  --sets LIST      comma-separated sets to run (default S,M; known: ${Object.keys(BENCH_SETS).join(', ')})
  --flat N         also run the first N frames of the largest chosen set, to see memory vs frame count
  --no-siril       do not run Siril even where it is installed
  --no-micro       skip the FITS-read and registration micro-benchmarks
  --only-micro     run only the micro-benchmarks
  --cold           drop the page cache before every run (root only; disk-read column becomes real,
                   and the bytes-read target is judged on it)
  --memory-limit MB  run everything in a Linux memory cgroup of MB (resident memory + page cache,
                   root only): the device reads of a machine whose cache cannot hold the run's data
  --config FILE    tile_compile.yaml for the pipeline runs (default: built-in defaults)
  --workers N      worker processes for the pipeline runs (default: from the memory model)
  --repeat N       runs per set, ours and Siril's taking turns (default 3); the tables show the
                   median runs, the ratios are of the medians, and every pair is listed
  --keep           keep the run directories under bench/results/tmp/
  --render         only re-render bench/RESULTS.md from bench/results/latest.json (after
                   adding remarks to its "notes" array, e.g. the load on the machine)
  --cli FILE       the tile-compile bundle to measure (default dist/cli/tile-compile.js; its workers
                   are the sibling ../workers/worker-main.js)`;

interface Options {
  sets: string[];
  flat: number | null;
  siril: boolean;
  micro: boolean;
  onlyMicro: boolean;
  cold: boolean;
  config: string | null;
  workers: number | null;
  keep: boolean;
  cli: string | null;
  repeat: number;
  memoryLimitMb: number | null;
}

function parseOptions(argv: readonly string[]): Options {
  const o: Options = { sets: ['S', 'M'], flat: null, siril: true, micro: true, onlyMicro: false, cold: false, config: null, workers: null, keep: false, cli: null, repeat: 3, memoryLimitMb: null };
  let large = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--large') large = true;
    else if (a === '--sets') o.sets = value().split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    else if (a === '--flat') o.flat = positiveInt(a, value());
    else if (a === '--no-siril') o.siril = false;
    else if (a === '--no-micro') o.micro = false;
    else if (a === '--only-micro') o.onlyMicro = true;
    else if (a === '--cold') o.cold = true;
    else if (a === '--config') o.config = resolve(value());
    else if (a === '--workers') o.workers = positiveInt(a, value());
    else if (a === '--keep') o.keep = true;
    else if (a === '--cli') o.cli = resolve(value());
    else if (a === '--repeat') o.repeat = positiveInt(a, value());
    else if (a === '--memory-limit') o.memoryLimitMb = positiveInt(a, value());
    else throw new Error(`unknown option ${a}`);
  }
  if (large && !o.sets.includes('L')) o.sets.push('L');
  for (const s of o.sets) if (!(s in BENCH_SETS)) throw new Error(`unknown set ${s}`);
  return o;
}

function positiveInt(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} expects a positive integer, got ${v}`);
  return n;
}

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const MB = 1e6;

function dropPageCache(): void {
  execFileSync('sync');
  writeFileSync('/proc/sys/vm/drop_caches', '3\n');
}

/** A set of the first `n` frames of `base`, as symlinks (same bytes, fewer frames). */
function subset(cacheDir: string, base: CachedSet, n: number): CachedSet {
  const dir = join(cacheDir, `${base.set.name}-N${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = frameNamesIn(base.dir).slice(0, n);
  for (const f of files) symlinkSync(join(base.dir, f), join(dir, f));
  const inputBytes = files.reduce((a, f) => a + statSync(join(base.dir, f)).size, 0);
  return { dir, set: { ...base.set, name: `${base.set.name}-N${n}`, frames: files.length }, frameFiles: files.map((f) => join(dir, f)), inputBytes, generatedNowS: 0 };
}

type OursRun = SetResult['ours'];
type SirilRun = Extract<SetResult['siril'], { wallS: number }>;

async function runOurs(o: Options, paths: { cli: string; tmp: string }, cs: CachedSet, round: string): Promise<{ run: OursRun; completed: boolean; runDir: string }> {
  const name = cs.set.name;
  const runDir = join(paths.tmp, `${name}${round}`);
  rmSync(runDir, { recursive: true, force: true });
  if (o.cold) dropPageCache();
  log(`${name}${round}: tile-compile run (${cs.set.frames} x ${cs.set.width}x${cs.set.height}, ${Math.round(cs.inputBytes / MB)} MB) ...`);
  const r = await runPipelineMeasured({ cliPath: paths.cli, inputDir: cs.dir, runDir, configPath: o.config ?? undefined, workers: o.workers ?? undefined });
  log(`${name}${round}: exit ${r.exitCode} (${r.events.status ?? 'no run_finished'}), wall ${r.wallS.toFixed(1)} s, CPU ${r.cpuS.toFixed(1)} s, peak tree ${Math.round(r.tree.peakRssSumMb)} MB, read ${(r.tree.rcharBytes / cs.inputBytes).toFixed(2)}x input`);
  const run: OursRun = {
    status: r.events.status,
    exitCode: r.exitCode,
    workers: r.events.workers,
    wallS: r.wallS,
    cpuS: r.cpuS,
    throughputMBps: cs.inputBytes / MB / r.wallS,
    readMB: r.tree.rcharBytes / MB,
    readRatio: r.tree.rcharBytes / cs.inputBytes,
    diskReadMB: r.tree.readBytes / MB,
    diskReadRatio: r.tree.readBytes / cs.inputBytes,
    writtenMB: r.tree.wcharBytes / MB,
    peakRssSumMb: r.tree.peakRssSumMb,
    peakRssMaxMb: r.tree.peakRssMaxMb,
    concurrentRssMaxMb: r.tree.concurrentRssMaxMb,
    plannedPeakMb: r.events.plannedPeakMb,
    reportedRssMb: r.events.reportedRssMb,
    processes: r.tree.processes,
    phases: r.phaseResources,
  };
  // exit 0 = ok, 3 = validation_failed with a complete result; anything else is a failed run
  return { run, completed: r.exitCode === 0 || r.exitCode === 3, runDir };
}

/**
 * One set, `o.repeat` times: our run and Siril's in turns (Siril first in even rounds), so that
 * the machine's drift (its speed changes by 10 % and more within minutes) falls on both alike. Reported: the median run of
 * each (its phases and details), the ratio of the medians, the largest peak memory of any run, and
 * every pair.
 */
async function benchSet(o: Options, paths: { cli: string; tmp: string; sirilScript: string }, cs: CachedSet): Promise<SetResult> {
  const name = cs.set.name;
  const inputMB = cs.inputBytes / MB;
  const unavailable = o.siril ? sirilUnavailableReason(paths.sirilScript) : 'disabled with --no-siril';
  const ours: OursRun[] = [];
  const sirils: SirilRun[] = [];
  let sirilSkipped: string | null = unavailable;
  const sirilRound = async (i: number, round: string, oursWallS: number | null): Promise<void> => {
    if (sirilSkipped !== null) return;
    const outDir = join(paths.tmp, `siril-${name}-${i}`);
    rmSync(outDir, { recursive: true, force: true });
    if (o.cold) dropPageCache();
    log(`${name}${round}: Siril (run_siril.sh) ...`);
    const s: SirilResult = await runSiril(paths.sirilScript, cs.dir, outDir);
    if (!s.ok) sirilSkipped = s.message ?? 'Siril failed';
    else {
      sirils.push({ wallS: s.wallS, cpuS: s.cpuS, peakRssMb: s.peakRssMb, scratchMb: s.scratchMb, registered: s.registered });
      log(`${name}${round}: Siril wall ${s.wallS.toFixed(1)} s, peak ${s.peakRssMb} MB${oursWallS !== null ? ` -> ours/Siril: time x${(oursWallS / s.wallS).toFixed(2)}` : ''}`);
    }
    if (!o.keep) rmSync(outDir, { recursive: true, force: true });
  };
  for (let i = 1; i <= o.repeat; i++) {
    const round = o.repeat > 1 ? ` (run ${i} of ${o.repeat})` : '';
    // even rounds run Siril first: a machine that slows down (or speeds up) within a pair then
    // favours neither side over the rounds
    const sirilFirst = i % 2 === 0;
    if (sirilFirst) await sirilRound(i, round, null);
    const { run, completed, runDir } = await runOurs(o, paths, cs, round);
    if (!completed) {
      const tail = existsSync(`${runDir}.log`) ? readFileSync(`${runDir}.log`, 'utf8').trim().split('\n').slice(-5).join('\n') : '';
      log(`${name}: the run FAILED (exit ${run.exitCode}); kept ${runDir}.log:\n${tail}`);
      return { set: name, frames: cs.set.frames, width: cs.set.width, height: cs.set.height, inputMB, note: `the run failed with exit ${run.exitCode}: nothing measured`, ours: run, siril: { skipped: 'our run failed' }, ratios: null, failed: true };
    }
    if (!o.keep) rmSync(runDir, { recursive: true, force: true });
    ours.push(run);
    if (!sirilFirst) await sirilRound(i, round, run.wallS);
    else if (sirilSkipped === null) log(`${name}${round}: ours/Siril: time x${(run.wallS / sirils[sirils.length - 1].wallS).toFixed(2)}`);
  }
  // the median run stands for the set; memory is the largest peak of any run (the bound that matters)
  const median = { ...medianRun(ours), peakRssSumMb: Math.max(...ours.map((r) => r.peakRssSumMb)) };
  let siril: SetResult['siril'];
  let ratios: SetResult['ratios'] = null;
  if (sirilSkipped !== null) siril = { skipped: sirilSkipped };
  else {
    siril = { ...medianRun(sirils), peakRssMb: Math.max(...sirils.map((r) => r.peakRssMb)) };
    ratios = { wall: median.wallS / siril.wallS, memory: median.peakRssSumMb / siril.peakRssMb };
    log(`${name}: medians of ${o.repeat}: ours ${median.wallS.toFixed(1)} s, Siril ${siril.wallS.toFixed(1)} s -> time x${ratios.wall.toFixed(2)}, memory x${ratios.memory.toFixed(2)}`);
  }
  const runs: SetResult['runs'] = ours.map((r, i) => ({
    wallS: r.wallS,
    cpuS: r.cpuS,
    peakRssSumMb: r.peakRssSumMb,
    sirilWallS: sirils[i]?.wallS ?? null,
    sirilCpuS: sirils[i]?.cpuS ?? null,
    sirilPeakMb: sirils[i]?.peakRssMb ?? null,
  }));
  const note = cs.generatedNowS > 0 ? `frames generated in this run (${cs.generatedNowS.toFixed(0)} s, not timed above)` : undefined;
  return { set: name, frames: cs.set.frames, width: cs.set.width, height: cs.set.height, inputMB, note, ours: median, siril, ratios, runs };
}

function machine(): BenchDocument['machine'] {
  const c = cpus();
  return { cpus: c.length, cpuModel: c[0]?.model.trim() ?? 'unknown', ramGb: Math.round(totalmem() / 2 ** 30), node: process.versions.node, os: `${platform()} ${release()}` };
}

function gitCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // dist/bench/bench.js -> the repository root is two levels up
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  if (argv.includes('--render')) {
    const doc = JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8')) as BenchDocument;
    const md = renderMarkdown({ ...doc, targets: evaluateTargets(doc.sets, { cold: doc.options.cold }) });
    // notes and the build description may be edited by hand in latest.json before re-rendering
    writeFileSync(join(root, 'bench/RESULTS.md'), md);
    process.stdout.write(`${md}\n`);
    return 0;
  }
  const o = parseOptions(argv);
  const cgroup = o.memoryLimitMb === null ? null : enterMemoryCgroup(o.memoryLimitMb);
  if (cgroup !== null) log(`in memory cgroup ${cgroup.dir}, limit ${o.memoryLimitMb} MiB (resident memory + page cache)`);
  try {
    return await measure(o, root);
  } finally {
    cgroup?.leave();
  }
}

async function measure(o: Options, root: string): Promise<number> {
  const cli = o.cli ?? join(root, 'dist/cli/tile-compile.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npm run build' first (npm run bench does)`);
  const cacheDir = join(root, 'bench/cache');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const tmp = join(root, 'bench/results/tmp', stamp);
  mkdirSync(tmp, { recursive: true });
  const paths = { cli, tmp, sirilScript: resolve(root, '../shared/bench/run_siril.sh') };
  if (o.cold) {
    try {
      dropPageCache();
    } catch (e) {
      throw new Error(`--cold needs write access to /proc/sys/vm/drop_caches (root): ${(e as Error).message}`);
    }
  }

  let fitsRead: BenchDocument['fitsRead'];
  let registration: BenchDocument['registration'];
  if (o.micro || o.onlyMicro) {
    log('FITS read throughput (100 MB uint16 and float32 frames) ...');
    fitsRead = await benchFitsRead();
    for (const f of fitsRead.frames) log(`  ${f.kind}: ${f.medianMBps} MB/s (reused output buffer: ${f.reusedBufferMedianMBps} MB/s)`);
    log('registration of one 24 MP frame on one core (median of 5 after a warm-up) ...');
    registration = (await benchRegistration()) as Record<string, unknown>;
    log(`  detect ${String(registration.detect_ms)} ms, match ${String(registration.match_ms)} ms, warp ${String(registration.warp_ms)} ms, total ${String(registration.median_total_ms)} ms`);
  } else {
    fitsRead = { skipped: '--no-micro' };
    registration = { skipped: '--no-micro' };
  }

  const sets: SetResult[] = [];
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  // written after every set, so a long run (L takes hours) leaves its finished rows behind
  const write = (): string => {
    const doc: BenchDocument = {
      date: new Date().toISOString(),
      machine: machine(),
      commit: gitCommit(root),
      options: { cold: o.cold, config: o.config, workers: o.workers, cli: o.cli, repeat: o.repeat, memoryLimitMb: o.memoryLimitMb },
      sets,
      fitsRead,
      registration,
      targets: evaluateTargets(sets, { cold: o.cold }),
    };
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(doc, null, 2)}\n`);
    const md = renderMarkdown(doc);
    writeFileSync(join(root, 'bench/RESULTS.md'), md);
    return md;
  };
  if (!o.onlyMicro) {
    const cached: CachedSet[] = [];
    for (const name of o.sets) cached.push(await ensureSet(cli, cacheDir, BENCH_SETS[name], log));
    if (o.flat !== null) {
      const largest = cached.reduce((a, b) => (b.set.frames * b.set.width * b.set.height > a.set.frames * a.set.width * a.set.height ? b : a));
      if (o.flat < largest.set.frames) cached.splice(cached.indexOf(largest), 0, subset(cacheDir, largest, o.flat));
    }
    for (const cs of cached) {
      sets.push(await benchSet(o, paths, cs));
      write();
    }
  }
  const md = write();
  const failed = sets.some((s) => s.failed === true || ('skipped' in s.siril && s.siril.skipped.includes('exited')));
  if (!o.keep && !failed) rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(`\n${md}\n`);
  if (failed) log(`a run failed: its logs are kept in ${tmp}`);
  log(`wrote bench/results/latest.json and bench/RESULTS.md`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).message}\n${usage}\n`);
    process.exitCode = 1;
  },
);
