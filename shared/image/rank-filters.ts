/**
 * Faster equivalents of two filters.ts kernels for the whole-frame passes of P2 (METHOD.md P2.2
 * object masks, P2.4 P' = 3x3 median of the proxy). Same outputs, element for element, as
 * filters.ts dilateDisk and median3x3; different algorithms:
 * - dilateDiskByRuns paints each run of set pixels once per disk row instead of testing every
 *   output pixel of every disk row (object masks are sparse: a few % of the pixels);
 * - median3x3BySortedColumns sorts each 3-pixel column of a row once and takes the median of
 *   the window from the three sorted columns (Paeth's median-of-9 network: the median of the
 *   largest lows, the middle mids and the smallest highs), instead of sorting 9 values per pixel.
 * Measured on a 3.1 MP frame / its 0.8 MP proxy (Node 20, one core, interleaved runs): dilation
 * 87 -> 7 ms, median 128 -> 12 ms.
 */

function checkPlane(plane: ArrayLike<number>, w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 0 || h < 0 || plane.length < w * h) {
    throw new RangeError(`plane of ${plane.length} values does not hold ${w} x ${h} pixels`);
  }
}

/**
 * Dilation of a 0/1 mask by a disk of radius r (offsets with dx^2 + dy^2 <= r^2; pixels outside
 * the array count as unset), as filters.ts dilateDisk. Each maximal run [a, b] of set pixels of a
 * source row sets [a - hw, b + hw] in the rows sy - r .. sy + r, hw = floor(sqrt(r^2 - dy^2)).
 */
export function dilateDiskByRuns(mask: Uint8Array, w: number, h: number, r: number): Uint8Array {
  checkPlane(mask, w, h);
  if (!Number.isInteger(r) || r < 0) throw new RangeError(`disk radius must be an integer >= 0, got ${r}`);
  const out = new Uint8Array(w * h);
  const halfWidth = new Int32Array(2 * r + 1);
  for (let dy = -r; dy <= r; dy++) halfWidth[dy + r] = Math.floor(Math.sqrt(r * r - dy * dy) + 1e-9);
  // object masks are mostly zero: skip 4 bytes at a time where the mask is word-aligned
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
  for (let sy = 0; sy < h; sy++) {
    const base = sy * w;
    const yLo = sy - r < 0 ? 0 : sy - r;
    const yHi = sy + r >= h ? h - 1 : sy + r;
    let x = 0;
    while (x < w) {
      if (mask[base + x] === 0) {
        x++;
        if (words !== null && ((base + x) & 3) === 0) {
          while (x + 4 <= w && words[(base + x) >> 2] === 0) x += 4;
        }
        continue;
      }
      const a = x;
      while (x < w && mask[base + x] !== 0) x++;
      // run [a, x - 1]
      for (let y = yLo; y <= yHi; y++) {
        const hw = halfWidth[y - sy + r];
        const lo = a - hw < 0 ? 0 : a - hw;
        const hi = x - 1 + hw >= w ? w - 1 : x - 1 + hw;
        const row = y * w;
        for (let i = row + lo; i <= row + hi; i++) out[i] = 1;
      }
    }
  }
  return out;
}

/**
 * 3x3 median, edge-replicated, NaN where any window pixel is NaN (or infinite), as filters.ts
 * median3x3. On noise every comparison is a coin toss, and the mispredicted branches were two
 * thirds of the time (38 ms per 0.8 MP against 10 ms on a smooth ramp), so when the values allow
 * it min and max are computed without branches: min(a, b) = (a + b - |a - b|) / 2, exact in
 * float64 when the binary exponents of the float32 inputs differ by at most 28 (a + b and a - b
 * then need at most 53 bits, and halving is exact). One pass over the plane checks that (largest
 * over smallest non-zero magnitude below 2^28; zeros are exact anyway); other planes take the
 * branching path. Measured on a 0.8 MP proxy: 40 -> 12 ms.
 */
export function median3x3BySortedColumns(plane: ArrayLike<number>, w: number, h: number): Float32Array {
  checkPlane(plane, w, h);
  const out = new Float32Array(w * h);
  if (w === 0 || h === 0) return out;
  if (arithmeticIsExact(plane, w * h)) medianRowsArithmetic(plane, w, h, out);
  else medianRowsBranching(plane, w, h, out);
  return out;
}

/** Finite non-zero magnitudes span less than a factor 2^28 (and every value fits a float32). */
function arithmeticIsExact(plane: ArrayLike<number>, n: number): boolean {
  let smallest = Infinity;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const v = plane[i];
    if (Math.fround(v) !== v && v === v) return false; // float64 input with more than 24 bits
    const a = Math.abs(v);
    if (a === 0 || a === Infinity || a !== a) continue;
    if (a < smallest) smallest = a;
    if (a > largest) largest = a;
  }
  return largest === 0 || largest < smallest * 268435456;
}

