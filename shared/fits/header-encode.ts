import { CARD_BYTES, asciiToBytes, paddedLength } from './ascii';
import type { FitsCard, FitsValue } from './types';

/**
 * Header writing in the FITS fixed format: keyword in columns 1-8, "= " in 9-10, strings from
 * column 11, numbers and booleans right-justified to column 30. The card `type` decides the
 * written form, so a value read as a string (DATE-OBS) is written back quoted and a float that
 * happens to be integral keeps its decimal point.
 */
export function encodeHeader(cards: readonly FitsCard[]): Uint8Array {
  const lines: string[] = [];
  for (const card of cards) {
    if (card.key.toUpperCase() === 'END') continue;
    lines.push(...formatCard(card));
  }
  lines.push('END');
  const out = new Uint8Array(paddedLength(lines.length * CARD_BYTES));
  out.fill(0x20);
  lines.forEach((line, i) => asciiToBytes(line, out, i * CARD_BYTES));
  return out;
}

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);
const STANDARD_KEY = /^[A-Z0-9_-]{1,8}$/;

/** One card as one or more 80-column lines (long strings and long commentary take several). */
export function formatCard(card: FitsCard): string[] {
  const key = card.key.trim().toUpperCase();
  if (card.value === undefined && COMMENTARY.has(key)) return commentaryLines(key, card.comment ?? '');
  const hierarch = !STANDARD_KEY.test(key);
  const head = hierarch ? `HIERARCH ${key} = ` : `${key.padEnd(8)}= `;
  if (card.value === undefined) return [fit(appendComment(head.padEnd(30), card.comment))];
  const type = card.type ?? inferType(card.value);
  if (type === 'string') return stringLines(head, String(card.value), card.comment);
  const text = formatScalar(key, card.value, type);
  const valueField = hierarch ? head + text : head + text.padStart(20);
  if (valueField.length > CARD_BYTES) throw new Error(`FITS card ${key}: value does not fit in 80 columns`);
  return [fit(appendComment(valueField, card.comment))];
}

function inferType(value: FitsValue): NonNullable<FitsCard['type']> {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'int';
  return Number.isInteger(value) ? 'int' : 'float';
}

function formatScalar(key: string, value: FitsValue, type: 'int' | 'float' | 'bool'): string {
  if (type === 'bool') return value === true || value === 'T' ? 'T' : 'F';
  if (type === 'int') {
    if (typeof value === 'bigint') return value.toString();
    const n = Number(value);
    if (!Number.isInteger(n)) throw new Error(`FITS card ${key}: ${String(value)} is not an integer`);
    return BigInt(n).toString();
  }
  const x = typeof value === 'bigint' ? Number(value) : Number(value);
  if (!Number.isFinite(x)) throw new Error(`FITS card ${key}: ${String(value)} cannot be written as a FITS float`);
  return formatFloat(x);
}

/** Shortest round-trip form, always with a '.' or an exponent so it reads back as a float. */
export function formatFloat(x: number): string {
  let s = String(x).toUpperCase();
  if (!s.includes('.') && !s.includes('E')) s += '.0';
  else if (!s.includes('.') && s.includes('E')) s = s.replace('E', '.0E');
  return s;
}

function appendComment(field: string, comment: string | undefined): string {
  if (!comment) return field;
  return `${field} / ${comment}`;
}

/** Cuts to 80 columns; only comments can be long enough to be cut. */
function fit(line: string): string {
  return line.length > CARD_BYTES ? line.slice(0, CARD_BYTES) : line;
}

function commentaryLines(key: string, text: string): string[] {
  const lines: string[] = [];
  const width = CARD_BYTES - 8;
  for (let i = 0; i === 0 || i < text.length; i += width) {
    lines.push(`${key.padEnd(8)}${text.slice(i, i + width)}`);
  }
  return lines;
}

/**
 * A quoted string, padded to 8 characters inside the quotes (FITS fixed format). Too long for one
 * card: the long-string convention, each piece ending in '&' and continued on CONTINUE cards.
 */
function stringLines(head: string, value: string, comment: string | undefined): string[] {
  const quoted = quote(value.length < 8 ? value.padEnd(8) : value);
  if (head.length + quoted.length <= CARD_BYTES) return [fit(appendComment(head + quoted, comment))];
  const lines: string[] = [];
  let rest = value;
  let prefix = head;
  while (rest.length > 0) {
    const room = CARD_BYTES - prefix.length - 3; // two quotes and the '&'
    let n = 0;
    let used = 0;
    while (n < rest.length && used + (rest[n] === "'" ? 2 : 1) <= room) {
      used += rest[n] === "'" ? 2 : 1;
      n++;
    }
    if (n === 0) throw new Error(`FITS card ${head.trim()}: keyword too long for a continued string`);
    const piece = rest.slice(0, n);
    rest = rest.slice(n);
    lines.push(prefix + quote(rest.length > 0 ? `${piece}&` : piece));
    prefix = 'CONTINUE  ';
  }
  const last = lines.length - 1;
  if (comment) lines[last] = fit(appendComment(lines[last], comment));
  return lines;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
