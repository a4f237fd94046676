// A frozen copy of the definition before the P2/P6.4 speed work: the reference the new code is tested against.
import { MAD_TO_SIGMA, medianAndSigmaMad, medianInPlace } from '../../../../shared/image/stats';
import { sampleBilinear } from '../../../../shared/image/warp';

/**
 * Registration stars on the proxy P (METHOD.md P4.1).
 * Threshold sky + k*sigma (sky grid below; sigma < 1e-6 -> 1); candidates >= 1 px from the border and strictly
 * above all 8 neighbours; moments in the 5x5 window of v' = max(0, v - sky); rejected when
 * v'_centre/flux > 0.8 (hot pixel, cosmic ray) or l_min/l_max < 0.15 (trail); sorted by flux
 * (ties y, x), top-K kept; too few -> the k = 2.5 retry, the longer list kept [REF].
 * [DIFF: METHOD takes med and sigma_MAD of the whole proxy] Sky and noise come from a coarse grid
 * (issue 3: "median/MAD on a coarse grid"): median and sigma_MAD of every SKY_CELL_PX cell (sampled),
 * interpolated bilinearly between cell centres. With one global level, a light-pollution gradient
 * or vignetting set the threshold too low on the bright side (sky noise became stars, and its sky
 * excess counted as their flux, which ranks the top-K) and too high on the dark side. A proxy of
 * at most one cell each way has one cell: the global rule exactly.
 * Two additions [EXT], both only removing or sharpening what the rule above would produce:
 * - deblending: a window pixel nearer to another candidate peak than to this one is left out of
 *   this star's moments, so a close pair yields two unbiased centroids;
 * - trail ring test: a thin satellite trail has local maxima whose 5x5 moments are only mildly
 *   elongated (l_min/l_max ~ 0.2), but it crosses a ring of radius 5 px on two opposite sides,
 *   which a star (or a star with one neighbour) does not.
 */

export interface Star {
  /** Flux-weighted centroid, proxy pixel coordinates (pixel centres at integers). */
  readonly x: number;
  readonly y: number;
  /** Sum of max(0, v - sky) over the 5x5 window (sky: the sky grid at the peak). */
  readonly flux: number;
  /** 2.3548 * sqrt(sqrt(l_max*l_min)) of the window's second moments, proxy px. */
  readonly fwhm: number;
  /** sqrt(l_min/l_max) in (0, 1]. */
  readonly roundness: number;
  /** Value of the peak pixel (not background-subtracted). */
  readonly peak: number;
}

export interface DetectStarsOptions {
  /** Detection threshold in sigma_MAD; 3.5 by default. */
  readonly k?: number;
  readonly topK: number;
}

const HOT_PIXEL_SHARE = 0.8;
const NEIGHBOUR_SHARE_MIN = 0.1;
const TRAIL_AXIS_RATIO = 0.15;
const RETRY_K = 2.5;
const RING_RADIUS = 5;
const RING_SAMPLES = 32;

export function detectStars(proxy: Float32Array, w: number, h: number, opts: DetectStarsOptions): Star[] {
  if (proxy.length !== w * h) throw new RangeError(`detectStars: proxy has ${proxy.length} values, expected ${w}x${h}`);
  if (!(Number.isInteger(opts.topK) && opts.topK >= 1)) throw new RangeError(`detectStars: topK must be a positive integer, got ${opts.topK}`);
  const sky = skyGrid(proxy, w, h);
  if (sky === null) return [];
  const k = opts.k ?? 3.5;
  const first = detectPass(proxy, w, h, sky, k, opts.topK);
  if (first.length >= Math.max(4, opts.topK / 2) || k === RETRY_K) return first;
  const second = detectPass(proxy, w, h, sky, RETRY_K, opts.topK);
  return second.length > first.length ? second : first;
}

/** Cell side of the sky grid, proxy px (128 px of the full frame). */
export const SKY_CELL_PX = 64;
/** Sampling step inside a cell for its median and sigma_MAD. */
const SKY_STEP = 2;

/**
 * Sky level and noise per cell (median, sigma_MAD of a 2x2-strided sample; sigma < 1e-6 -> 1), interpolated
 * bilinearly between cell centres and constant beyond the outer ones. Cells with less than half
 * their pixels finite take the median of the defined cells. Null when no pixel is finite.
 */
export interface SkyGrid {
  readonly nx: number;
  readonly ny: number;
  readonly cw: number;
  readonly ch: number;
  readonly level: Float64Array;
  readonly noise: Float64Array;
}

