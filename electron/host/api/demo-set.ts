import type { FileSystem } from '../../../shared/io/file-system';
import { createSkySpec, writeSynthSet } from '../../../shared/synth';

/**
 * "Try with demo data": a small synthetic one-shot-colour set (shared/synth) that runs in well
 * under a minute. With few frames it needs emergency mode, which the Input view explains.
 */
export const DEMO_SIZE = { width: 256, height: 192 } as const;

export async function writeDemoSet(fs: FileSystem, dir: string, frames: number): Promise<void> {
  const spec = createSkySpec({ frames, ...DEMO_SIZE, bayer: 'RGGB', seed: 1 });
  await writeSynthSet(fs, dir, spec);
}
