import type { BayerPattern, ColorMode } from '../image/image';
import { BAYER_PATTERNS } from '../image/image';

/**
 * Colour mode and Bayer pattern of a frame from its header (METHOD.md section 2). Header beats
 * config: `data.color_mode` / `data.bayer_pattern` apply only when the header says nothing.
 */
export interface FrameFormatInput {
  readonly planes: number;
  /** BAYERPAT value, if any. */
  readonly bayerpat?: string;
  /** COLORTYP value, if any. */
  readonly colortyp?: string;
  readonly xBayerOffset?: number;
  readonly yBayerOffset?: number;
}

export interface FrameFormat {
  readonly colorMode: ColorMode;
  readonly bayerPattern: BayerPattern | null;
  /** Set when the header overrode a non-auto config value. */
  readonly overrodeConfig: boolean;
}

export function resolveFrameFormat(
  h: FrameFormatInput,
  cfg: { color_mode: 'auto' | ColorMode; bayer_pattern: 'auto' | BayerPattern },
): FrameFormat {
  if (h.planes === 3) {
    return { colorMode: 'RGB', bayerPattern: null, overrodeConfig: cfg.color_mode !== 'auto' && cfg.color_mode !== 'RGB' };
  }
  const headerBase = patternIn(h.bayerpat) ?? patternIn(h.colortyp);
  const hasOffsets = h.xBayerOffset !== undefined || h.yBayerOffset !== undefined;
  let base: BayerPattern | null = headerBase;
  if (base === null && cfg.bayer_pattern !== 'auto' && (cfg.color_mode === 'OSC' || cfg.color_mode === 'auto')) {
    base = cfg.color_mode === 'OSC' || hasOffsets ? cfg.bayer_pattern : null;
  }
  if (base === null && hasOffsets) base = 'RGGB';
  if (base !== null) {
    const pattern = applyBayerOffsets(base, h.xBayerOffset ?? 0, h.yBayerOffset ?? 0);
    const overrode =
      headerBase !== null &&
      ((cfg.color_mode !== 'auto' && cfg.color_mode !== 'OSC') || (cfg.bayer_pattern !== 'auto' && cfg.bayer_pattern !== pattern));
    return { colorMode: 'OSC', bayerPattern: pattern, overrodeConfig: overrode };
  }
  if (h.colortyp !== undefined && /mono/i.test(h.colortyp)) {
    return { colorMode: 'MONO', bayerPattern: null, overrodeConfig: cfg.color_mode !== 'auto' && cfg.color_mode !== 'MONO' };
  }
  if (cfg.color_mode === 'OSC') {
    // OSC requested without a pattern anywhere: the reference's own default
    return { colorMode: 'OSC', bayerPattern: cfg.bayer_pattern === 'auto' ? 'RGGB' : cfg.bayer_pattern, overrodeConfig: false };
  }
  return { colorMode: 'MONO', bayerPattern: null, overrodeConfig: false };
}

function patternIn(text: string | undefined): BayerPattern | null {
  if (text === undefined) return null;
  const t = text.toUpperCase();
  for (const p of BAYER_PATTERNS) if (t.includes(p)) return p;
  return null;
}

/** Odd XBAYROFF swaps the pattern's columns, odd YBAYROFF its rows. */
export function applyBayerOffsets(p: BayerPattern, xOff: number, yOff: number): BayerPattern {
  let cells = p.split('');
  if (Math.abs(Math.round(xOff)) % 2 === 1) cells = [cells[1], cells[0], cells[3], cells[2]];
  if (Math.abs(Math.round(yOff)) % 2 === 1) cells = [cells[2], cells[3], cells[0], cells[1]];
  return cells.join('') as BayerPattern;
}
