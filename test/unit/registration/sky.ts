import { applyAffine, type Affine2x3 } from '../../../shared/pipeline/registration/affine';
import { gaussianSource, mulberry32 } from '../../../shared/util/seed';

/** Synthetic proxy-scale star fields for the registration tests (generated here, not by shared/synth). */

export interface TestStar {
  x: number;
  y: number;
  flux: number;
  sigma: number;
}

/** n stars uniformly placed (margin px from the border), fluxes spread over ~2 decades. */
export function randomStars(n: number, w: number, h: number, seed: number, margin = 4, sigma = 0.9): TestStar[] {
  const u = mulberry32(seed);
  const out: TestStar[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      x: margin + u() * (w - 1 - 2 * margin),
      y: margin + u() * (h - 1 - 2 * margin),
      flux: 200 * Math.exp(u() * 4.5),
      sigma,
    });
  }
  return out;
}

/** The same stars seen in a frame whose reference -> moving matrix is M. */
export function moveStars(stars: readonly TestStar[], M: Affine2x3): TestStar[] {
  return stars.map((s) => {
    const [x, y] = applyAffine(M, s.x, s.y);
    return { ...s, x, y };
  });
}

/** Point-sampled Gaussian stars on a flat background plus Gaussian noise (noise 0 -> exact). */
export function renderStars(
  w: number,
  h: number,
  stars: readonly TestStar[],
  opts: { background?: number; noise?: number; seed?: number } = {},
): Float32Array {
  const bg = opts.background ?? 100;
  const img = new Float64Array(w * h).fill(bg);
  for (const s of stars) {
    const r = Math.ceil(5 * s.sigma);
    const x0 = Math.max(0, Math.floor(s.x) - r);
    const x1 = Math.min(w - 1, Math.ceil(s.x) + r);
    const y0 = Math.max(0, Math.floor(s.y) - r);
    const y1 = Math.min(h - 1, Math.ceil(s.y) + r);
    const a = s.flux / (2 * Math.PI * s.sigma * s.sigma);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d2 = (x - s.x) ** 2 + (y - s.y) ** 2;
        img[y * w + x] += a * Math.exp(-d2 / (2 * s.sigma * s.sigma));
      }
    }
  }
  const out = new Float32Array(w * h);
  const noise = opts.noise ?? 0;
  const g = gaussianSource(mulberry32(opts.seed ?? 1));
  for (let i = 0; i < w * h; i++) out[i] = img[i] + (noise > 0 ? noise * g() : 0);
  return out;
}

/** A smooth structured, starless image (sum of broad blobs and waves) plus optional noise. */
export function smoothScene(w: number, h: number, M: Affine2x3 | null = null, noise = 0, seed = 7): Float32Array {
  const u = mulberry32(99);
  const blobs: { x: number; y: number; s: number; a: number }[] = [];
  for (let i = 0; i < 25; i++) blobs.push({ x: u() * w, y: u() * h, s: 4 + u() * 10, a: 20 + u() * 80 });
  const g = gaussianSource(mulberry32(seed));
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // the scene is defined in reference coordinates; a moving frame shows it at M^-1
      let X = x;
      let Y = y;
      if (M) {
        const det = M[0] * M[4] - M[1] * M[3];
        const dx = x - M[2];
        const dy = y - M[5];
        X = (M[4] * dx - M[1] * dy) / det;
        Y = (-M[3] * dx + M[0] * dy) / det;
      }
      let v = 100 + 10 * Math.sin(X / 9) * Math.cos(Y / 13);
      for (const b of blobs) v += b.a * Math.exp(-((X - b.x) ** 2 + (Y - b.y) ** 2) / (2 * b.s * b.s));
      out[y * w + x] = v + (noise > 0 ? noise * g() : 0);
    }
  }
  return out;
}
