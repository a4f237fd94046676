import { bayerColorAt, type BayerPattern, type Image } from '../image/image';
import { bilinearValueAt } from './demosaic-bilinear';

/**
 * [DIFF: METHOD.md P12.2 debayers bilinearly] Ratio Corrected Demosaicing (RCD, after the public
 * description by Luis Sanz Rodriguez), written from the algorithm's outline:
 *  1. direction: per pixel a squared high-pass along the column and along the row (taps that
 *     cancel a constant and the 2-px CFA colour alternation, so only structure answers), summed
 *     over 3 pixels; VH = V / (V + H) (1 = vertical variation only: interpolate horizontally);
 *  2. a colour-balanced 3x3 low-pass L (R + 2G + B at every site);
 *  3. G at R/B sites: each of the 4 neighbouring G values carried over by the ratio of L at the
 *     centre to L midway (G_c ~ G_n * L_c / L_n), opposite sides weighted by inverse gradients,
 *     the vertical and horizontal estimates mixed by VH (or its diagonal mean where that is more
 *     decided);
 *  4. R/B at B/R sites from the diagonal colour differences (X - G), mixed by a diagonal VH;
 *  5. R/B at G sites from the 4 orthogonal colour differences, mixed by VH.
 * No epsilons: the result scales with the data (k * mosaic -> k * result), so ADU, normalized and
 * background-subtracted data behave alike; where L is not positive (zero or negative data) the
 * ratio of step 3 becomes the equivalent difference (G_c ~ G_n + (L_c - L_far) / 8).
 *
 * Fallback: every stage value whose stencil reads a NaN (a NaN mosaic pixel, or outside the image:
 * the first/last ~4-10 rows and columns) is replaced by the bilinear value of that pixel and
 * channel, so a NaN pixel only keeps its own channel NaN (as in bilinear) and the border is the
 * bilinear result.
 *
 * Memory: the image is processed in row bands with a halo of the stencil chain's reach, so the
 * temporaries are a few band-sized buffers however large the image (44 bytes x band pixels).
 */

/** Widest reach of one stencil (the 4-pixel same-colour difference of the G gradients). */
const PAD = 4;
/** Mosaic rows a band's output depends on, above and below (the chain of stencils of steps 1-5). */
const HALO = 10;
const BAND_ROWS = 128;

export function debayerRcd(mosaic: Float32Array, width: number, height: number, pattern: BayerPattern): Image {
  const np = width * height;
  if (mosaic.length < np) throw new RangeError('debayer: mosaic smaller than width*height');
  const out = new Float32Array(3 * np);
  const bands = new RcdBand(mosaic, width, height, pattern, Math.min(BAND_ROWS, height));
  for (let y0 = 0; y0 < height; y0 += BAND_ROWS) bands.run(y0, Math.min(height, y0 + BAND_ROWS), out);
  return { width, height, planes: 3, data: out };
}

/** Inverse-gradient mix of two opposite estimates (the flatter side counts more). */
function weigh(gradA: number, estA: number, gradB: number, estB: number): number {
  const s = gradA + gradB;
  if (s > 0) return (gradB * estA + gradA * estB) / s;
  return s === 0 ? 0.5 * (estA + estB) : Number.NaN;
}

/** a / (a + b) with 0/0 = 0.5 (no structure either way); NaN stays NaN. */
function share(a: number, b: number): number {
  const s = a + b;
  if (s > 0) return a / s;
  return s === 0 ? 0.5 : Number.NaN;
}

/** The more decided of the centre's direction share and the mean of its 4 diagonal neighbours'. */
function decide(c: number, n: number): number {
  if (n !== n) return Number.NaN;
  return Math.abs(0.5 - c) < Math.abs(0.5 - n) ? n : c;
}

/** 7-tap high-pass along a line through k with step d: cancels a constant and the 2-px colour alternation. */
function highPass(m: Float32Array, k: number, d: number): number {
  const v = m[k - 3 * d] - 3 * m[k - 2 * d] - m[k - d] + 6 * m[k] - m[k + d] - 3 * m[k + 2 * d] + m[k + 3 * d];
  return v * v;
}

