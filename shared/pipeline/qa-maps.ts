import type { TileGrid } from './tile-grid';

/**
 * Pixels of the QA maps (qa/*.png): per-tile values painted over the tile's stride cell (each
 * canvas pixel belongs to the tile whose origin cell holds it), scaled so the long side is about
 * `longSide` px, coloured with a perceptual ramp (dark blue → teal → yellow); NaN is dark grey.
 * Pure: the PNG encoding is the host's.
 */
export interface MapPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
  readonly data: Uint8Array;
  /** Value range the colours span. */
  readonly min: number;
  readonly max: number;
}

// a compact viridis-like ramp: (position, r, g, b)
const RAMP: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 68, 1, 84],
  [0.25, 59, 82, 139],
  [0.5, 33, 145, 140],
  [0.75, 94, 201, 98],
  [1, 253, 231, 37],
];

/** Writes the ramp colour of t in [0, 1] (clamped; non-finite: dark grey) to out[k..k+2]. */
export function rampInto(t: number, out: Uint8Array, k: number): void {
  if (!Number.isFinite(t)) {
    out[k] = out[k + 1] = out[k + 2] = 40;
    return;
  }
  const x = Math.min(1, Math.max(0, t));
  let i = 1;
  while (i < RAMP.length - 1 && x > RAMP[i][0]) i++;
  const a = RAMP[i - 1];
  const b = RAMP[i];
  if (x > b[0]) {
    out[k] = b[1];
    out[k + 1] = b[2];
    out[k + 2] = b[3];
    return;
  }
  const u = (x - a[0]) / (b[0] - a[0]);
  out[k] = Math.round(a[1] + u * (b[1] - a[1]));
  out[k + 1] = Math.round(a[2] + u * (b[2] - a[2]));
  out[k + 2] = Math.round(a[3] + u * (b[3] - a[3]));
}

export function rampColor(t: number): [number, number, number] {
  const c = new Uint8Array(3);
  rampInto(t, c, 0);
  return [c[0], c[1], c[2]];
}

/** The tile owning canvas pixel (x, y): the last tile whose origin is <= the pixel on both axes. */
function ownerIndex(origins: readonly number[], v: number): number {
  let k = 0;
  while (k + 1 < origins.length && origins[k + 1] <= v) k++;
  return k;
}

export function tileValueMap(grid: TileGrid, values: ArrayLike<number>, longSide = 512, range?: { min: number; max: number }): MapPixels {
  const scale = longSide / Math.max(grid.canvasWidth, grid.canvasHeight);
  const width = Math.max(1, Math.round(grid.canvasWidth * scale));
  const height = Math.max(1, Math.round(grid.canvasHeight * scale));
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  if (range) ({ min, max } = range);
  if (!(max > min)) max = min + 1;
  // one colour per tile, painted over its pixels
  const colours = new Uint8Array(grid.rows * grid.cols * 3);
  for (let t = 0; t < grid.rows * grid.cols; t++) rampInto((values[t] - min) / (max - min), colours, t * 3);
  const data = new Uint8Array(width * height * 3);
  const colOf = new Int32Array(width);
  for (let x = 0; x < width; x++) colOf[x] = ownerIndex(grid.xOrigins, Math.min(grid.canvasWidth - 1, Math.floor((x + 0.5) / scale)));
  for (let y = 0; y < height; y++) {
    const row = ownerIndex(grid.yOrigins, Math.min(grid.canvasHeight - 1, Math.floor((y + 0.5) / scale)));
    for (let x = 0; x < width; x++) {
      const c = (row * grid.cols + colOf[x]) * 3;
      const k = (y * width + x) * 3;
      data[k] = colours[c];
      data[k + 1] = colours[c + 1];
      data[k + 2] = colours[c + 2];
    }
  }
  return { width, height, channels: 3, data, min, max };
}

/** A bar chart of one value per frame (e.g. G_f), frames left to right. */
export function barChart(values: ArrayLike<number>, width = 800, height = 240): MapPixels {
  const data = new Uint8Array(width * height * 3).fill(24);
  let max = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) max = Math.max(max, values[i]);
  const n = values.length;
  if (n === 0 || !(max > 0)) return { width, height, channels: 3, data, min: 0, max };
  for (let x = 0; x < width; x++) {
    const f = Math.min(n - 1, Math.floor((x * n) / width));
    const v = values[f];
    const h = Number.isFinite(v) ? Math.round((v / max) * (height - 4)) : 0;
    const [r, g, b] = rampColor(v / max);
    for (let y = height - h; y < height; y++) {
      const k = (y * width + x) * 3;
      data[k] = r;
      data[k + 1] = g;
      data[k + 2] = b;
    }
  }
  return { width, height, channels: 3, data, min: 0, max };
}

/** A canvas-sized scalar image (e.g. coverage) downsampled by block means and coloured. */
export function scalarMap(values: ArrayLike<number>, w: number, h: number, longSide = 512): MapPixels {
  const k = Math.max(1, Math.ceil(Math.max(w, h) / longSide));
  const width = Math.ceil(w / k);
  const height = Math.ceil(h / k);
  const small = new Float64Array(width * height);
  let min = Infinity;
  let max = -Infinity;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      let c = 0;
      for (let yy = y * k; yy < Math.min(h, (y + 1) * k); yy++)
        for (let xx = x * k; xx < Math.min(w, (x + 1) * k); xx++) {
          const v = values[yy * w + xx];
          if (Number.isFinite(v)) (s += v), c++;
        }
      const m = c > 0 ? s / c : Number.NaN;
      small[y * width + x] = m;
      if (Number.isFinite(m)) (min = Math.min(min, m)), (max = Math.max(max, m));
    }
  }
  if (!(max > min)) max = min + 1;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < small.length; i++) rampInto((small[i] - min) / (max - min), data, i * 3);
  return { width, height, channels: 3, data, min, max };
}
