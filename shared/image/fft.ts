/**
 * Radix-2 complex FFT on split float64 arrays (re, im), in place. Sizes must be powers of two;
 * callers pad with `nextPow2`. Forward uses e^{-i...}; the inverse divides by n, so
 * ifft(fft(x)) = x up to rounding.
 */

export function nextPow2(n: number): number {
  if (!(n >= 1)) throw new RangeError(`nextPow2: expected n >= 1, got ${n}`);
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}

export function isPow2(n: number): boolean {
  return n >= 1 && (n & (n - 1)) === 0;
}

// Twiddle tables are cached per size: registration calls the same sizes thousands of times.
const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array; rev: Uint32Array }>();

function tables(n: number): { cos: Float64Array; sin: Float64Array; rev: Uint32Array } {
  let t = twiddleCache.get(n);
  if (t) return t;
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  const rev = new Uint32Array(n);
  let bits = 0;
  while (1 << bits < n) bits++;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
    rev[i] = r;
  }
  t = { cos, sin, rev };
  twiddleCache.set(n, t);
  return t;
}

/** In-place 1-D FFT of n = re.length complex values; `inverse` applies e^{+i...} and the 1/n factor. */
export function fft1d(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (im.length !== n) throw new RangeError('fft1d: re and im differ in length');
  if (!isPow2(n)) throw new RangeError(`fft1d: length ${n} is not a power of two`);
  if (n === 1) return;
  const { cos, sin, rev } = tables(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sign * sin[k * step];
        const a = start + k;
        const b = a + half;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
  if (inverse) {
    const s = 1 / n;
    for (let i = 0; i < n; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }
}

/** In-place 2-D FFT of a w x h row-major complex array (both powers of two). */
export function fft2d(re: Float64Array, im: Float64Array, w: number, h: number, inverse = false): void {
  if (re.length !== w * h || im.length !== w * h) throw new RangeError('fft2d: array size differs from w*h');
  if (!isPow2(w) || !isPow2(h)) throw new RangeError(`fft2d: ${w}x${h} is not a power-of-two size`);
  const lineRe = new Float64Array(w);
  const lineIm = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    lineRe.set(re.subarray(o, o + w));
    lineIm.set(im.subarray(o, o + w));
    fft1d(lineRe, lineIm, inverse);
    re.set(lineRe, o);
    im.set(lineIm, o);
  }
  const colRe = new Float64Array(h);
  const colIm = new Float64Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      colRe[y] = re[y * w + x];
      colIm[y] = im[y * w + x];
    }
    fft1d(colRe, colIm, inverse);
    for (let y = 0; y < h; y++) {
      re[y * w + x] = colRe[y];
      im[y * w + x] = colIm[y];
    }
  }
}