export function skyGrid(p: Float32Array, w: number, h: number): SkyGrid | null {
  const nx = Math.max(1, Math.floor(w / SKY_CELL_PX));
  const ny = Math.max(1, Math.floor(h / SKY_CELL_PX));
  // cells tile the proxy exactly: the last column and row of cells take the remainder
  const cw = w / nx;
  const ch = h / ny;
  const level = new Float64Array(nx * ny);
  const noise = new Float64Array(nx * ny);
  const scratch = new Float64Array(Math.ceil(cw + 1) * Math.ceil(ch + 1));
  const defined: number[] = [];
  for (let j = 0; j < ny; j++) {
    const y0 = Math.round(j * ch);
    const y1 = Math.round((j + 1) * ch);
    for (let i = 0; i < nx; i++) {
      const x0 = Math.round(i * cw);
      const x1 = Math.round((i + 1) * cw);
      // every SKY_STEP-th pixel of every SKY_STEP-th row (1024 of a full cell): the level's
      // standard error is then ~4 % of the noise, and the pass costs a quarter
      let n = 0;
      let m = 0;
      for (let y = y0; y < y1; y += SKY_STEP) {
        for (let x = x0; x < x1; x += SKY_STEP) {
          const v = p[y * w + x];
          m++;
          if (v - v === 0) scratch[n++] = v;
        }
      }
      const c = j * nx + i;
      if (n === 0 || n < 0.5 * m) {
        level[c] = Number.NaN;
        continue;
      }
      // the sample is this function's own copy: select in place (a copy-free sampled select costs
      // more than it saves on ~1000 values)
      const a = scratch.subarray(0, n);
      const median = medianInPlace(a);
      for (let q = 0; q < n; q++) a[q] = Math.abs(a[q] - median);
      const sigma = MAD_TO_SIGMA * medianInPlace(a);
      level[c] = median;
      noise[c] = sigma < 1e-6 || !Number.isFinite(sigma) ? 1 : sigma;
      defined.push(c);
    }
  }
  if (defined.length === 0) return null;
  if (defined.length < level.length) {
    const fillLevel = medianAndSigmaMad(defined.map((c) => level[c])).median;
    const fillNoise = medianAndSigmaMad(defined.map((c) => noise[c])).median;
    for (let c = 0; c < level.length; c++) {
      if (level[c] !== level[c]) {
        level[c] = fillLevel;
        noise[c] = fillNoise;
      }
    }
  }
  return { nx, ny, cw, ch, level, noise };
}

/** Interpolation coordinate of position t along an axis of n cells of size s: cell index and weight. */
function cellCoordinate(t: number, n: number, s: number): { i0: number; i1: number; f: number } {
  const u = t / s - 0.5;
  if (!(u > 0)) return { i0: 0, i1: 0, f: 0 };
  if (u >= n - 1) return { i0: n - 1, i1: n - 1, f: 0 };
  const i0 = Math.floor(u);
  return { i0, i1: i0 + 1, f: u - i0 };
}

/** Sky level and noise at (x, y). */
export function skyAt(g: SkyGrid, x: number, y: number): { level: number; noise: number } {
  const a = cellCoordinate(x, g.nx, g.cw);
  const b = cellCoordinate(y, g.ny, g.ch);
  const mix = (v: Float64Array): number => {
    const top = (1 - a.f) * v[b.i0 * g.nx + a.i0] + a.f * v[b.i0 * g.nx + a.i1];
    const bottom = (1 - a.f) * v[b.i1 * g.nx + a.i0] + a.f * v[b.i1 * g.nx + a.i1];
    return (1 - b.f) * top + b.f * bottom;
  };
  return { level: mix(g.level), noise: mix(g.noise) };
}