/** G carried from a neighbour by the low-pass ratio centre / midway (L at the neighbour ~ mean of L_c and L_far). */
function carry(gn: number, lc: number, lfar: number): number {
  if (lc > 0 && lfar > 0) return (gn * (2 * lc)) / (lc + lfar);
  return gn + (lc - lfar) / 8;
}

/**
 * Buffers of one band: rows [y0 - HALO, y1 + HALO) by width + 2*PAD columns, NaN outside the image
 * so that a stencil reaching out of it yields NaN (and the bilinear fallback).
 */
class RcdBand {
  private readonly bw: number;
  private readonly rows: number;
  private readonly m: Float32Array;
  private readonly s1: Float32Array;
  private readonly s2: Float32Array;
  private readonly vh: Float32Array;
  /** L (step 2), then the diagonal direction share PQ (step 4). */
  private readonly lp: Float32Array;
  private readonly r: Float64Array;
  private readonly g: Float64Array;
  private readonly b: Float64Array;
  private r0 = 0;

  constructor(
    private readonly mosaic: Float32Array,
    private readonly width: number,
    private readonly height: number,
    private readonly pattern: BayerPattern,
    bandRows: number,
  ) {
    this.bw = width + 2 * PAD;
    this.rows = bandRows + 2 * HALO;
    const n = this.bw * this.rows;
    // NaN from the start: the pad columns stay so (no stage writes them)
    this.m = new Float32Array(n);
    this.s1 = new Float32Array(n);
    this.s2 = new Float32Array(n);
    this.vh = new Float32Array(n);
    this.lp = new Float32Array(n);
    this.r = new Float64Array(n);
    this.g = new Float64Array(n);
    this.b = new Float64Array(n);
    for (const buf of [this.m, this.s1, this.s2, this.vh, this.lp, this.r, this.g, this.b]) buf.fill(Number.NaN);
  }

  /** Buffer index of image pixel (x, y). */
  private at(x: number, y: number): number {
    return (y - this.r0) * this.bw + x + PAD;
  }

  /** First x of row y whose CFA colour is not G (R/B sites are every other pixel from there). */
  private firstRb(y: number): number {
    return bayerColorAt(this.pattern, 0, y) === 1 ? 1 : 0;
  }

  private fallback(x: number, y: number, c: 0 | 1 | 2): number {
    return bilinearValueAt(this.mosaic, this.width, this.height, this.pattern, x, y, c);
  }

  run(y0: number, y1: number, out: Float32Array): void {
    const { width: w, height: h, bw } = this;
    this.r0 = y0 - HALO;
    // Only rows outside the image need NaN here (pad columns are never written): inside it, every
    // value a stage reads was computed in this band (the stage row ranges below); the rest holds the
    // previous band's values and is never read (the band-seam test checks this against a crop).
    const outsideTop = Math.max(0, -this.r0) * bw;
    const outsideBottom = Math.min(this.rows, h - this.r0) * bw;
    for (const buf of [this.m, this.s1, this.s2, this.vh, this.lp, this.r, this.g, this.b]) {
      if (outsideTop > 0) buf.fill(Number.NaN, 0, outsideTop);
      if (outsideBottom < buf.length) buf.fill(Number.NaN, Math.max(0, outsideBottom));
    }
    // image rows needed by each stage (clipped to the image): see the stencil reaches below
    const lo = (k: number) => Math.max(0, y0 - k);
    const hi = (k: number) => Math.min(h, y1 + k);
    const mLo = lo(HALO);
    const mHi = hi(HALO);
    const planes = [this.r, this.g, this.b];
    for (let y = mLo; y < mHi; y++) {
      const k = this.at(0, y);
      this.m.set(this.mosaic.subarray(y * w, y * w + w), k);
      for (let x0 = 0; x0 < 2; x0++) {
        const p = planes[bayerColorAt(this.pattern, x0, y)];
        for (let x = x0; x < w; x += 2) p[k + x] = this.m[k + x];
      }
    }
    this.directionShares(lo(7), hi(7), lo(6), hi(6));
    this.lowPass(lo(7), hi(7));
    this.greenAtRb(lo(5), hi(5));
    this.diagonalShares(lo(5), hi(5), lo(4), hi(4));
    this.colourAtRb(lo(3), hi(3));
    this.colourAtG(y0, y1);
    const np = w * h;
    for (let y = y0; y < y1; y++) {
      const k = this.at(0, y);
      out.set(this.r.subarray(k, k + w), y * w);
      out.set(this.g.subarray(k, k + w), np + y * w);
      out.set(this.b.subarray(k, k + w), 2 * np + y * w);
    }
  }

