/**
 * DEFLATE decoding (RFC 1951) with the gzip (RFC 1952) and zlib (RFC 1950) wrappers, for GZIP_1 and
 * GZIP_2 tile-compressed FITS. shared/ runs where no zlib exists (renderer, any worker), and gzip
 * tiles are rare next to Rice, so a small table-driven decoder here beats injecting a platform
 * decompressor through every reader call.
 */
export class InflateError extends Error {}

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code as a lookup table over the next `bits` input bits: (symbol << 4) | length. */
interface Huffman {
  readonly table: Int32Array;
  readonly bits: number;
}

function buildHuffman(lengths: ArrayLike<number>): Huffman {
  let maxLen = 0;
  for (let i = 0; i < lengths.length; i++) maxLen = Math.max(maxLen, lengths[i]);
  const bits = Math.max(1, maxLen);
  const table = new Int32Array(1 << bits).fill(-1);
  const count = new Int32Array(16);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
  count[0] = 0;
  const next = new Int32Array(16);
  let code = 0;
  for (let len = 1; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    const c = next[len]++;
    if (c >= 1 << len) throw new InflateError('over-subscribed Huffman code');
    // codes are sent most significant bit first but read LSB-first: index by the reversed code
    let rev = 0;
    for (let k = 0; k < len; k++) rev |= ((c >> k) & 1) << (len - 1 - k);
    for (let j = rev; j < 1 << bits; j += 1 << len) table[j] = (sym << 4) | len;
  }
  return { table, bits };
}

let fixedLit: Huffman | null = null;
let fixedDist: Huffman | null = null;

function fixedTables(): [Huffman, Huffman] {
  if (!fixedLit || !fixedDist) {
    const l = new Uint8Array(288);
    l.fill(8, 0, 144);
    l.fill(9, 144, 256);
    l.fill(7, 256, 280);
    l.fill(8, 280, 288);
    fixedLit = buildHuffman(l);
    fixedDist = buildHuffman(new Uint8Array(30).fill(5));
  }
  return [fixedLit, fixedDist];
}

class Inflater {
  private pos: number;
  private bitBuf = 0;
  private bitCount = 0;
  out: Uint8Array;
  outLen = 0;

  constructor(
    private readonly src: Uint8Array,
    start: number,
    sizeHint: number,
  ) {
    this.pos = start;
    this.out = new Uint8Array(Math.max(1024, sizeHint));
  }

  /** Input position after the last whole byte consumed (for the wrapper trailer). */
  get bytePos(): number {
    return this.pos - (this.bitCount >> 3);
  }

  private need(n: number): void {
    while (this.bitCount < n) {
      if (this.pos >= this.src.length + 4) throw new InflateError('compressed data ended early');
      const byte = this.pos < this.src.length ? this.src[this.pos] : 0;
      this.pos++;
      this.bitBuf |= byte << this.bitCount;
      this.bitCount += 8;
    }
  }

  private bits(n: number): number {
    if (n === 0) return 0;
    this.need(n);
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return v;
  }

  private decode(h: Huffman): number {
    this.need(h.bits);
    const e = h.table[this.bitBuf & ((1 << h.bits) - 1)];
    if (e < 0) throw new InflateError('invalid Huffman code');
    const len = e & 15;
    this.bitBuf >>>= len;
    this.bitCount -= len;
    return e >> 4;
  }

  private ensure(extra: number): void {
    if (this.outLen + extra <= this.out.length) return;
    const grown = new Uint8Array(Math.max(this.out.length * 2, this.outLen + extra));
    grown.set(this.out.subarray(0, this.outLen));
    this.out = grown;
  }

  run(): void {
    let final = 0;
    while (!final) {
      final = this.bits(1);
      const type = this.bits(2);
      if (type === 0) this.stored();
      else if (type === 1) this.codes(...fixedTables());
      else if (type === 2) this.codes(...this.dynamicTables());
      else throw new InflateError('invalid block type 3');
    }
    if (this.bytePos > this.src.length) throw new InflateError('compressed data ended early');
  }

  private stored(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
    if (this.pos + 4 > this.src.length) throw new InflateError('compressed data ended early');
    const len = this.src[this.pos] | (this.src[this.pos + 1] << 8);
    const nlen = this.src[this.pos + 2] | (this.src[this.pos + 3] << 8);
    if ((len ^ 0xffff) !== nlen) throw new InflateError('stored block length check failed');
    this.pos += 4;
    if (this.pos + len > this.src.length) throw new InflateError('compressed data ended early');
    this.ensure(len);
    this.out.set(this.src.subarray(this.pos, this.pos + len), this.outLen);
    this.outLen += len;
    this.pos += len;
  }

