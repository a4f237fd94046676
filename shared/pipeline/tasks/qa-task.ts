import { measureLocalMetrics } from '../local-metrics';
import { loadRunContext, type RunContext } from '../run/run-context';
import { readFloat32 } from '../run/run-files';
import { loadRunPlan } from '../run/run-plan';
import { tileBoxes } from './prepare-task';
import { registerTaskHandler, type TaskEnv } from './registry';

/**
 * The local metrics behind the finish's before/after sharpness map (finish-phase.ts writeQaMaps),
 * taken in a worker while the host validates the result: the P6.5 metrics of one luminance plane
 * over the tiles of the run's grid. The host writes the plane to work/qa/<name>.f32 (canvas size,
 * float32) first. Only what the map needs comes back, as JSON: per tile the FWHM (null = none) and
 * the star count (0 for a tile that is missing in the plane).
 */
export interface QaTilesPayload {
  readonly runDir: string;
  readonly name: 'result' | 'mean';
}

export interface QaTiles {
  readonly fwhm: ReadonlyArray<number | null>;
  readonly nstar: readonly number[];
}

export function qaPlanePath(ctx: RunContext, name: QaTilesPayload['name']): string {
  return ctx.paths.workFile('qa', `${name}.f32`);
}

export async function qaTiles(env: TaskEnv, payload: QaTilesPayload): Promise<QaTiles> {
  const ctx = await loadRunContext(env.fs, payload.runDir);
  const plan = await loadRunPlan(ctx);
  const data = await readFloat32(env.fs, qaPlanePath(ctx, payload.name));
  const width = plan.canvasWidth;
  const height = plan.canvasHeight;
  if (data.length !== width * height) throw new Error(`${qaPlanePath(ctx, payload.name)}: ${data.length} values, expected ${width} x ${height}`);
  const tiles = measureLocalMetrics({ width, height, data }, tileBoxes(plan), plan.seeingPx);
  return {
    fwhm: tiles.map((t) => (t && Number.isFinite(t.fwhm) ? t.fwhm : null)),
    nstar: tiles.map((t) => t?.nstar ?? 0),
  };
}

registerTaskHandler('qa-tiles', (env, payload) => qaTiles(env, payload as QaTilesPayload));
