import os from 'node:os';
import path from 'node:path';
import { nodeFileSystem } from '../../host/node-file-system';
import { createSkySpec } from '../../../shared/synth/create-sky-spec';
import { writeSynthSet } from '../../../shared/synth/write-synth-set';
import { EXIT, UsageError, type CliCommand } from '../command';
import { parseArgs, parseIntOption } from '../args';
import { command as run } from './run';

const usage = `usage: tile-compile demo [--out DIR] [--frames N] [--width W] [--height H] [--bayer RGGB] [--workers N]

Synthesizes a small sky set (default 60 frames of 640×480 with varying seeing, cloud and a
satellite trail) into DIR/lights and stacks it into DIR/run, to see the whole pipeline work
without your own data. DIR defaults to a new folder under the system's temp directory.`;

export const command: CliCommand = {
  name: 'demo',
  summary: 'synthesize a small sky set and stack it',
  usage,
  async run(argv, io) {
    const args = parseArgs(argv, { flags: [], options: ['out', 'frames', 'width', 'height', 'bayer', 'workers', 'seed'] });
    if (args.positional.length > 0) throw new UsageError('demo takes no positional arguments');
    const frames = parseIntOption('frames', args.options.frames, 1) ?? 60;
    const width = parseIntOption('width', args.options.width, 64) ?? 640;
    const height = parseIntOption('height', args.options.height, 64) ?? 480;
    const seed = parseIntOption('seed', args.options.seed, 0) ?? 1;
    const bayer = args.options.bayer?.toUpperCase();
    if (bayer !== undefined && !['RGGB', 'BGGR', 'GRBG', 'GBRG'].includes(bayer)) throw new UsageError(`--bayer expects RGGB, BGGR, GRBG or GBRG, got ${bayer}`);
    const base = path.resolve(args.options.out ?? path.join(os.tmpdir(), `tile-compile-demo-${process.pid}-${Date.now().toString(36)}`));
    const lights = path.join(base, 'lights');
    io.stdout(`Synthesizing ${frames} frames of ${width}×${height}${bayer ? ` (${bayer} mosaic)` : ''} into ${lights} …\n`);
    const spec = createSkySpec({ frames, width, height, seed, bayer: (bayer as 'RGGB' | undefined) ?? null });
    await writeSynthSet(nodeFileSystem, lights, spec, { signal: io.signal });
    const runArgs = [lights, '--out', path.join(base, 'run')];
    if (args.options.workers !== undefined) runArgs.push('--workers', args.options.workers);
    if (frames < 50) {
      const cfg = path.join(base, 'demo.yaml');
      await nodeFileSystem.writeFileAtomic(cfg, 'runtime:\n  allow_emergency_mode: true  # the demo set is smaller than assumptions.frames_min\n');
      runArgs.push('--config', cfg);
    }
    const code = await run.run(runArgs, io);
    if (code === EXIT.ok || code === EXIT.validationFailed) io.stdout(`Demo finished: ${path.join(base, 'run', 'result', 'stack.fits')}\n`);
    return code;
  },
};
