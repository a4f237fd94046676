import type { FileSystem } from '../../io/file-system';
import { writeFitsImage } from '../../fits/writer';
import { finishImage } from '../finish';
import { OverlapAdd } from '../overlap-add';
import type { RunPlan } from '../run/run-plan';
import type { Runtime } from '../run/runtime';
import { readTileData, type TileRecord } from '../tasks/tile-task';
import { tileBlock } from '../tile-reconstruction';
import { placeBand } from './assemble-phase';

/**
 * output.write_synthetic (full mode): each cluster's synthetic frame S_k (METHOD.md P9/P11), the
 * cluster's tile stacks overlap-added like the result and finished like it (input ADU, debayered),
 * as result/synthetic/synthetic_<cluster id>.fits. One canvas at a time: the tiles are read
 * once per cluster rather than holding K canvases (an opt-in output may be slower, not bigger).
 */
export async function writeSyntheticFrames(
  rt: Runtime,
  plan: RunPlan,
  clusterIds: readonly number[],
  clusterSizes: readonly number[],
  backgrounds: number[][],
  coverage: Int32Array,
  records: readonly TileRecord[],
): Promise<string[]> {
  const fs: FileSystem = rt.host.fs;
  const ctx = rt.ctx;
  const { grid, planes, canvasWidth: W, canvasHeight: H } = plan;
  const dir = ctx.paths.file('result', 'synthetic');
  await fs.mkdirp(dir);
  const written: string[] = [];
  for (let k = 0; k < clusterIds.length; k++) {
    const ola = new OverlapAdd(grid, planes);
    const canvas = new Float32Array(planes * W * H);
    for (const t of grid.tiles) {
      const file = await readTileData(ctx, records[t.id], 'trusted');
      // tile file blocks: R_t, the mean tile, then S_kt per eligible cluster, then coverage
      for (const band of ola.add(t.id, tileBlock(file, planes, t.width, t.height, 2 + k))) placeBand(canvas, band, planes, W, H);
    }
    const finished = finishImage(
      { stacked: { width: W, height: H, planes, data: canvas }, colorMode: ctx.layout.colorMode, bayerPattern: ctx.layout.pattern, backgrounds, coverage, nUsable: plan.usable.length },
      ctx.config,
    );
    const name = `synthetic_${clusterIds[k]}.fits`;
    await writeFitsImage(fs, fs.join(dir, name), finished.image, {
      bitpix: -32,
      history: [`Tile Compile synthetic frame of state cluster ${clusterIds[k]} (${clusterSizes[k]} frames, weighting ${ctx.config.synthetic.weighting})`, `config_hash ${ctx.configHash}`],
    });
    written.push(`result/synthetic/${name}`);
  }
  return written;
}
