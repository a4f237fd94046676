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
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= width || y >= height ? Number.NaN : mosaic[y * width + x]);
  const mean = (...v: number[]): number => {
    let s = 0;
    let n = 0;
    for (const x of v) {
      if (x - x === 0) {
        s += x;
        n++;
      }
    }
    return n === 0 ? Number.NaN : s / n;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const col = bayerColorAt(pattern, x, y);
      out[col * np + i] = mosaic[i];
      if (col !== 1) {
        out[np + i] = mean(at(x - 1, y), at(x + 1, y), at(x, y - 1), at(x, y + 1));
        out[(2 - col) * np + i] = mean(at(x - 1, y - 1), at(x + 1, y - 1), at(x - 1, y + 1), at(x + 1, y + 1));
      } else {
        const hc = bayerColorAt(pattern, x + 1, y);
        const vc = bayerColorAt(pattern, x, y + 1);
        out[hc * np + i] = mean(at(x - 1, y), at(x + 1, y));
        out[vc * np + i] = mean(at(x, y - 1), at(x, y + 1));
      }
    }
  }
  return { width, height, planes: 3, data: out };
}

/**
 * Channel c at (x, y) by the bilinear rule above: one definition shared with the RCD demosaic, whose
 * fallback (borders, NaN neighbourhoods) must be exactly this value.
 */
export function bilinearValueAt(mosaic: Float32Array, width: number, height: number, pattern: BayerPattern, x: number, y: number, c: 0 | 1 | 2): number {
  const col = bayerColorAt(pattern, x, y);
  if (c === col) return mosaic[y * width + x];
  // the neighbours in debayerBilinear's order (the sum must round the same way)
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

const ORTHOGONAL = [-1, 0, 1, 0, 0, -1, 0, 1];
const DIAGONAL = [-1, -1, 1, -1, -1, 1, 1, 1];
const HORIZONTAL = [-1, 0, 1, 0];
const VERTICAL = [0, -1, 0, 1];
