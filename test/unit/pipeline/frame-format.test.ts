import { describe, expect, it } from 'vitest';
import { applyBayerOffsets, resolveFrameFormat } from '../../../shared/pipeline/frame-format';

const auto = { color_mode: 'auto', bayer_pattern: 'auto' } as const;

describe('applyBayerOffsets', () => {
  it('swaps columns for an odd x offset and rows for an odd y offset', () => {
    expect(applyBayerOffsets('RGGB', 1, 0)).toBe('GRBG');
    expect(applyBayerOffsets('GBRG', 1, 0)).toBe('BGGR');
    expect(applyBayerOffsets('RGGB', 0, 1)).toBe('GBRG');
    expect(applyBayerOffsets('GRBG', 0, 1)).toBe('BGGR');
    expect(applyBayerOffsets('RGGB', 1, 1)).toBe('BGGR');
    expect(applyBayerOffsets('RGGB', 2, 4)).toBe('RGGB');
  });
});

describe('resolveFrameFormat', () => {
  it('reads RGB from a 3-plane cube', () => {
    expect(resolveFrameFormat({ planes: 3 }, auto).colorMode).toBe('RGB');
  });
  it('takes the pattern from BAYERPAT or COLORTYP and applies offsets', () => {
    expect(resolveFrameFormat({ planes: 1, bayerpat: 'RGGB', xBayerOffset: 1 }, auto)).toMatchObject({ colorMode: 'OSC', bayerPattern: 'GRBG' });
    expect(resolveFrameFormat({ planes: 1, colortyp: 'bggr' }, auto)).toMatchObject({ colorMode: 'OSC', bayerPattern: 'BGGR' });
  });
  it('assumes RGGB when only Bayer offsets are present', () => {
    expect(resolveFrameFormat({ planes: 1, yBayerOffset: 1 }, auto)).toMatchObject({ colorMode: 'OSC', bayerPattern: 'GBRG' });
  });
  it('is mono for COLORTYP mono or no information, unless the config says OSC', () => {
    expect(resolveFrameFormat({ planes: 1, colortyp: 'MONO' }, auto).colorMode).toBe('MONO');
    expect(resolveFrameFormat({ planes: 1 }, auto).colorMode).toBe('MONO');
    expect(resolveFrameFormat({ planes: 1 }, { color_mode: 'OSC', bayer_pattern: 'GBRG' })).toMatchObject({ colorMode: 'OSC', bayerPattern: 'GBRG' });
  });
  it('lets the header beat the config and says so', () => {
    const r = resolveFrameFormat({ planes: 1, bayerpat: 'RGGB' }, { color_mode: 'MONO', bayer_pattern: 'auto' });
    expect(r).toMatchObject({ colorMode: 'OSC', bayerPattern: 'RGGB', overrodeConfig: true });
  });
});
