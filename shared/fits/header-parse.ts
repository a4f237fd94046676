import { BLOCK_BYTES, CARD_BYTES, bytesToAscii } from './ascii';
import { FitsError, type FitsCard, type FitsValue } from './types';

/**
 * Header parsing (FITS 4.0 section 4): 80-character cards in 2880-byte blocks up to END.
 * Tolerated beyond the standard, as astropy and cfitsio do: HIERARCH keywords, long strings
 * continued on CONTINUE cards, lower-case keywords, '=' without the following blank, D exponents,
 * and Latin-1 bytes in values and comments.
 */
export interface ParsedHeader {
  readonly cards: FitsCard[];
  /** Bytes through the end of the block holding END (a multiple of 2880); bytes seen if incomplete. */
  readonly headerBytes: number;
  /** False when `bytes` ended before an END card: read more blocks and parse again. */
  readonly complete: boolean;
}

/**
 * Parses whole 2880-byte blocks of `bytes` until END. A block whose keyword columns hold bytes that
 * cannot start a card means the header ran into data without END: FITS_NO_END, naming `file`.
 * `baseOffset` is only used to report file positions in messages.
 */
export function parseHeaderBlocks(bytes: Uint8Array, file: string, baseOffset = 0): ParsedHeader {
  const lines: string[] = [];
  const blocks = Math.floor(bytes.length / BLOCK_BYTES);
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < BLOCK_BYTES / CARD_BYTES; c++) {
      const at = b * BLOCK_BYTES + c * CARD_BYTES;
      if (!isKeywordField(bytes, at)) {
        throw new FitsError(
          'FITS_NO_END',
          file,
          `no END card: the header runs into non-text bytes at byte ${baseOffset + at}`,
        );
      }
      const line = bytesToAscii(bytes, at, at + CARD_BYTES);
      if (line.slice(0, 8) === 'END     ') {
        return { cards: cardsFromLines(lines), headerBytes: (b + 1) * BLOCK_BYTES, complete: true };
      }
      lines.push(line);
    }
  }
  return { cards: cardsFromLines(lines), headerBytes: blocks * BLOCK_BYTES, complete: false };
}

/** Columns 1-8 must be printable ASCII for a line to be a card (data bytes rarely are). */
function isKeywordField(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 8; i++) {
    const c = bytes[i];
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

function cardsFromLines(lines: readonly string[]): FitsCard[] {
  const cards: FitsCard[] = [];
  for (let i = 0; i < lines.length; i++) {
    const card = parseCard(lines[i]);
    if (card === null) continue;
    // long-string convention: a string ending in '&' continues on the following CONTINUE cards
    if (card.type === 'string' && typeof card.value === 'string') {
      let value = card.value;
      let comment = card.comment;
      while (value.endsWith('&') && i + 1 < lines.length && lines[i + 1].startsWith('CONTINUE')) {
        const next = parseValueField(lines[++i].slice(8));
        const piece = typeof next.value === 'string' && next.type === 'string' ? next.value : '';
        value = value.slice(0, -1) + piece;
        if (next.comment) comment = comment ? `${comment} ${next.comment}` : next.comment;
      }
      cards.push(withComment({ key: card.key, value, type: 'string' }, comment));
      continue;
    }
    cards.push(card);
  }
  return cards;
}

/** One 80-character line as a card; null for blank filler and stray CONTINUE lines. */
export function parseCard(line: string): FitsCard | null {
  const keyField = line.slice(0, 8).trimEnd();
  const key = keyField.trim().toUpperCase();
  if (key === 'HIERARCH') {
    const rest = line.slice(8);
    const eq = rest.indexOf('=');
    if (eq > 0) {
      const hkey = rest.slice(0, eq).trim().toUpperCase();
      return withValue(hkey, parseValueField(rest.slice(eq + 1)));
    }
    return withComment({ key: 'HIERARCH' }, rest.trim());
  }
  if (key === 'CONTINUE') return null;
  if (line[8] === '=' && key !== '' && key !== 'COMMENT' && key !== 'HISTORY') {
    return withValue(key, parseValueField(line.slice(9)));
  }
  const text = line.slice(8).trimEnd();
  if (key === '' && text.trim() === '') return null;
  return withComment({ key }, text);
}

interface ValueField {
  readonly value?: FitsValue;
  readonly type?: FitsCard['type'];
  readonly comment?: string;
}

function withValue(key: string, field: ValueField): FitsCard {
  const card: { key: string; value?: FitsValue; type?: FitsCard['type']; comment?: string } = { key };
  if (field.value !== undefined) card.value = field.value;
  if (field.type !== undefined) card.type = field.type;
  if (field.comment) card.comment = field.comment;
  return card;
}

function withComment(card: FitsCard, comment: string | undefined): FitsCard {
  return comment ? { ...card, comment } : card;
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/;

/** The value part of a card (after "= "): a quoted string, T/F, an integer, a float, or empty. */
export function parseValueField(field: string): ValueField {
  let i = 0;
  while (i < field.length && field[i] === ' ') i++;
  if (field[i] === "'") {
    let s = '';
    let j = i + 1;
    for (; j < field.length; j++) {
      if (field[j] === "'") {
        if (field[j + 1] === "'") {
          s += "'";
          j++;
          continue;
        }
        break;
      }
      s += field[j];
    }
    const after = field.slice(j + 1);
    const slash = after.indexOf('/');
    const comment = slash >= 0 ? after.slice(slash + 1).trim() : undefined;
    // trailing blanks inside the quotes are not significant; leading blanks are
    return { value: s.trimEnd(), type: 'string', comment };
  }
  const slash = field.indexOf('/', i);
  const token = (slash >= 0 ? field.slice(i, slash) : field.slice(i)).trim();
  const comment = slash >= 0 ? field.slice(slash + 1).trim() : undefined;
  if (token === '') return { comment };
  if (token === 'T' || token === 'F') return { value: token === 'T', type: 'bool', comment };
  if (INT_RE.test(token)) {
    const n = Number(token);
    const value = Number.isSafeInteger(n) ? n : BigInt(token);
    return { value, type: 'int', comment };
  }
  if (FLOAT_RE.test(token)) {
    return { value: Number(token.replace(/[Dd]/, 'E')), type: 'float', comment };
  }
  // complex numbers and malformed values are kept as their text, untyped
  return { value: token, comment };
}
