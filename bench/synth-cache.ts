import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmark sets, generated once by `tile-compile synth` (uint16 frames, seed 1) and cached
 * under bench/cache/<name>/. A set counts as cached only when its marker file matches the
 * parameters and every frame it lists is present with its recorded size: an interrupted
 * generation leaves no marker and is redone from scratch.
 */
export interface BenchSet {
  readonly name: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
}

export const BENCH_SETS: Record<string, BenchSet> = {
  S: { name: 'S', frames: 60, width: 1024, height: 768, seed: 1 },
  M: { name: 'M', frames: 200, width: 2048, height: 1536, seed: 1 },
  L: { name: 'L', frames: 400, width: 6000, height: 4000, seed: 1 },
  // issue 5's "flat in N" is stated for M at 400 frames, and L's memory bound can be checked
  // without L's ~2 h: peak memory does not grow with N (M 60 -> 200 -> 400), so 50 frames (reduced mode's minimum) of L's
  // size show L's peak
  M400: { name: 'M400', frames: 400, width: 2048, height: 1536, seed: 1 },
  L50: { name: 'L50', frames: 50, width: 6000, height: 4000, seed: 1 },
};

const MARKER = 'bench-set.json';

interface Marker {
  readonly set: BenchSet;
  readonly files: Array<{ name: string; size: number }>;
  readonly generatedS: number;
}

export interface CachedSet {
  readonly dir: string;
  readonly set: BenchSet;
  readonly frameFiles: string[];
  readonly inputBytes: number;
  /** Seconds spent generating it in this run; 0 when it came from the cache. */
  readonly generatedNowS: number;
}

export function frameNamesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^light_\d{5,}\.fits$/.test(n))
    .sort();
}

/** The set at `dir` if its marker matches `set` and the frames are intact, else null. */
export function readCachedSet(dir: string, set: BenchSet): CachedSet | null {
  const markerPath = join(dir, MARKER);
  if (!existsSync(markerPath)) return null;
  let marker: Marker;
  try {
    marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Marker;
  } catch {
    return null;
  }
  const same = (Object.keys(set) as Array<keyof BenchSet>).every((k) => marker.set?.[k] === set[k]);
  if (!same || !Array.isArray(marker.files) || marker.files.length !== set.frames) return null;
  const present = new Set(frameNamesIn(dir));
  if (present.size !== set.frames) return null;
  for (const f of marker.files) {
    if (!present.has(f.name) || statSync(join(dir, f.name)).size !== f.size) return null;
  }
  return {
    dir,
    set,
    frameFiles: marker.files.map((f) => join(dir, f.name)),
    inputBytes: marker.files.reduce((a, f) => a + f.size, 0),
    generatedNowS: 0,
  };
}

/** Writes the marker for a complete set in `dir` (after generation). */
export function writeMarker(dir: string, set: BenchSet, generatedS: number): void {
  const files = frameNamesIn(dir).map((name) => ({ name, size: statSync(join(dir, name)).size }));
  if (files.length !== set.frames) throw new Error(`bench: ${dir} holds ${files.length} frames, expected ${set.frames}`);
  const marker: Marker = { set, files, generatedS };
  writeFileSync(join(dir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

export async function ensureSet(cliPath: string, cacheDir: string, set: BenchSet, log: (line: string) => void): Promise<CachedSet> {
  const dir = join(cacheDir, set.name);
  const cached = readCachedSet(dir, set);
  if (cached) return cached;
  log(`generating set ${set.name}: ${set.frames} x ${set.width}x${set.height} uint16 into ${dir} (cached for later runs)`);
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const args = [cliPath, 'synth', dir, '--frames', String(set.frames), '--width', String(set.width), '--height', String(set.height), '--seed', String(set.seed)];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c));
  });
  if (code !== 0) throw new Error(`bench: tile-compile synth exited with ${code} for set ${set.name}`);
  const seconds = (performance.now() - t0) / 1000;
  writeMarker(dir, set, seconds);
  const fresh = readCachedSet(dir, set);
  if (!fresh) throw new Error(`bench: set ${set.name} was generated but does not verify`);
  return { ...fresh, generatedNowS: seconds };
}