  private dynamicTables(): [Huffman, Huffman] {
    const nlen = this.bits(5) + 257;
    const ndist = this.bits(5) + 1;
    const ncode = this.bits(4) + 4;
    const codeLengths = new Uint8Array(19);
    for (let i = 0; i < ncode; i++) codeLengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
    const lencode = buildHuffman(codeLengths);
    const lengths = new Uint8Array(nlen + ndist);
    let i = 0;
    while (i < nlen + ndist) {
      const sym = this.decode(lencode);
      if (sym < 16) {
        lengths[i++] = sym;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (sym === 16) {
        if (i === 0) throw new InflateError('repeat of no previous length');
        value = lengths[i - 1];
        repeat = 3 + this.bits(2);
      } else if (sym === 17) repeat = 3 + this.bits(3);
      else repeat = 11 + this.bits(7);
      if (i + repeat > nlen + ndist) throw new InflateError('too many code lengths');
      lengths.fill(value, i, i + repeat);
      i += repeat;
    }
    if (lengths[256] === 0) throw new InflateError('no end-of-block code');
    return [buildHuffman(lengths.subarray(0, nlen)), buildHuffman(lengths.subarray(nlen))];
  }

  private codes(lit: Huffman, dist: Huffman): void {
    for (;;) {
      const sym = this.decode(lit);
      if (sym < 256) {
        this.ensure(1);
        this.out[this.outLen++] = sym;
      } else if (sym === 256) {
        return;
      } else {
        const li = sym - 257;
        if (li >= 29) throw new InflateError('invalid length code');
        const len = LENGTH_BASE[li] + this.bits(LENGTH_EXTRA[li]);
        const di = this.decode(dist);
        if (di >= 30) throw new InflateError('invalid distance code');
        const d = DIST_BASE[di] + this.bits(DIST_EXTRA[di]);
        if (d > this.outLen) throw new InflateError('distance beyond the start of the output');
        this.ensure(len);
        const out = this.out;
        let o = this.outLen;
        // overlapping copies (d < len) repeat the last d bytes, so copy byte by byte
        for (let k = 0; k < len; k++, o++) out[o] = out[o - d];
        this.outLen = o;
      }
    }
  }
}

/** Raw DEFLATE data from `start`; returns the output and the input position after the stream. */
export function inflateRaw(src: Uint8Array, start = 0, sizeHint = 0): { data: Uint8Array; end: number } {
  const inf = new Inflater(src, start, sizeHint || src.length * 4);
  inf.run();
  return { data: inf.out.subarray(0, inf.outLen), end: inf.bytePos };
}

/** gzip, zlib or raw DEFLATE, recognised by their first bytes; gzip CRC and size are checked. */
export function gunzip(src: Uint8Array, sizeHint = 0): Uint8Array {
  if (src.length >= 18 && src[0] === 0x1f && src[1] === 0x8b) return gunzipMember(src, sizeHint);
  if (src.length >= 2 && (src[0] & 0x0f) === 8 && ((src[0] << 8) | src[1]) % 31 === 0) {
    return inflateRaw(src, 2, sizeHint).data;
  }
  return inflateRaw(src, 0, sizeHint).data;
}

function gunzipMember(src: Uint8Array, sizeHint: number): Uint8Array {
  if (src[2] !== 8) throw new InflateError(`gzip method ${src[2]} is not DEFLATE`);
  const flags = src[3];
  let p = 10;
  if (flags & 4) p += 2 + (src[p] | (src[p + 1] << 8));
  if (flags & 8) while (p < src.length && src[p++] !== 0);
  if (flags & 16) while (p < src.length && src[p++] !== 0);
  if (flags & 2) p += 2;
  const { data, end } = inflateRaw(src, p, sizeHint);
  if (end + 8 > src.length) throw new InflateError('gzip trailer missing');
  const crc = (src[end] | (src[end + 1] << 8) | (src[end + 2] << 16) | (src[end + 3] << 24)) >>> 0;
  const size = (src[end + 4] | (src[end + 5] << 8) | (src[end + 6] << 16) | (src[end + 7] << 24)) >>> 0;
  if (size !== data.length % 2 ** 32) throw new InflateError('gzip size check failed');
  if (crc !== crc32(data)) throw new InflateError('gzip CRC check failed');
  return data;
}

let crcTable: Uint32Array | null = null;

export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
