import type { Image } from '../../image/image';
import { applyCalibration, type Masters } from '../calibration';
import { hotPixelCorrectionInPlace } from '../cosmetic';
import type { RunContext } from '../run/run-context';
import { readFloat32 } from '../run/run-files';

/**
 * Applies the P1 masters to a raw frame in P2 and P6 (both passes calibrate the same way). The
 * masters are loaded once per process (two frame-sized float32 arrays at most).
 */
export function mastersPaths(ctx: RunContext) {
  return { offset: ctx.paths.workFile('masters', 'offset.f32'), flat: ctx.paths.workFile('masters', 'flat.f32') };
}

const cache = new Map<string, Promise<Masters>>();

function loadMasters(ctx: RunContext): Promise<Masters> {
  const key = mastersPaths(ctx).offset;
  let p = cache.get(key);
  if (!p) {
    const c = ctx.config.calibration;
    const paths = mastersPaths(ctx);
    p = (async () => ({
      offset: c.use_bias || c.use_dark ? await readFloat32(ctx.fs, paths.offset) : null,
      flat: c.use_flat ? await readFloat32(ctx.fs, paths.flat) : null,
    }))();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export function calibrationEnabled(ctx: RunContext): boolean {
  const c = ctx.config.calibration;
  return c.use_bias || c.use_dark || c.use_flat;
}

/**
 * The frame as both passes use it: masters applied, then the optional per-frame hot-pixel fix
 * (stacking.per_frame_cosmetic_correction, the P12.3 rule per CFA colour) in place on the decoded
 * copy; the input file is never touched.
 */
export async function calibrateFrame(ctx: RunContext, raw: Image): Promise<Image> {
  const image = calibrationEnabled(ctx) ? applyCalibration(raw, await loadMasters(ctx), ctx.config.calibration.flat_min) : raw;
  const s = ctx.config.stacking;
  if (s.per_frame_cosmetic_correction) {
    hotPixelCorrectionInPlace(image, s.per_frame_cosmetic_correction_sigma, ctx.layout.colorMode === 'OSC' ? (ctx.layout.pattern ?? undefined) : undefined);
  }
  return image;
}
