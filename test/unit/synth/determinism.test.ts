import { describe, expect, it } from 'vitest';
import { framesJson, renderFrame, renderTruthScene, starsJson } from '../../../shared/synth';
import { sha256Hex } from '../../../shared/util/seed';
import { spec } from './helpers';

const hash = (a: Float32Array) => sha256Hex(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
const base = { frames: 5, width: 96, height: 64, bayer: 'GRBG' as const, cloudFraction: 0.4, trailFraction: 0.4 };

describe('determinism', () => {
  it('gives identical specs, frames and truth for the same seed', () => {
    const a = spec({ ...base, seed: 42 });
    const b = spec({ ...base, seed: 42 });
    expect(JSON.stringify(framesJson(a))).toBe(JSON.stringify(framesJson(b)));
    expect(JSON.stringify(starsJson(a))).toBe(JSON.stringify(starsJson(b)));
    for (let f = 0; f < 5; f++) expect(hash(renderFrame(a, f).data)).toBe(hash(renderFrame(b, f).data));
    expect(hash(renderTruthScene(a).data)).toBe(hash(renderTruthScene(b).data));
  });

  it('gives different stars, conditions and noise for a different seed', () => {
    const a = spec({ ...base, seed: 42 });
    const b = spec({ ...base, seed: 43 });
    expect(a.stars[0].x).not.toBe(b.stars[0].x);
    expect(a.frames[0].fwhmPx).not.toBe(b.frames[0].fwhmPx);
    expect(hash(renderFrame(a, 0).data)).not.toBe(hash(renderFrame(b, 0).data));
  });

  it('renders a frame the same whatever was rendered before it (frames are independent)', () => {
    const a = spec({ ...base, seed: 5 });
    const later = hash(renderFrame(a, 3).data);
    renderFrame(a, 0);
    renderFrame(a, 4);
    expect(hash(renderFrame(a, 3).data)).toBe(later);
    const fresh = spec({ ...base, seed: 5 });
    expect(hash(renderFrame(fresh, 3).data)).toBe(later);
  });

  it('keeps the sky and the other frames unchanged when only the cloud share changes', () => {
    const a = spec({ ...base, seed: 9, cloudFraction: 0 });
    const b = spec({ ...base, seed: 9, cloudFraction: 0.2 });
    expect(b.stars).toEqual(a.stars);
    expect(b.frames.map((f) => f.fwhmPx)).toEqual(a.frames.map((f) => f.fwhmPx));
    const clear = b.frames.findIndex((f) => f.cloud === null);
    expect(hash(renderFrame(b, clear).data)).toBe(hash(renderFrame(a, clear).data));
  });

  it('rejects a frame index outside the set', () => {
    expect(() => renderFrame(spec(base), 5)).toThrow(RangeError);
  });
});
