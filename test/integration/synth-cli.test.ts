import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, UsageError, type CliIO } from '../../electron/cli/command';
import { command } from '../../electron/cli/commands/synth';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'synth-cli-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function capture(signal = new AbortController().signal): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (t: string) => {
      io.out += t;
    },
    stderr: (t: string) => {
      io.err += t;
    },
    signal,
  };
  return io;
}

describe('tile-compile synth', () => {
  it('writes the frames and the truth into a new folder and reports progress in at most ~20 lines', async () => {
    const out = join(await tempDir(), 'set');
    const io = capture();
    const code = await command.run([out, '--frames', '45', '--width', '48', '--height', '32', '--bayer', 'rggb', '--seed', '3', '--fwhm', '2.5', '--exposure', '5'], io);
    expect(code).toBe(EXIT.ok);
    const progress = io.out.split('\n').filter((l) => l.startsWith('frame '));
    expect(progress.length).toBeLessThanOrEqual(21);
    expect(progress.at(-1)).toBe('frame 45/45');
    const names = await readdir(out);
    expect(names.filter((n) => n.endsWith('.fits'))).toHaveLength(45);
    expect((await readdir(join(out, 'truth'))).sort()).toEqual(['README.txt', 'frames.json', 'scene.fits', 'sensor.json', 'stars.json']);
  });

  it('refuses to write into a folder that already holds FITS files, and replaces the set with --force', async () => {
    const out = await tempDir();
    await writeFile(join(out, 'mine.fits'), 'not really fits');
    const args = [out, '--frames', '2', '--width', '32', '--height', '32'];
    const refused = capture();
    expect(await command.run(args, refused)).toBe(EXIT.failed);
    expect(refused.err).toContain('--force');
    expect(await readdir(out)).toEqual(['mine.fits']);
    expect(await command.run([...args, '--force'], capture())).toBe(EXIT.ok);
    expect((await readdir(out)).filter((n) => n.endsWith('.fits')).sort()).toEqual(['light_00001.fits', 'light_00002.fits', 'mine.fits']);
  });

  it.each([
    [['--frames', '2', '--width', '32', '--height', '32'], 'no folder'],
    [['OUT', '--width', '32', '--height', '32'], 'no --frames'],
    [['OUT', '--frames', '2', '--width', '32', '--height', '32', '--bayer', 'RGBX'], 'a bad pattern'],
    [['OUT', '--frames', '2', '--width', '8', '--height', '32'], 'a too small width'],
    [['OUT', '--frames', '2', '--width', '32', '--height', '32', '--fwhm', 'wide'], 'a non-numeric FWHM'],
    [['OUT', '--frames', '2', '--width', '32', '--height', '32', '--colour'], 'an unknown option'],
  ])('rejects %j (%s) as a usage error', async (args) => {
    await expect(command.run(args, capture())).rejects.toBeInstanceOf(UsageError);
  });

  it('stops with exit code 130 when cancelled', async () => {
    const out = join(await tempDir(), 'set');
    const controller = new AbortController();
    controller.abort();
    const io = capture(controller.signal);
    expect(await command.run([out, '--frames', '3', '--width', '32', '--height', '32'], io)).toBe(EXIT.cancelled);
    expect((await readdir(out)).filter((n) => n.endsWith('.fits'))).toEqual([]);
  });
});