  /** Step 1: squared high-passes on rows [a, b), VH on rows [c, d). */
  private directionShares(a: number, b: number, c: number, d: number): void {
    const { m, s1, s2, vh, bw, width: w } = this;
    for (let y = a; y < b; y++) {
      const k0 = this.at(0, y);
      for (let k = k0; k < k0 + w; k++) {
        s1[k] = highPass(m, k, bw);
        s2[k] = highPass(m, k, 1);
      }
    }
    for (let y = c; y < d; y++) {
      const k0 = this.at(0, y);
      for (let k = k0; k < k0 + w; k++) vh[k] = share(s1[k - bw] + s1[k] + s1[k + bw], s2[k - 1] + s2[k] + s2[k + 1]);
    }
  }

  /** Step 2: L = centre + half the 4 orthogonal + a quarter of the 4 diagonal neighbours, at R/B sites. */
  private lowPass(a: number, b: number): void {
    const { m, lp, bw, width: w } = this;
    for (let y = a; y < b; y++) {
      const k0 = this.at(0, y);
      for (let k = k0 + this.firstRb(y); k < k0 + w; k += 2) {
        lp[k] = m[k] + 0.5 * (m[k - 1] + m[k + 1] + m[k - bw] + m[k + bw]) + 0.25 * (m[k - bw - 1] + m[k - bw + 1] + m[k + bw - 1] + m[k + bw + 1]);
      }
    }
  }

  /** Step 3: G at the R/B sites of rows [a, b). */
  private greenAtRb(a: number, b: number): void {
    const { m, lp, vh, g, bw, width: w } = this;
    const b2 = 2 * bw;
    const b3 = 3 * bw;
    const b4 = 4 * bw;
    for (let y = a; y < b; y++) {
      const k0 = this.at(0, y);
      for (let k = k0 + this.firstRb(y); k < k0 + w; k += 2) {
        const c = m[k];
        const dv = Math.abs(m[k - bw] - m[k + bw]);
        const dh = Math.abs(m[k - 1] - m[k + 1]);
        const gN = dv + Math.abs(c - m[k - b2]) + Math.abs(m[k - bw] - m[k - b3]) + Math.abs(m[k - b2] - m[k - b4]);
        const gS = dv + Math.abs(c - m[k + b2]) + Math.abs(m[k + bw] - m[k + b3]) + Math.abs(m[k + b2] - m[k + b4]);
        const gW = dh + Math.abs(c - m[k - 2]) + Math.abs(m[k - 1] - m[k - 3]) + Math.abs(m[k - 2] - m[k - 4]);
        const gE = dh + Math.abs(c - m[k + 2]) + Math.abs(m[k + 1] - m[k + 3]) + Math.abs(m[k + 2] - m[k + 4]);
        const l = lp[k];
        const v = weigh(gN, carry(m[k - bw], l, lp[k - b2]), gS, carry(m[k + bw], l, lp[k + b2]));
        const hz = weigh(gW, carry(m[k - 1], l, lp[k - 2]), gE, carry(m[k + 1], l, lp[k + 2]));
        const t = decide(vh[k], 0.25 * (vh[k - bw - 1] + vh[k - bw + 1] + vh[k + bw - 1] + vh[k + bw + 1]));
        const est = v + t * (hz - v);
        g[k] = est - est === 0 ? est : this.fallback(k - k0, y, 1);
      }
    }
  }

