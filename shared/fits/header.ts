import type { FitsCard, FitsValue } from './types';

/**
 * Read access to an ordered card list. Keys are matched upper-case; HIERARCH keys without the
 * "HIERARCH " prefix. When a keyword repeats, the first card wins (as in astropy).
 */
export class FitsHeader {
  readonly cards: readonly FitsCard[];
  private readonly index = new Map<string, FitsCard>();

  constructor(cards: readonly FitsCard[]) {
    this.cards = cards;
    for (const card of cards) {
      if (card.value === undefined) continue;
      if (!this.index.has(card.key)) this.index.set(card.key, card);
    }
  }

  card(key: string): FitsCard | undefined {
    return this.index.get(normalizeKey(key));
  }

  get(key: string): FitsValue | undefined {
    return this.card(key)?.value;
  }

  has(key: string): boolean {
    return this.index.has(normalizeKey(key));
  }

  /** The value as text: strings as they are, numbers in their shortest form, booleans as T/F. */
  getString(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'boolean') return v ? 'T' : 'F';
    return typeof v === 'string' ? v : String(v);
  }

  /** The value as a number; numeric strings (some capture programs quote EXPTIME) are parsed. */
  getNumber(key: string): number | undefined {
    const v = this.get(key);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') {
      const t = v.trim();
      if (t === '') return undefined;
      const n = Number(t.replace(/[Dd]/, 'E'));
      return Number.isFinite(n) ? n : undefined;
    }
    return undefined;
  }

  getBoolean(key: string): boolean | undefined {
    const v = this.get(key);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Texts of the commentary cards with this key, in order (HISTORY, COMMENT). */
  commentary(key: 'HISTORY' | 'COMMENT'): string[] {
    return this.cards.filter((c) => c.key === key && c.value === undefined).map((c) => c.comment ?? '');
  }
}

function normalizeKey(key: string): string {
  const k = key.trim().toUpperCase();
  return k.startsWith('HIERARCH ') ? k.slice(9).trim() : k;
}
