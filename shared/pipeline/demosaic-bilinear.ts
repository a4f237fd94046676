import { bayerColorAt, type BayerPattern, type Image } from '../image/image';

/**
 * Bilinear debayer of a mosaic [REF formulas, METHOD.md P12.2]: at an R/B site G = mean of the 4
 * orthogonal neighbours and the opposite colour = mean of the 4 diagonal ones; at a G site each
 * missing colour from its 2 horizontal or 2 vertical neighbours (whichever carry it, by row parity).
 * NaN neighbours are skipped. At the image edge the missing neighbours are skipped too: clamping the
 * coordinate would read a pixel of another CFA colour and mix phases.
 */
export function debayerBilinear(mosaic: Float32Array, width: number, height: number, pattern: BayerPattern): Image {
  const np = width * height;
  if (mosaic.length < np) throw new RangeError('debayer: mosaic smaller than width*height');
  const out = new Float32Array(3 * np);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      for (const c of CHANNELS) out[c * np + i] = bilinearValueAt(mosaic, width, height, pattern, x, y, c);
    }
  }
  return { width, height, planes: 3, data: out };
}

/**
 * Channel c at (x, y) by the bilinear rule above: the one definition, used by debayerBilinear and by
 * the RCD demosaic, whose fallback (borders, NaN neighbourhoods) must be exactly this value.
 */
export function bilinearValueAt(mosaic: Float32Array, width: number, height: number, pattern: BayerPattern, x: number, y: number, c: 0 | 1 | 2): number {
  const col = bayerColorAt(pattern, x, y);
  if (c === col) return mosaic[y * width + x];
  // the neighbours in a fixed order (the sum rounds the same way wherever it is formed)
  const offsets = col !== 1 ? (c === 1 ? ORTHOGONAL : DIAGONAL) : bayerColorAt(pattern, x + 1, y) === c ? HORIZONTAL : VERTICAL;
  let s = 0;
  let n = 0;
  for (let j = 0; j < offsets.length; j += 2) {
    const xx = x + offsets[j];
    const yy = y + offsets[j + 1];
    if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
    const v = mosaic[yy * width + xx];
    if (v - v === 0) {
      s += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

const CHANNELS = [0, 1, 2] as const;
const ORTHOGONAL = [-1, 0, 1, 0, 0, -1, 0, 1];
const DIAGONAL = [-1, -1, 1, -1, -1, 1, 1, 1];
const HORIZONTAL = [-1, 0, 1, 0];
const VERTICAL = [0, -1, 0, 1];
