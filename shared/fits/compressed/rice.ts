/**
 * Rice decompression of one tile (FITS 4.0 section 10.4.1; Pence, White & Seaman 2010).
 * The stream: the first pixel in `bytepix` big-endian bytes, then blocks of `blocksize`
 * differences, each block led by an fsbits-wide code k+1: 0 = all differences zero,
 * fsmax+1 = differences stored raw in 8*bytepix bits, otherwise each difference is a unary
 * quotient followed by k low bits. Differences are zigzag-mapped (0,-1,1,-2 -> 0,1,2,3) and
 * pixels wrap at the integer width, as the encoder's integer arithmetic does.
 */
const PARAMS: Record<number, { fsbits: number; fsmax: number }> = {
  1: { fsbits: 3, fsmax: 6 },
  2: { fsbits: 4, fsmax: 14 },
  4: { fsbits: 5, fsmax: 25 },
};

export class RiceError extends Error {}

export function riceDecompress(src: Uint8Array, count: number, blocksize: number, bytepix: number): Int32Array {
  const params = PARAMS[bytepix];
  if (!params) throw new RiceError(`Rice BYTEPIX = ${bytepix} is not 1, 2 or 4`);
  if (!(blocksize > 0)) throw new RiceError(`Rice BLOCKSIZE = ${blocksize} is not positive`);
  const { fsbits, fsmax } = params;
  const out = new Int32Array(count);
  if (count === 0) return out;
  if (src.length < bytepix + 1) throw new RiceError('Rice tile shorter than its first pixel');

  let p = 0;
  let last = 0;
  for (let i = 0; i < bytepix; i++) last = (last << 8) | src[p++];
  last = wrapTo(last, bytepix === 1 ? 0xff : bytepix === 2 ? 0xffff : -1, bytepix === 2 ? 16 : 0);

  // Unread bits live in the low `nbits` bits of `b`; every read leaves nbits < 8, so a refill
  // never exceeds 32 bits. The bit reads are written out inline: a closure here halved the speed.
  const len = src.length;
  let b = 0;
  let nbits = 0;
  const rawBits = 8 * bytepix;
  const mask = bytepix === 1 ? 0xff : bytepix === 2 ? 0xffff : -1;
  const signShift = bytepix === 2 ? 16 : 0;
  let i = 0;
  while (i < count) {
    while (nbits < fsbits) {
      b = (b << 8) | (p < len ? src[p] : 0);
      p++;
      nbits += 8;
    }
    nbits -= fsbits;
    const fs = ((b >>> nbits) & ((1 << fsbits) - 1)) - 1;
    b &= (1 << nbits) - 1;
    const end = Math.min(count, i + blocksize);
    if (fs < 0) {
      for (; i < end; i++) out[i] = last;
    } else if (fs === fsmax) {
      for (; i < end; i++) {
        let diff = 0;
        for (let got = 0; got < rawBits; got += 8) {
          // one byte at a time: b keeps < 8 bits, so b << 8 | byte stays below 2^16
          b = (b << 8) | (p < len ? src[p] : 0);
          p++;
          diff = ((diff << 8) | ((b >>> nbits) & 0xff)) >>> 0;
          b &= (1 << nbits) - 1;
        }
        last = wrapTo(unzigzag(diff) + last, mask, signShift);
        out[i] = last;
      }
    } else {
      const lowMask = (1 << fs) - 1;
      for (; i < end; i++) {
        let zeros = 0;
        while (b === 0) {
          zeros += nbits;
          if (p >= len) throw new RiceError('Rice tile data ended early');
          b = src[p++];
          nbits = 8;
        }
        const top = 31 - Math.clz32(b);
        zeros += nbits - 1 - top;
        nbits = top;
        b &= (1 << top) - 1;
        while (nbits < fs) {
          b = (b << 8) | (p < len ? src[p] : 0);
          p++;
          nbits += 8;
        }
        nbits -= fs;
        const low = (b >>> nbits) & lowMask;
        b &= (1 << nbits) - 1;
        const diff = ((zeros << fs) | low) >>> 0;
        last = wrapTo(unzigzag(diff) + last, mask, signShift);
        out[i] = last;
      }
    }
    if (p > len + 1) throw new RiceError('Rice tile data ended early');
  }
  return out;
}

/** Wraps to the pixel's integer width: unsigned 8-bit, signed 16-bit or signed 32-bit. */
function wrapTo(v: number, mask: number, signShift: number): number {
  if (mask === -1) return v | 0;
  return signShift ? ((v & mask) << signShift) >> signShift : v & mask;
}

function unzigzag(d: number): number {
  return d & 1 ? ~(d >>> 1) : d >>> 1;
}
