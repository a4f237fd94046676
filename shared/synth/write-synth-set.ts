import { createFitsRowWriter, writeFitsImage } from '../fits/writer';
import type { FitsCard } from '../fits/types';
import type { FileSystem } from '../io/file-system';
import { frameCards, SYNTH_INSTRUMENT } from './frame-cards';
import { renderFrame, renderTruthPlane, truthPlaneCount } from './render';
import type { SkySpec } from './spec-types';
import { formatTruthJson, frameFileName, framesJson, sensorJson, starsJson, truthReadme } from './truth';

/**
 * Writes a synthetic set: truth first (JSON, README, scene.fits), then the light frames one at a
 * time, so peak memory is one frame (plus the writer's 1 Mpx conversion buffer) whatever N is.
 * Every file is written under a temporary name and renamed into place.
 */
export interface WriteSynthOptions {
  /** Called after each frame is on disk. */
  onFrame?(done: number, total: number): void;
  /** Checked before each frame; an aborted signal stops with SynthCancelledError. */
  signal?: { readonly aborted: boolean };
}

export interface SynthSetSummary {
  readonly frameFiles: string[];
  readonly truthDir: string;
}

export class SynthCancelledError extends Error {
  readonly code = 'CANCELLED';
  constructor(done: number, total: number) {
    super(`cancelled after ${done} of ${total} frames`);
    this.name = 'SynthCancelledError';
  }
}

export async function writeSynthSet(fs: FileSystem, outDir: string, spec: SkySpec, opts: WriteSynthOptions = {}): Promise<SynthSetSummary> {
  const truthDir = fs.join(outDir, 'truth');
  await fs.mkdirp(truthDir);
  await fs.writeFileAtomic(fs.join(truthDir, 'stars.json'), formatTruthJson(starsJson(spec)));
  await fs.writeFileAtomic(fs.join(truthDir, 'frames.json'), formatTruthJson(framesJson(spec)));
  await fs.writeFileAtomic(fs.join(truthDir, 'sensor.json'), formatTruthJson(sensorJson(spec)));
  await fs.writeFileAtomic(fs.join(truthDir, 'README.txt'), truthReadme(spec));
  await writeTruthScene(fs, fs.join(truthDir, 'scene.fits'), spec);

  const total = spec.frames.length;
  const frameFiles: string[] = [];
  const bitpix = spec.options.noiseFree ? -32 : 16;
  for (let f = 0; f < total; f++) {
    if (opts.signal?.aborted) throw new SynthCancelledError(f, total);
    const path = fs.join(outDir, frameFileName(f));
    await writeFitsImage(fs, path, renderFrame(spec, f), { bitpix, cards: frameCards(spec, f) });
    frameFiles.push(path);
    opts.onFrame?.(f + 1, total);
  }
  return { frameFiles, truthDir };
}

/** The truth scene plane by plane: a colour truth never holds more than one plane in memory. */
async function writeTruthScene(fs: FileSystem, path: string, spec: SkySpec): Promise<void> {
  const planes = truthPlaneCount(spec);
  const writer = await createFitsRowWriter(fs, path, { width: spec.width, height: spec.height, planes, bitpix: -32 }, sceneCards(spec));
  try {
    for (let c = 0; c < planes; c++) await writer.writeRows(renderTruthPlane(spec, c));
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.close();
}

function sceneCards(spec: SkySpec): FitsCard[] {
  return [
    { key: 'IMAGETYP', value: 'Truth Scene', type: 'string' },
    { key: 'INSTRUME', value: SYNTH_INSTRUMENT, type: 'string' },
    { key: 'OBJECT', value: `Synthetic field ${spec.options.seed}`, type: 'string' },
    { key: 'BUNIT', value: 'ADU', type: 'string', comment: 'per frame at transmission 1, no sky' },
    { key: 'FWHM', value: spec.bestFwhmPx, type: 'float', comment: '[px] seeing of this scene' },
  ];
}
