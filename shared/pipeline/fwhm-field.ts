import { median, medianAndSigmaMad } from '../image/stats';

/** A measured star of a tile: canvas position and FWHM. */
export interface StarSample {
  readonly x: number;
  readonly y: number;
  readonly fwhm: number;
}

/** Fewest stars of a frame for the FWHM field plane; below it the field is the frame's median FWHM. */
export const FWHM_FIELD_MIN_STARS = 12;
const FWHM_FIELD_CLIP_SIGMA = 3;
const FWHM_FIELD_ROUNDS = 3;

/**
 * [EXT] The frame's FWHM field: ln FWHM = a + b*u + c*v (u, v = canvas position over the half
 * diagonal), least squares over every star the frame's tiles measured, refitted twice without
 * residuals beyond 3 sigma_MAD (blends, galaxies). With fewer than 12 stars (but some) the field is
 * the frame's median FWHM; without stars null.
 */
export function fitFwhmField(stars: readonly StarSample[], width: number, height: number): ((x: number, y: number) => number) | null {
  if (stars.length === 0) return null;
  if (stars.length < FWHM_FIELD_MIN_STARS) {
    const m = median(stars.map((s) => s.fwhm));
    return () => m;
  }
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const scale = 0.5 * Math.hypot(width, height);
  const u = stars.map((s) => (s.x - cx) / scale);
  const v = stars.map((s) => (s.y - cy) / scale);
  const z = stars.map((s) => Math.log(s.fwhm));
  let keep = stars.map(() => true);
  let coef: [number, number, number] = [median(z), 0, 0];
  for (let round = 0; round < FWHM_FIELD_ROUNDS; round++) {
    const solved = solvePlane(u, v, z, keep);
    if (!solved) break;
    coef = solved;
    const res = z.map((zi, i) => zi - (coef[0] + coef[1] * u[i] + coef[2] * v[i]));
    const { sigma } = medianAndSigmaMad(res.filter((_, i) => keep[i]));
    const next = res.map((r) => Math.abs(r) <= FWHM_FIELD_CLIP_SIGMA * Math.max(sigma, 1e-6));
    if (next.filter(Boolean).length < FWHM_FIELD_MIN_STARS || next.every((k, i) => k === keep[i])) break;
    keep = next;
  }
  const [a, b, c] = coef;
  return (x, y) => Math.exp(a + (b * (x - cx)) / scale + (c * (y - cy)) / scale);
}

/** Least squares z = a + b*u + c*v over the kept samples (3x3 normal equations); null if singular. */
function solvePlane(u: readonly number[], v: readonly number[], z: readonly number[], keep: readonly boolean[]): [number, number, number] | null {
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const r = [0, 0, 0];
  for (let i = 0; i < z.length; i++) {
    if (!keep[i]) continue;
    const row = [1, u[i], v[i]];
    for (let j = 0; j < 3; j++) {
      r[j] += row[j] * z[i];
      for (let k = 0; k < 3; k++) m[3 * j + k] += row[j] * row[k];
    }
  }
  const det3 = (q: number[]) => q[0] * (q[4] * q[8] - q[5] * q[7]) - q[1] * (q[3] * q[8] - q[5] * q[6]) + q[2] * (q[3] * q[7] - q[4] * q[6]);
  const d = det3(m);
  if (!(Math.abs(d) > 1e-12)) return null;
  const out: [number, number, number] = [0, 0, 0];
  for (let j = 0; j < 3; j++) {
    const q = m.slice();
    for (let k = 0; k < 3; k++) q[3 * k + j] = r[k];
    out[j] = det3(q) / d;
  }
  return out;
}
