import type { FileSystem } from '../../../shared/io/file-system';
import { readFitsHeader, readFitsRows } from '../../../shared/fits/reader';

export interface DownsampledImage {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly step: number;
  readonly fullWidth: number;
  readonly fullHeight: number;
  readonly data: Float32Array;
}

/**
 * A FITS image reduced to at most `maxSide` pixels on its long side by block means (NaN skipped),
 * read `step` rows at a time so a large stack never sits in memory whole. The UI stretches it
 * itself, so the values stay linear (METHOD.md 1.1: previews may be stretched, data may not).
 */
export async function readDownsampled(fs: FileSystem, file: string, maxSide: number): Promise<DownsampledImage> {
  const { info } = await readFitsHeader(fs, file);
  const { width: W, height: H, planes } = info;
  const step = Math.max(1, Math.ceil(Math.max(W, H) / maxSide));
  const w = Math.floor(W / step) || 1;
  const h = Math.floor(H / step) || 1;
  const out = new Float32Array(w * h * planes);
  const sum = new Float64Array(w);
  const n = new Uint32Array(w);
  for (let y = 0; y < h; y++) {
    const y0 = y * step;
    const y1 = Math.min(H, y0 + step);
    const rows = await readFitsRows(fs, file, y0, y1, info);
    const rowCount = y1 - y0;
    for (let c = 0; c < planes; c++) {
      sum.fill(0);
      n.fill(0);
      for (let r = 0; r < rowCount; r++) {
        const base = (c * rowCount + r) * W;
        for (let x = 0; x < w * step && x < W; x++) {
          const v = rows[base + x];
          if (Number.isFinite(v)) {
            const bx = Math.floor(x / step);
            sum[bx] += v;
            n[bx]++;
          }
        }
      }
      const o = (c * h + y) * w;
      for (let x = 0; x < w; x++) out[o + x] = n[x] > 0 ? sum[x] / n[x] : Number.NaN;
    }
  }
  return { width: w, height: h, planes, step, fullWidth: W, fullHeight: H, data: out };
}