  /** Step 4a: squared diagonal high-passes at R/B sites of rows [a, b), PQ on rows [c, d) (into lp: L is done). */
  private diagonalShares(a: number, b: number, c: number, d: number): void {
    const { m, s1, s2, lp, bw, width: w } = this;
    for (let y = a; y < b; y++) {
      const k0 = this.at(0, y);
      for (let k = k0 + this.firstRb(y); k < k0 + w; k += 2) {
        s1[k] = highPass(m, k, bw + 1);
        s2[k] = highPass(m, k, bw - 1);
      }
    }
    for (let y = c; y < d; y++) {
      const k0 = this.at(0, y);
      for (let k = k0 + this.firstRb(y); k < k0 + w; k += 2) {
        lp[k] = share(s1[k - bw - 1] + s1[k] + s1[k + bw + 1], s2[k - bw + 1] + s2[k] + s2[k + bw - 1]);
      }
    }
  }

  /** Step 4b: the opposite colour at the R/B sites of rows [a, b) from diagonal colour differences. */
  private colourAtRb(a: number, b: number): void {
    const { g, lp: pq, bw, width: w } = this;
    const nw = bw + 1;
    const ne = bw - 1;
    for (let y = a; y < b; y++) {
      const k0 = this.at(0, y);
      const x0 = this.firstRb(y);
      // the colour missing here: B on R rows, R on B rows
      const missing: 0 | 2 = bayerColorAt(this.pattern, x0, y) === 0 ? 2 : 0;
      const X = missing === 0 ? this.r : this.b;
      for (let k = k0 + x0; k < k0 + w; k += 2) {
        const gc = g[k];
        const dp = Math.abs(X[k - nw] - X[k + nw]);
        const dq = Math.abs(X[k - ne] - X[k + ne]);
        const gNW = dp + Math.abs(X[k - nw] - X[k - 3 * nw]) + Math.abs(gc - g[k - 2 * nw]);
        const gSE = dp + Math.abs(X[k + nw] - X[k + 3 * nw]) + Math.abs(gc - g[k + 2 * nw]);
        const gNE = dq + Math.abs(X[k - ne] - X[k - 3 * ne]) + Math.abs(gc - g[k - 2 * ne]);
        const gSW = dq + Math.abs(X[k + ne] - X[k + 3 * ne]) + Math.abs(gc - g[k + 2 * ne]);
        const p = weigh(gNW, X[k - nw] - g[k - nw], gSE, X[k + nw] - g[k + nw]);
        const q = weigh(gNE, X[k - ne] - g[k - ne], gSW, X[k + ne] - g[k + ne]);
        const t = decide(pq[k], 0.25 * (pq[k - nw] + pq[k + nw] + pq[k - ne] + pq[k + ne]));
        const est = gc + p + t * (q - p);
        X[k] = est - est === 0 ? est : this.fallback(k - k0, y, missing);
      }
    }
  }

  /** Step 5: R and B at the G sites of rows [a, b) from the orthogonal colour differences. */
  private colourAtG(a: number, b: number): void {
    const { g, vh, bw, width: w } = this;
    const b2 = 2 * bw;
    const b3 = 3 * bw;
    for (const c of [0, 2] as const) {
      const X = c === 0 ? this.r : this.b;
      for (let y = a; y < b; y++) {
        const k0 = this.at(0, y);
        for (let k = k0 + 1 - this.firstRb(y); k < k0 + w; k += 2) {
          const gc = g[k];
          const t = decide(vh[k], 0.25 * (vh[k - bw - 1] + vh[k - bw + 1] + vh[k + bw - 1] + vh[k + bw + 1]));
          const dv = Math.abs(X[k - bw] - X[k + bw]);
          const dh = Math.abs(X[k - 1] - X[k + 1]);
          const gN = Math.abs(gc - g[k - b2]) + dv + Math.abs(X[k - bw] - X[k - b3]);
          const gS = Math.abs(gc - g[k + b2]) + dv + Math.abs(X[k + bw] - X[k + b3]);
          const gW = Math.abs(gc - g[k - 2]) + dh + Math.abs(X[k - 1] - X[k - 3]);
          const gE = Math.abs(gc - g[k + 2]) + dh + Math.abs(X[k + 1] - X[k + 3]);
          const v = weigh(gN, X[k - bw] - g[k - bw], gS, X[k + bw] - g[k + bw]);
          const hz = weigh(gW, X[k - 1] - g[k - 1], gE, X[k + 1] - g[k + 1]);
          const est = gc + v + t * (hz - v);
          X[k] = est - est === 0 ? est : this.fallback(k - k0, y, c);
        }
      }
    }
  }
}
