import { nodeFileSystem } from '../../host/node-file-system';
import type { FileSystem } from '../../../shared/io/file-system';
import { BAYER_PATTERNS, type BayerPattern } from '../../../shared/image/image';
import { createSkySpec } from '../../../shared/synth/create-sky-spec';
import { SynthOptionError, type SynthOptions } from '../../../shared/synth/options';
import { SynthCancelledError, writeSynthSet } from '../../../shared/synth/write-synth-set';
import { EXIT, UsageError, type CliCommand } from '../command';
import { parseArgs, parseIntOption } from '../args';

const usage = `usage: tile-compile synth OUT_DIR --frames N --width W --height H [options]

Writes a synthetic set of linear light frames (OUT_DIR/light_00001.fits ...) and its truth
(OUT_DIR/truth/: scene.fits, stars.json, frames.json, sensor.json, README.txt): a power-law star
field, galaxies, a faint nebula, a sky gradient, seeing that varies by frame and across the field
with bad stretches, passing thin cloud, shifts and rotation, Poisson + read noise, hot pixels and
the odd satellite trail. The same arguments always give byte-identical files.
  --bayer P        write one-shot-colour CFA mosaics with pattern P (RGGB, BGGR, GRBG, GBRG)
  --seed S         random seed (default 1)
  --fwhm F         median seeing FWHM in pixels (default 3.0)
  --exposure T     exposure in seconds (default 10; sky and star levels scale with it)
  --noise-free     write float32 expectation frames (no noise, no rounding)
  --force          write into a folder that already holds FITS files, replacing light_*.fits
Exit status: 0 written, 1 failed, 2 usage error, 130 cancelled.`;

const FITS_NAME = /\.(fits?|fts|fz)$/i;
const FRAME_NAME = /^light_\d{5,}\.fits$/;

export const command: CliCommand = {
  name: 'synth',
  summary: 'write a synthetic sky set with its truth (test data)',
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, {
      flags: ['force', 'noise-free'],
      options: ['frames', 'width', 'height', 'bayer', 'seed', 'fwhm', 'exposure'],
    });
    if (args.positional.length !== 1) throw new UsageError('synth needs exactly one output folder');
    const outDir = args.positional[0];
    const options = synthOptionsFromArgs(args.options, args.flags['noise-free'] === true);
    let spec;
    try {
      spec = createSkySpec(options);
    } catch (e) {
      if (e instanceof SynthOptionError) throw new UsageError(e.message);
      throw e;
    }
    const fs = nodeFileSystem;
    const existing = await fitsFilesIn(fs, outDir);
    if (existing.length > 0 && !args.flags.force) {
      io.stderr(`tile-compile synth: ${outDir} already holds ${existing.length} FITS file(s); use --force to replace the set\n`);
      return EXIT.failed;
    }
    for (const name of existing) if (FRAME_NAME.test(name)) await fs.rm(fs.join(outDir, name));

    const total = spec.frames.length;
    const step = Math.max(1, Math.ceil(total / 20));
    try {
      await writeSynthSet(fs, outDir, spec, {
        signal: io.signal,
        onFrame: (done) => {
          if (done % step === 0 || done === total) io.stdout(`frame ${done}/${total}\n`);
        },
      });
    } catch (e) {
      if (e instanceof SynthCancelledError) {
        io.stderr(`tile-compile synth: ${e.message}\n`);
        return EXIT.cancelled;
      }
      throw e;
    }
    io.stdout(`wrote ${total} frame${total === 1 ? '' : 's'} and the truth to ${outDir}\n`);
    return EXIT.ok;
  },
};

function synthOptionsFromArgs(o: Record<string, string | undefined>, noiseFree: boolean): SynthOptions {
  const required = (name: string): number => {
    const v = parseIntOption(name, o[name], 1);
    if (v === undefined) throw new UsageError(`--${name} is required`);
    return v;
  };
  let bayer: BayerPattern | null = null;
  if (o.bayer !== undefined) {
    const p = o.bayer.toUpperCase();
    if (!(BAYER_PATTERNS as readonly string[]).includes(p)) {
      throw new UsageError(`--bayer expects one of ${BAYER_PATTERNS.join(', ')}, got ${o.bayer}`);
    }
    bayer = p as BayerPattern;
  }
  return {
    frames: required('frames'),
    width: required('width'),
    height: required('height'),
    bayer,
    seed: parseIntOption('seed', o.seed, 0),
    fwhmMedianPx: positiveNumber('fwhm', o.fwhm),
    exposureS: positiveNumber('exposure', o.exposure),
    noiseFree,
  };
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} expects a positive number, got ${value}`);
  return n;
}

async function fitsFilesIn(fs: FileSystem, dir: string): Promise<string[]> {
  if (!(await fs.exists(dir))) return [];
  if (!(await fs.stat(dir)).isDirectory) throw new UsageError(`${dir} exists and is not a folder`);
  return (await fs.readdir(dir)).filter((n) => FITS_NAME.test(n)).sort();
}
