import { describe, expect, it } from 'vitest';
import { decideMode, type ModeConfig } from '../../../shared/pipeline/modes';

function cfg(over: { framesMin?: number; threshold?: number; emergency?: boolean; skipClustering?: boolean } = {}): ModeConfig {
  return {
    assumptions: {
      frames_min: over.framesMin ?? 50,
      frames_reduced_threshold: over.threshold ?? 200,
      reduced_mode_skip_clustering: over.skipClustering ?? true,
      reduced_mode_cluster_range: [5, 10],
    },
    runtime: { allow_emergency_mode: over.emergency ?? false },
    synthetic: { clustering: { cluster_count_range: [5, 30] } },
  };
}

describe('decideMode', () => {
  it('runs the full pipeline with clustering from frames_reduced_threshold frames on', () => {
    const d = decideMode(200, cfg());
    expect(d).toMatchObject({ mode: 'full', emergency: false, clustering: true, clusterRange: [5, 30], code: null });
  });

  it('runs reduced without clustering between frames_min and the threshold', () => {
    expect(decideMode(199, cfg())).toMatchObject({ mode: 'reduced', clustering: false, clusterRange: null });
    expect(decideMode(50, cfg())).toMatchObject({ mode: 'reduced', clustering: false });
  });

  it('clusters in reduced mode with the reduced range when reduced_mode_skip_clustering is false', () => {
    expect(decideMode(60, cfg({ skipClustering: false }))).toMatchObject({ mode: 'reduced', clustering: true, clusterRange: [5, 10] });
  });

  it('honours frames_min instead of a hard-coded 50', () => {
    expect(decideMode(12, cfg({ framesMin: 10, threshold: 120 })).mode).toBe('reduced');
    expect(decideMode(9, cfg({ framesMin: 10, threshold: 120 })).mode).toBe('refused');
  });

  it('runs below frames_min only in emergency mode, flagged', () => {
    const d = decideMode(1, cfg({ emergency: true }));
    expect(d).toMatchObject({ mode: 'emergency', emergency: true, clustering: false, code: null });
  });

  it('refuses too few frames with a message naming N and both ways out', () => {
    const d = decideMode(37, cfg());
    expect(d.mode).toBe('refused');
    expect(d.code).toBe('INSUFFICIENT_FRAMES');
    expect(d.message).toContain('37');
    expect(d.message).toContain('50');
    expect(d.message).toMatch(/more frames/);
    expect(d.message).toContain('runtime.allow_emergency_mode: true');
  });

  it('refuses zero frames even when emergency mode is allowed', () => {
    const d = decideMode(0, cfg({ emergency: true }));
    expect(d.mode).toBe('refused');
    expect(d.code).toBe('INSUFFICIENT_FRAMES');
    expect(d.message).toContain('N = 0');
  });
});
