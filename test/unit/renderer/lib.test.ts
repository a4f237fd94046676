import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../../../shared/pipeline/scan-types';
import { estimateRun } from '../../../renderer/src/lib/estimate';
import { autoStretch, stretchValue } from '../../../renderer/src/lib/stretch';
import { filterLogLines, parseLogLines } from '../../../renderer/src/lib/log-lines';
import { translate } from '../../../renderer/src/i18n';
import { en } from '../../../renderer/src/i18n/en';
import { de } from '../../../renderer/src/i18n/de';

const scan = (over: Partial<ScanReport>): ScanReport => ({
  inputDir: '/x',
  frames: [],
  problems: [],
  usableFrames: 100,
  mode: 'reduced',
  colorMode: 'MONO',
  width: 1000,
  height: 1000,
  totalBytes: 0,
  canRun: true,
  ...over,
});

describe('estimateRun', () => {
  const FRAME_MB = (1000 * 1000 * 4) / 2 ** 20;
  const HOST_MB = 90 + 120 + 9 * FRAME_MB;
  // a worker: 3 frames + 160 + 8 frames (heap reserve) + 8 frames (P6 store group)
  const WORKER_MB = 3 * FRAME_MB + 160 + 8 * FRAME_MB + 8 * FRAME_MB;

  it('limits workers by cores when RAM is plentiful and by RAM when it is not', () => {
    expect(estimateRun(scan({}), { cpuCount: 4, totalRamMb: 64_000 })?.workers).toBe(4);
    // a 3.81 MiB frame: host 90 + 120 + 9 frames = 244 MB, a worker 3 + 160 + 8 + 8 frames = 233 MB;
    // 0.75 * 1000 MB fits 2
    const tight = estimateRun(scan({}), { cpuCount: 16, totalRamMb: 1000 });
    expect(tight?.workers).toBe(2);
    expect(tight!.ramBytes / 2 ** 20).toBeCloseTo(HOST_MB + 2 * WORKER_MB, 1);
  });

  it("shows the engine's planned peak for the whole process tree, which bounds what the benchmark measured", () => {
    // the bench's M set on its 2-core, 24 GB machine: planned 998 MB, measured 961 MB at most in
    // five runs (bench/RESULTS.md; P6 store groups of 4 frames)
    const m = estimateRun(scan({ width: 2048, height: 1536, usableFrames: 200 }), { cpuCount: 2, totalRamMb: 24_105 })!;
    expect(m.workers).toBe(2);
    expect(m.ramBytes / 2 ** 20).toBeGreaterThan(961);
    expect(m.ramBytes / 2 ** 20).toBeLessThan(1.15 * 961);
  });

  it('still gives the one-worker numbers where not even one worker fits', () => {
    const e = estimateRun(scan({}), { cpuCount: 4, totalRamMb: 200 })!;
    expect(e.workers).toBe(1);
    expect(e.ramBytes / 2 ** 20).toBeCloseTo(HOST_MB + WORKER_MB, 1);
  });

  it('estimates the time of the benchmark sets within 25 % (2 cores)', () => {
    const machine = { cpuCount: 2, totalRamMb: 24_105 };
    const sets = [
      { width: 1024, height: 768, usableFrames: 60, measured: 17.6 },
      { width: 2048, height: 1536, usableFrames: 200, measured: 121.3 },
      { width: 6000, height: 4000, usableFrames: 50, measured: 268.7 },
    ];
    for (const s of sets) {
      const e = estimateRun(scan(s), machine)!;
      expect(e.seconds / s.measured, `${s.width}x${s.height}`).toBeGreaterThan(0.75);
      expect(e.seconds / s.measured, `${s.width}x${s.height}`).toBeLessThan(1.25);
    }
  });

  it('grows disk need linearly with the frame count', () => {
    const a = estimateRun(scan({ usableFrames: 100 }), { cpuCount: 4, totalRamMb: 8000 })!;
    const b = estimateRun(scan({ usableFrames: 200 }), { cpuCount: 4, totalRamMb: 8000 })!;
    expect(b.diskBytes).toBeGreaterThan(1.8 * a.diskBytes);
    expect(b.diskBytes).toBeLessThan(2 * a.diskBytes);
  });

  it('gives no estimate when nothing is usable', () => {
    expect(estimateRun(scan({ usableFrames: 0 }), { cpuCount: 4, totalRamMb: 8000 })).toBeNull();
    expect(estimateRun(scan({ width: null }), { cpuCount: 4, totalRamMb: 8000 })).toBeNull();
  });
});

describe('autoStretch', () => {
  it('puts the median at 0.25 of the display range', () => {
    const data = new Float32Array(10_000);
    for (let i = 0; i < data.length; i++) data[i] = 100 + ((i * 7919) % 101) - 50 + (i % 997 === 0 ? 5000 : 0);
    const p = autoStretch(data);
    const sorted = Array.from(data).sort((a, b) => a - b);
    const med = 0.5 * (sorted[4999] + sorted[5000]);
    expect(stretchValue(med, p, 'linear')).toBeCloseTo(0.25, 3);
    expect(stretchValue(Number.NaN, p, 'linear')).toBe(0);
  });

  it('maps black to 0 and white to 1 in both modes, monotonically', () => {
    const p = { black: 10, white: 110, midtone: 0.1 };
    for (const mode of ['linear', 'asinh'] as const) {
      expect(stretchValue(10, p, mode)).toBeCloseTo(0, 6);
      expect(stretchValue(110, p, mode)).toBeCloseTo(1, 6);
      expect(stretchValue(40, p, mode)).toBeGreaterThan(stretchValue(30, p, mode));
    }
  });
});

describe('log lines', () => {
  const text = '[t] [info] measure: ok\n[t] [warn] registration: light_5 excluded\n[t] [error] finish: disk full\nplain line\n';

  it('reads level and phase from each line', () => {
    const lines = parseLogLines(text);
    expect(lines.map((l) => l.level)).toEqual(['info', 'warn', 'error', null]);
    expect(lines.map((l) => l.phase)).toEqual(['measure', 'registration', 'finish', null]);
  });

  it('filters by level (that level and worse), phase and search text', () => {
    const lines = parseLogLines(text);
    expect(filterLogLines(lines, { level: 'warn', phase: 'all', search: '' })).toHaveLength(2);
    expect(filterLogLines(lines, { level: 'all', phase: 'finish', search: '' })).toHaveLength(1);
    expect(filterLogLines(lines, { level: 'all', phase: 'all', search: 'LIGHT_5' })).toHaveLength(1);
    expect(filterLogLines(lines, { level: 'error', phase: 'measure', search: '' })).toHaveLength(0);
  });
});

describe('translations', () => {
  it('has every English key in German, none empty', () => {
    for (const k of Object.keys(en)) expect((de as Record<string, string>)[k]?.length ?? 0).toBeGreaterThan(0);
  });

  it('fills placeholders', () => {
    expect(translate('de', 'input.framesFound', { n: 12 })).toBe('12 Bilder gefunden');
    expect(translate('en', 'run.eta', {})).toBe('about {time} left');
  });
});
