import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../shared/config/defaults';
import type { FinalStackConfig } from '../../../shared/pipeline/final-stack';
import type { FinishConfig } from '../../../shared/pipeline/finish';
import { decideMode, type ModeConfig } from '../../../shared/pipeline/modes';
import { computeTileGrid, type TileGridConfig } from '../../../shared/pipeline/tile-grid';
import type { TileReconstructionConfig } from '../../../shared/pipeline/tile-reconstruction';
import type { ValidationConfig } from '../../../shared/pipeline/validation';

// The phase modules declare narrow config views with the YAML key names; the config module's
// defaults must satisfy every one of them (a compile-time check) with the METHOD.md defaults.
const views: [ModeConfig, TileGridConfig, TileReconstructionConfig, FinalStackConfig, FinishConfig, ValidationConfig] = [
  DEFAULT_CONFIG,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG,
];

describe('phase config views', () => {
  it('read the METHOD.md defaults from the config module', () => {
    expect(views.length).toBe(6);
    expect(decideMode(199, DEFAULT_CONFIG).mode).toBe('reduced');
    expect(decideMode(49, DEFAULT_CONFIG).mode).toBe('refused');
    const g = computeTileGrid(3000, 2000, 3, DEFAULT_CONFIG);
    expect([g.tileSize, g.overlap, g.stride]).toEqual([96, 24, 72]);
    expect(DEFAULT_CONFIG.stacking.sigma_clip).toEqual({ sigma_low: 3, sigma_high: 3, max_iters: 3, min_fraction: 0.5 });
  });
});
