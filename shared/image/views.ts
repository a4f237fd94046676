/**
 * Derived views of a normalized frame (METHOD.md section 0 and 1.4):
 * - luminance Y at full resolution (practical profile metrics, frame star metrics, local metrics),
 * - proxy P at half resolution (global metrics, star detection, registration),
 * - per-channel planes and proxies for the strict profile.
 * A mean over a window that holds a NaN is NaN: dropping the invalid member would change the colour
 * mix of an OSC window (phase-dependent Y) or of an RGB mean, so the pixel is invalid instead.
 */
import { bayerColorAt, planeView, type BayerPattern, type ColorMode, type Image } from './image';

/** A single-plane view: `data` holds width x height row-major values. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

function checkMode(image: Image, colorMode: ColorMode): void {
  const want = colorMode === 'RGB' ? 3 : 1;
  if (image.planes !== want) throw new RangeError(`${colorMode} image needs ${want} plane(s), got ${image.planes}`);
}

/**
 * Luminance view Y (full resolution): MONO -> a copy of the frame; RGB -> mean of the three planes;
 * OSC -> 2x2 sliding mean (window (x..x+1, y..y+1) always holds R, G, G, B, so Y has no CFA phase),
 * with the last row and column replicated from their neighbours. `into`: write Y there instead
 * of into a new array (exactly width x height values; every one is written).
 */
export function luminanceY(image: Image, colorMode: ColorMode, into?: Float32Array): Float32Array {
  checkMode(image, colorMode);
  const { width: w, height: h } = image;
  const n = w * h;
  if (into && into.length !== n) throw new RangeError(`luminanceY: the output array holds ${into.length} values, the image has ${n} pixels`);
  if (colorMode === 'MONO') {
    if (!into) return image.data.slice(0, n);
    into.set(image.data.subarray(0, n));
    return into;
  }
  // every value of `into` is written below, whatever it held (a worker reuses one array per frame)
  const out = into ?? new Float32Array(n);
  if (colorMode === 'RGB') {
    const d = image.data;
    for (let i = 0; i < n; i++) out[i] = (d[i] + d[n + i] + d[2 * n + i]) / 3;
    return out;
  }
  const d = image.data;
  if (w < 2 || h < 2) {
    // no 2x2 window exists: the mosaic itself is the only luminance estimate
    out.set(d.subarray(0, n));
    return out;
  }
  for (let y = 0; y < h - 1; y++) {
    const r0 = y * w;
    const r1 = r0 + w;
    for (let x = 0; x < w - 1; x++) {
      out[r0 + x] = 0.25 * (d[r0 + x] + d[r0 + x + 1] + d[r1 + x] + d[r1 + x + 1]);
    }
    out[r0 + w - 1] = out[r0 + w - 2];
  }
  out.copyWithin((h - 1) * w, (h - 2) * w, (h - 1) * w);
  return out;
}

/**
 * luminanceY for read-only use: MONO returns the frame's own data instead of a copy (P2 reads Y
 * once per frame for the star metrics; the copy was a full-frame allocation for nothing).
 */
export function luminanceYView(image: Image, colorMode: ColorMode): Float32Array {
  checkMode(image, colorMode);
  if (colorMode === 'MONO') return image.data.subarray(0, image.width * image.height);
  return luminanceY(image, colorMode);
}

/** 2x2 block mean of one plane; odd last row/column dropped. */
export function blockMean2x2(plane: ArrayLike<number>, w: number, h: number): Plane {
  const pw = w >> 1;
  const ph = h >> 1;
  const out = new Float32Array(pw * ph);
  for (let v = 0; v < ph; v++) {
    const r0 = 2 * v * w;
    const r1 = r0 + w;
    for (let u = 0; u < pw; u++) {
      const x = 2 * u;
      out[v * pw + u] = 0.25 * (plane[r0 + x] + plane[r0 + x + 1] + plane[r1 + x] + plane[r1 + x + 1]);
    }
  }
  return { width: pw, height: ph, data: out };
}

