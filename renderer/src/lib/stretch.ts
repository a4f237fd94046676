/**
 * Display stretch of linear data (previews only; the data stay linear, METHOD.md 1.1).
 * Auto-stretch = METHOD.md section 5 preview rule: black = median - 2.8*sigma_MAD, then a midtones
 * transfer so the median lands at 0.25. `asinh` instead compresses highlights logarithmically.
 */
export type StretchMode = 'linear' | 'asinh';

export interface StretchParams {
  readonly black: number;
  readonly white: number;
  /** Midtones balance m in (0, 1): MTF(x) = (m-1)x / ((2m-1)x - m). */
  readonly midtone: number;
}

function sampleFinite(data: Float32Array, from: number, to: number, max = 200_000): number[] {
  const step = Math.max(1, Math.floor((to - from) / max));
  const out: number[] = [];
  for (let i = from; i < to; i += step) {
    const v = data[i];
    if (Number.isFinite(v)) out.push(v);
  }
  return out.sort((a, b) => a - b);
}

function medianSorted(s: number[]): number {
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? s[(n - 1) / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/** Linked parameters over all planes (one set, so colours keep their balance). */
export function autoStretch(data: Float32Array): StretchParams {
  const s = sampleFinite(data, 0, data.length);
  if (s.length === 0) return { black: 0, white: 1, midtone: 0.5 };
  const med = medianSorted(s);
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const sigma = 1.4826 * medianSorted(dev);
  const white = s[Math.min(s.length - 1, Math.round(0.9999 * (s.length - 1)))];
  const black = Math.max(s[0], med - 2.8 * sigma);
  const range = white - black || 1;
  const x = Math.min(0.999, Math.max(1e-6, (med - black) / range));
  // Solve MTF(x) = 0.25 for m.
  const target = 0.25;
  const midtone = (x * (target - 1)) / (2 * x * target - x - target);
  return { black, white, midtone: Math.min(0.999, Math.max(0.001, midtone)) };
}

export function stretchValue(v: number, p: StretchParams, mode: StretchMode): number {
  if (!Number.isFinite(v)) return 0;
  let x = (v - p.black) / (p.white - p.black || 1);
  x = Math.min(1, Math.max(0, x));
  if (mode === 'asinh') {
    const beta = 1 / Math.max(1e-3, p.midtone) - 1;
    return Math.asinh(beta * 10 * x) / Math.asinh(beta * 10);
  }
  const m = p.midtone;
  return ((m - 1) * x) / ((2 * m - 1) * x - m);
}

/** RGBA bytes for a canvas: planes 1 (grey) or 3 (RGB), plane-major input. */
export function renderRgba(data: Float32Array, width: number, height: number, planes: number, p: StretchParams, mode: StretchMode): Uint8ClampedArray {
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  const lut = (v: number) => Math.round(255 * stretchValue(v, p, mode));
  for (let i = 0; i < n; i++) {
    const r = lut(data[i]);
    const g = planes >= 3 ? lut(data[n + i]) : r;
    const b = planes >= 3 ? lut(data[2 * n + i]) : r;
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}

export function decodeFloat32(base64: string): Float32Array {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4));
}
