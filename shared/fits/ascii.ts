/**
 * FITS headers are 7-bit ASCII. shared/ has no TextEncoder/TextDecoder, so the FITS code converts
 * with these helpers; bytes outside ASCII are read as their Latin-1 code (tolerated in comments)
 * and characters outside printable ASCII are written as '?' (FITS forbids them).
 */
export function bytesToAscii(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  // fromCharCode over modest slices is much faster than per-character concatenation
  const step = 4096;
  for (let i = start; i < end; i += step) {
    // apply() takes the typed array directly (no intermediate Array)
    s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + step)) as unknown as number[]);
  }
  return s;
}

export function asciiToBytes(text: string, into?: Uint8Array, offset = 0): Uint8Array {
  const out = into ?? new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[offset + i] = c >= 0x20 && c <= 0x7e ? c : 0x3f;
  }
  return out;
}

export const BLOCK_BYTES = 2880;
export const CARD_BYTES = 80;

/** Bytes needed to pad `n` up to the next multiple of 2880. */
export function paddedLength(n: number): number {
  return Math.ceil(n / BLOCK_BYTES) * BLOCK_BYTES;
}