/**
 * Proxy P: 2x2 block mean at half resolution (RGB: of the plane mean), odd last row/column dropped.
 * Proxy pixel (u, v) is centred on full-resolution (2u + 0.5, 2v + 0.5).
 */
export function proxyOf(image: Image): Plane {
  const { width: w, height: h, planes } = image;
  const n = w * h;
  if (planes === 1) return blockMean2x2(image.data, w, h);
  const m = new Float32Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < planes; c++) s += d[c * n + i];
    m[i] = s / planes;
  }
  return blockMean2x2(m, w, h);
}

/** Maps a proxy coordinate to full resolution: full = 2*proxy + 0.5. */
export function proxyToFull(p: number): number {
  return 2 * p + 0.5;
}

export type ChannelName = 'L' | 'R' | 'G' | 'B';

/** Channel names of a colour mode for the strict profile (MONO: one luminance channel). */
export function channelNames(colorMode: ColorMode): ChannelName[] {
  return colorMode === 'MONO' ? ['L'] : ['R', 'G', 'B'];
}

/**
 * OSC colour subplanes at half resolution: R, G = mean(G1, G2), B, one value per 2x2 CFA cell
 * (odd last row/column dropped). Cell (u, v) covers full-resolution pixels (2u..2u+1, 2v..2v+1).
 */
export function oscSubplanes(mosaic: ArrayLike<number>, w: number, h: number, pattern: BayerPattern): Plane[] {
  const pw = w >> 1;
  const ph = h >> 1;
  const r = new Float32Array(pw * ph);
  const g = new Float32Array(pw * ph);
  const b = new Float32Array(pw * ph);
  // offsets (dx, dy) of each colour inside a cell; the pattern is the same for every cell
  const offsets: number[][] = [[], [], []];
  for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) offsets[bayerColorAt(pattern, dx, dy)].push(dx + dy * w);
  const [ro] = offsets[0];
  const [g1, g2] = offsets[1];
  const [bo] = offsets[2];
  for (let v = 0; v < ph; v++) {
    for (let u = 0; u < pw; u++) {
      const base = 2 * v * w + 2 * u;
      const i = v * pw + u;
      r[i] = mosaic[base + ro];
      g[i] = 0.5 * (mosaic[base + g1] + mosaic[base + g2]);
      b[i] = mosaic[base + bo];
    }
  }
  return [
    { width: pw, height: ph, data: r },
    { width: pw, height: ph, data: g },
    { width: pw, height: ph, data: b },
  ];
}

/**
 * Per-channel planes for strict-profile local metrics: MONO -> [Y]; RGB -> the three planes
 * (copies); OSC -> the half-resolution subplanes R, G, B.
 */
export function channelPlanes(image: Image, colorMode: ColorMode, pattern?: BayerPattern): Plane[] {
  checkMode(image, colorMode);
  const { width: w, height: h } = image;
  if (colorMode === 'MONO') return [{ width: w, height: h, data: image.data.slice(0, w * h) }];
  if (colorMode === 'RGB') return [0, 1, 2].map((c) => ({ width: w, height: h, data: planeView(image, c).slice() }));
  if (!pattern) throw new RangeError('OSC channel planes need a Bayer pattern');
  return oscSubplanes(image.data, w, h, pattern);
}

/**
 * Per-channel proxies for strict-profile global metrics, all at proxy size floor(w/2) x floor(h/2):
 * MONO -> [P]; RGB -> 2x2 block mean of each plane; OSC -> the colour subplanes (already half size).
 */
export function channelProxies(image: Image, colorMode: ColorMode, pattern?: BayerPattern): Plane[] {
  checkMode(image, colorMode);
  const { width: w, height: h } = image;
  if (colorMode === 'MONO') return [proxyOf(image)];
  if (colorMode === 'RGB') return [0, 1, 2].map((c) => blockMean2x2(planeView(image, c), w, h));
  if (!pattern) throw new RangeError('OSC channel proxies need a Bayer pattern');
  return oscSubplanes(image.data, w, h, pattern);
}
