/**
 * The in-memory image every kernel works on: float32, plane-major, row-major.
 * Pixel (x, y) of plane c is data[(c * height + y) * width + x]. Invalid pixels are NaN, never 0.
 * Pixel centres sit at integer coordinates (METHOD.md section 0).
 */
export interface Image {
  readonly width: number;
  readonly height: number;
  /** 1 = mono or CFA mosaic, 3 = RGB planes. */
  readonly planes: number;
  readonly data: Float32Array;
}

export type ColorMode = 'MONO' | 'OSC' | 'RGB';
export type BayerPattern = 'RGGB' | 'BGGR' | 'GRBG' | 'GBRG';
export const BAYER_PATTERNS: readonly BayerPattern[] = ['RGGB', 'BGGR', 'GRBG', 'GBRG'];

export function createImage(width: number, height: number, planes = 1, fill = 0): Image {
  const data = new Float32Array(width * height * planes);
  if (fill !== 0) data.fill(fill);
  return { width, height, planes, data };
}

/** A view of one plane (shares memory). */
export function planeView(image: Image, c: number): Float32Array {
  const n = image.width * image.height;
  return image.data.subarray(c * n, (c + 1) * n);
}

/**
 * Colour of the CFA pixel (x, y) for a pattern given in stored row order:
 * 0 = R, 1 = G, 2 = B. The pattern string lists the 2x2 cell row by row.
 */
export function bayerColorAt(pattern: BayerPattern, x: number, y: number): 0 | 1 | 2 {
  const ch = pattern[((y & 1) << 1) | (x & 1)];
  return ch === 'R' ? 0 : ch === 'G' ? 1 : 2;
}
