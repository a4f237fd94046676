/**
 * Dequantization of tile-compressed floating-point images (FITS 4.0 section 10.2). The encoder
 * stored i = round((x - zero)/scale + r - 0.5) with r from the standard's table of 10000 uniform
 * deviates; decoding is x = (i - r + 0.5) * scale + zero with the same r for the same pixel.
 *
 * The table is the Park-Miller minimal standard generator (a = 16807, m = 2^31 - 1, seed 1) in
 * double precision, each value stored as a single-precision float as the standard prescribes.
 * The starting position for tile t (0-based) is iseed = (t + ZDITHER0 - 1) mod 10000 and
 * offset = floor(table[iseed] * 500); after the offset passes 9999 the next iseed is used.
 */
export const RANDOM_COUNT = 10000;

let table: Float32Array | null = null;

export function ditherTable(): Float32Array {
  if (table) return table;
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  const t = new Float32Array(RANDOM_COUNT);
  for (let i = 0; i < RANDOM_COUNT; i++) {
    const temp = a * seed;
    seed = temp - m * Math.trunc(temp / m);
    t[i] = seed / m;
  }
  table = t;
  return t;
}

/** The seed left after generating the table; the standard gives 1043618065 as a self-check. */
export function ditherFinalSeed(): number {
  let seed = 1;
  for (let i = 0; i < RANDOM_COUNT; i++) {
    const temp = 16807 * seed;
    seed = temp - 2147483647 * Math.trunc(temp / 2147483647);
  }
  return seed;
}

export type QuantizeMethod = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

/** Stored value that SUBTRACTIVE_DITHER_2 uses for an exact 0.0. */
const ZERO_VALUE = -2147483646;

/**
 * Quantized integers of one tile to float32 physical values in `out[outIndex(k)]`.
 * `nullValue` (ZBLANK) marks undefined pixels (NaN). The dither position advances on every
 * pixel, undefined ones included, as in the encoder.
 */
export function dequantizeTile(
  ints: Int32Array,
  scale: number,
  zero: number,
  method: QuantizeMethod,
  tileIndex: number,
  zdither0: number,
  nullValue: number | undefined,
  out: Float32Array,
): void {
  const n = ints.length;
  if (method === 'NO_DITHER') {
    for (let k = 0; k < n; k++) {
      const v = ints[k];
      out[k] = v === nullValue ? NaN : v * scale + zero;
    }
    return;
  }
  const r = ditherTable();
  let iseed = (((tileIndex + zdither0 - 1) % RANDOM_COUNT) + RANDOM_COUNT) % RANDOM_COUNT;
  let next = Math.floor(r[iseed] * 500);
  const keepZero = method === 'SUBTRACTIVE_DITHER_2';
  for (let k = 0; k < n; k++) {
    const v = ints[k];
    if (v === nullValue) out[k] = NaN;
    else if (keepZero && v === ZERO_VALUE) out[k] = 0;
    else out[k] = (v - r[next] + 0.5) * scale + zero;
    next++;
    if (next === RANDOM_COUNT) {
      iseed = (iseed + 1) % RANDOM_COUNT;
      next = Math.floor(r[iseed] * 500);
    }
  }
}