/** Per row: sorted columns (lows, mids, highs), edge columns replicated at 0 and w + 1. */
function medianRowsArithmetic(plane: ArrayLike<number>, w: number, h: number, out: Float32Array): void {
  const lows = new Float64Array(w + 2);
  const mids = new Float64Array(w + 2);
  const highs = new Float64Array(w + 2);
  const bad = new Uint8Array(w + 2);
  for (let y = 0; y < h; y++) {
    const up = (y === 0 ? 0 : y - 1) * w;
    const at = y * w;
    const down = (y === h - 1 ? y : y + 1) * w;
    for (let x = 0; x < w; x++) {
      const a = plane[up + x];
      const b = plane[at + x];
      const c = plane[down + x];
      bad[x + 1] = a - a === 0 && b - b === 0 && c - c === 0 ? 0 : 1;
      // sort a, b, c: (lo1, hi1) = minmax(a, b); (m1, hi) = minmax(hi1, c); (lo, mid) = minmax(lo1, m1)
      const s1 = a + b;
      const d1 = Math.abs(a - b);
      const lo1 = 0.5 * (s1 - d1);
      const hi1 = 0.5 * (s1 + d1);
      const s2 = hi1 + c;
      const d2 = Math.abs(hi1 - c);
      const m1 = 0.5 * (s2 - d2);
      const s3 = lo1 + m1;
      const d3 = Math.abs(lo1 - m1);
      lows[x + 1] = 0.5 * (s3 - d3);
      mids[x + 1] = 0.5 * (s3 + d3);
      highs[x + 1] = 0.5 * (s2 + d2);
    }
    replicateEdges(lows, mids, highs, bad, w);
    for (let x = 0; x < w; x++) {
      if ((bad[x] | bad[x + 1] | bad[x + 2]) !== 0) {
        out[at + x] = Number.NaN;
        continue;
      }
      const l0 = lows[x];
      const l1 = lows[x + 1];
      const l2 = lows[x + 2];
      const lm = 0.5 * (l0 + l1 + Math.abs(l0 - l1));
      const maxLow = 0.5 * (lm + l2 + Math.abs(lm - l2));
      const h0 = highs[x];
      const h1 = highs[x + 1];
      const h2 = highs[x + 2];
      const hm = 0.5 * (h0 + h1 - Math.abs(h0 - h1));
      const minHigh = 0.5 * (hm + h2 - Math.abs(hm - h2));
      // median of three = max(min(p, q), min(max(p, q), r)), twice
      const m0 = mids[x];
      const mm1 = mids[x + 1];
      const mm2 = mids[x + 2];
      const sm = m0 + mm1;
      const dm = Math.abs(m0 - mm1);
      const mq = 0.5 * (0.5 * (sm + dm) + mm2 - Math.abs(0.5 * (sm + dm) - mm2));
      const midMid = 0.5 * (0.5 * (sm - dm) + mq + Math.abs(0.5 * (sm - dm) - mq));
      const sf = maxLow + midMid;
      const df = Math.abs(maxLow - midMid);
      const fr = 0.5 * (0.5 * (sf + df) + minHigh - Math.abs(0.5 * (sf + df) - minHigh));
      out[at + x] = 0.5 * (0.5 * (sf - df) + fr + Math.abs(0.5 * (sf - df) - fr));
    }
  }
}

/** The same columns and network with comparisons: any float input. */
function medianRowsBranching(plane: ArrayLike<number>, w: number, h: number, out: Float32Array): void {
  const lows = new Float64Array(w + 2);
  const mids = new Float64Array(w + 2);
  const highs = new Float64Array(w + 2);
  const bad = new Uint8Array(w + 2);
  for (let y = 0; y < h; y++) {
    const up = (y === 0 ? 0 : y - 1) * w;
    const at = y * w;
    const down = (y === h - 1 ? y : y + 1) * w;
    for (let x = 0; x < w; x++) {
      const a = plane[up + x];
      const b = plane[at + x];
      const c = plane[down + x];
      bad[x + 1] = a - a === 0 && b - b === 0 && c - c === 0 ? 0 : 1;
      const ab = Math.min(a, b);
      const AB = Math.max(a, b);
      lows[x + 1] = Math.min(ab, c);
      mids[x + 1] = Math.max(ab, Math.min(AB, c));
      highs[x + 1] = Math.max(AB, c);
    }
    replicateEdges(lows, mids, highs, bad, w);
    for (let x = 0; x < w; x++) {
      if ((bad[x] | bad[x + 1] | bad[x + 2]) !== 0) {
        out[at + x] = Number.NaN;
        continue;
      }
      const maxLow = Math.max(lows[x], lows[x + 1], lows[x + 2]);
      const minHigh = Math.min(highs[x], highs[x + 1], highs[x + 2]);
      out[at + x] = median3(maxLow, median3(mids[x], mids[x + 1], mids[x + 2]), minHigh);
    }
  }
}

function replicateEdges(lows: Float64Array, mids: Float64Array, highs: Float64Array, bad: Uint8Array, w: number): void {
  lows[0] = lows[1];
  mids[0] = mids[1];
  highs[0] = highs[1];
  bad[0] = bad[1];
  lows[w + 1] = lows[w];
  mids[w + 1] = mids[w];
  highs[w + 1] = highs[w];
  bad[w + 1] = bad[w];
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}