function detectPass(p: Float32Array, w: number, h: number, sky: SkyGrid, k: number, topK: number): Star[] {
  const cand: number[] = [];
  // the threshold sky + k*noise, interpolated like the sky (it is linear in both): per cell, then
  // per row between cell centres, and along the row only for pixels above the row's lowest
  const cellThr = new Float64Array(sky.level.length);
  for (let c = 0; c < cellThr.length; c++) cellThr[c] = sky.level[c] + k * sky.noise[c];
  const colI0 = new Int32Array(w);
  const colI1 = new Int32Array(w);
  const colF = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const a = cellCoordinate(x, sky.nx, sky.cw);
    colI0[x] = a.i0;
    colI1[x] = a.i1;
    colF[x] = a.f;
  }
  const rowThr = new Float64Array(sky.nx);
  for (let y = 1; y < h - 1; y++) {
    const b = cellCoordinate(y, sky.ny, sky.ch);
    // the row's lowest threshold screens the pixels; only those above it pay for their own
    let rowMin = Infinity;
    for (let i = 0; i < sky.nx; i++) {
      rowThr[i] = (1 - b.f) * cellThr[b.i0 * sky.nx + i] + b.f * cellThr[b.i1 * sky.nx + i];
      if (rowThr[i] < rowMin) rowMin = rowThr[i];
    }
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const v = p[i];
      if (!(v >= rowMin)) continue;
      if (!(v >= (1 - colF[x]) * rowThr[colI0[x]] + colF[x] * rowThr[colI1[x]])) continue;
      if (
        v > p[i - 1] && v > p[i + 1] &&
        v > p[i - w - 1] && v > p[i - w] && v > p[i - w + 1] &&
        v > p[i + w - 1] && v > p[i + w] && v > p[i + w + 1]
      ) {
        cand.push(i);
      }
    }
  }
  // a per-pixel mark instead of a Set: the 9x9 and 13x13 neighbour look-ups below run per candidate
  const candSet = new Uint8Array(w * h);
  for (const i of cand) candSet[i] = 1;
  const stars: (Star & { iy: number; ix: number; crowded: boolean })[] = [];
  const others: number[] = [];
  for (const i of cand) {
    const cx = i % w;
    const cy = (i - cx) / w;
    const { level: med, noise: s } = skyAt(sky, cx, cy);
    // peaks whose Voronoi cell can reach into this 5x5 window
    others.length = 0;
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        if (dx === 0 && dy === 0) continue;
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        if (candSet[y * w + x] === 1) others.push(dx, dy);
      }
    }
    let flux = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let dy = -2; dy <= 2; dy++) {
      const y = cy + dy;
      if (y < 0 || y >= h) continue;
      for (let dx = -2; dx <= 2; dx++) {
        const x = cx + dx;
        if (x < 0 || x >= w) continue;
        const v = p[y * w + x];
        if (!(v > med)) continue;
        if (others.length > 0 && nearerToOther(dx, dy, others)) continue;
        const vp = v - med;
        flux += vp;
        sx += vp * dx;
        sy += vp * dy;
        sxx += vp * dx * dx;
        syy += vp * dy * dy;
        sxy += vp * dx * dy;
      }
    }
    if (!(flux > 0)) continue;
    const centre = p[i] - med;
    if (centre / flux > HOT_PIXEL_SHARE) continue;
    // [EXT] a faint hot pixel passes the share test above once the window's positive noise adds
    // to its flux; its direct neighbours, though, hold only noise, while even an undersampled star
    // (FWHM 2 px at full resolution) puts > 14 % of its peak into each of them
    const n4 = 0.25 * (p[i - 1] + p[i + 1] + p[i - w] + p[i + w]) - med;
    if (n4 < NEIGHBOUR_SHARE_MIN * centre) continue;
    const mx = sx / flux;
    const my = sy / flux;
    const cxx = sxx / flux - mx * mx;
    const cyy = syy / flux - my * my;
    const cxy = sxy / flux - mx * my;
    const tr = 0.5 * (cxx + cyy);
    const disc = Math.sqrt(Math.max(0, 0.25 * (cxx - cyy) ** 2 + cxy * cxy));
    const lMax = tr + disc;
    const lMin = tr - disc;
    if (!(lMax > 0) || !(lMin > 0) || lMin / lMax < TRAIL_AXIS_RATIO) continue;
    const x = cx + mx;
    const y = cy + my;
    if (crossesRingTwice(p, w, h, x, y, med, s, p[i])) continue;
    stars.push({
      x,
      y,
      flux,
      fwhm: 2.3548 * Math.sqrt(Math.sqrt(lMax * lMin)),
      roundness: Math.sqrt(lMin / lMax),
      peak: p[i],
      ix: cx,
      iy: cy,
      crowded: hasNeighbourPeak(candSet, w, h, cx, cy, CROWDED_RADIUS_PX),
    });
  }
  stars.sort((a, b) => b.flux - a.flux || a.iy - b.iy || a.ix - b.ix);
  return stars.slice(0, topK).map(({ x, y, flux, fwhm, roundness, peak, ix, iy, crowded }) => {
    // a close neighbour would pull a windowed centroid: keep the deblended 5x5 one there
    const c = crowded ? { x, y } : windowedCentroid(p, w, h, x, y, fwhm / 2.3548, ix, iy);
    return { x: c.x, y: c.y, flux, fwhm, roundness, peak };
  });
}

const CENTROID_ITERATIONS = 12;
const CROWDED_RADIUS_PX = 6;

function hasNeighbourPeak(cand: Uint8Array, w: number, h: number, cx: number, cy: number, r: number): boolean {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      if (dx === 0 && dy === 0) continue;
      const x = cx + dx;
      const y = cy + dy;
      if (x >= 0 && y >= 0 && x < w && y < h && cand[y * w + x] === 1) return true;
    }
  }
  return false;
}

/**
 * [EXT] Sub-pixel centroid by an iterated Gaussian-windowed mean over a local background (the
 * median of a ring 6–7 px out). The 5×5 flux-weighted centroid above is biased toward its window
 * centre by the noise inside the window and by the global (not local) sky level; on faint stars its
 * scatter was ~0.2 proxy px, which limited registration to ~0.1–0.2 px. The windowed centroid is
 * unbiased for symmetric stars and down-weights far noise. Falls back to the 5×5 centroid when it
 * wanders off by more than 1.5 px or the window holds NaN.
 */
function windowedCentroid(p: Float32Array, w: number, h: number, x0: number, y0: number, sigmaStar: number, ix: number, iy: number): { x: number; y: number } {
  const sw = Math.min(3, Math.max(0.8, sigmaStar));
  const R = Math.ceil(3 * sw);
  const ring: number[] = [];
  for (let dy = -7; dy <= 7; dy++) {
    for (let dx = -7; dx <= 7; dx++) {
      const r = Math.max(Math.abs(dx), Math.abs(dy));
      if (r < 6) continue;
      const xx = ix + dx;
      const yy = iy + dy;
      if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      const v = p[yy * w + xx];
      if (Number.isFinite(v)) ring.push(v);
    }
  }
  if (ring.length < 8) return { x: x0, y: y0 };
  ring.sort((a, b) => a - b);
  const bg = ring.length % 2 === 1 ? ring[ring.length >> 1] : 0.5 * (ring[ring.length / 2 - 1] + ring[ring.length / 2]);
  let x = x0;
  let y = y0;
  const inv2s2 = 1 / (2 * sw * sw);
  for (let it = 0; it < CENTROID_ITERATIONS; it++) {
    const cx = Math.round(x);
    const cy = Math.round(y);
    let sumW = 0;
    let sx = 0;
    let sy = 0;
    for (let dy = -R; dy <= R; dy++) {
      const yy = cy + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -R; dx <= R; dx++) {
        const xx = cx + dx;
        if (xx < 0 || xx >= w) continue;
        const v = p[yy * w + xx] - bg;
        if (!Number.isFinite(v)) return { x: x0, y: y0 };
        if (v <= 0) continue;
        const ex = xx - x;
        const ey = yy - y;
        const wt = v * Math.exp(-(ex * ex + ey * ey) * inv2s2);
        sumW += wt;
        sx += wt * xx;
        sy += wt * yy;
      }
    }
    if (!(sumW > 0)) return { x: x0, y: y0 };
    const nx = sx / sumW;
    const ny = sy / sumW;
    const moved = Math.hypot(nx - x, ny - y);
    x = nx;
    y = ny;
    if (Math.hypot(x - x0, y - y0) > 1.5) return { x: x0, y: y0 };
    if (moved < 1e-4) break;
  }
  return { x, y };
}

function nearerToOther(dx: number, dy: number, others: number[]): boolean {
  const own = dx * dx + dy * dy;
  for (let j = 0; j < others.length; j += 2) {
    const ex = dx - others[j];
    const ey = dy - others[j + 1];
    if (ex * ex + ey * ey < own) return true;
  }
  return false;
}

/** True when bright ring samples occur on two roughly opposite sides (a line through the peak). */
function crossesRingTwice(p: Float32Array, w: number, h: number, x: number, y: number, med: number, s: number, peak: number): boolean {
  const tb = med + Math.max(2.5 * s, 0.3 * (peak - med));
  const bright = new Uint8Array(RING_SAMPLES);
  let count = 0;
  for (let i = 0; i < RING_SAMPLES; i++) {
    const a = (2 * Math.PI * i) / RING_SAMPLES;
    const v = sampleBilinear(p, w, h, x + RING_RADIUS * Math.cos(a), y + RING_RADIUS * Math.sin(a));
    if (v >= tb) {
      bright[i] = 1;
      count++;
    }
  }
  // a star embedded in extended bright structure is not a trail
  if (count === 0 || count >= RING_SAMPLES / 2) return false;
  const half = RING_SAMPLES / 2;
  for (let i = 0; i < half; i++) {
    if (!bright[i]) continue;
    for (let d = -1; d <= 1; d++) if (bright[(i + half + d + RING_SAMPLES) % RING_SAMPLES]) return true;
  }
  return false;
}
