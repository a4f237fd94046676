import { describe, expect, it } from 'vitest';
import { memoryNeedMb, planRunWorkers, planWorkers, storeGroupBytes, storeGroupFrames, storeGroupReserveMb, type WorkerPlanInput } from '../../../shared/resources/memory-model';
import { DEFAULT_CONFIG } from '../../../shared/config/defaults';

const base: WorkerPlanInput = {
  baseMb: 200,
  taskSizesMb: Array(100).fill(100),
  ramMb: 16_000,
  eta: 0.75,
  gamma: 3,
  overheadMb: 50,
  minWorkers: 1,
  maxWorkers: 0,
  fallbackWorkers: 4,
  cores: 64,
};

describe('memoryNeedMb', () => {
  it('adds gamma*size + overhead per worker to the base, largest sizes first', () => {
    expect(memoryNeedMb(0, base)).toBe(200);
    expect(memoryNeedMb(2, { ...base, taskSizesMb: [10, 100, 50] })).toBe(200 + (300 + 50) + (150 + 50));
  });
});

describe('planWorkers', () => {
  it('picks the largest p with M(p) <= eta*RAM', () => {
    // budget 12000: 200 + p*350 <= 12000 -> p = 33, clipped to the auto maximum 16
    expect(planWorkers(base).workers).toBe(16);
    const tight = planWorkers({ ...base, ramMb: 2000 }); // budget 1500: 200 + 350p <= 1500 -> p = 3
    expect(tight.workers).toBe(3);
    expect(tight.expectedPeakMb).toBeLessThanOrEqual(tight.budgetMb);
    expect(memoryNeedMb(4, base)).toBeGreaterThan(tight.budgetMb);
  });

  it('never exceeds cores, tasks or max_workers', () => {
    expect(planWorkers({ ...base, cores: 2 }).workers).toBe(2);
    expect(planWorkers({ ...base, taskSizesMb: [100] }).workers).toBe(1);
    expect(planWorkers({ ...base, maxWorkers: 5 }).workers).toBe(5);
  });

  it('refuses before any work when one worker does not fit, with the numbers', () => {
    const p = planWorkers({ ...base, ramMb: 400 });
    expect(p.fits).toBe(false);
    expect(p.workers).toBe(0);
    expect(p.reason).toMatch(/needs 550 MB for one worker, 300 MB available/);
  });

  it('falls back to fallback_workers when memory is unreadable', () => {
    expect(planWorkers({ ...base, ramMb: null, cores: 8 }).workers).toBe(4);
    expect(planWorkers({ ...base, ramMb: null, cores: 2 }).workers).toBe(2);
  });

  it('is monotone: more RAM never means fewer workers', () => {
    let prev = 0;
    for (let ram = 500; ram <= 20_000; ram += 250) {
      const w = planWorkers({ ...base, ramMb: ram }).workers;
      expect(w).toBeGreaterThanOrEqual(prev);
      prev = w;
    }
  });
});

describe('planRunWorkers', () => {
  const rt = DEFAULT_CONFIG.runtime;
  it('plans a run from its runtime settings: host base, frame-sized tasks, overhead with the heap and store-group reserves', () => {
    // 12 MB frames: host 88 + 120 + 9*12; a worker 3*12 + 160 + 8*12 (heap flags on) + 4*12 (P6 group of 4)
    const p = planRunWorkers(rt, { workingSetMb: 12, hostRssMb: 88, ramMb: 24_000, cores: 2 });
    expect(p.workers).toBe(2);
    expect(p.perTaskMb).toBeCloseTo(3 * 12 + 160 + 96 + 48, 9);
    expect(p.expectedPeakMb).toBeCloseTo(88 + 120 + 108 + 2 * (3 * 12 + 160 + 96 + 48), 9);
    // 92 MB frames run with V8's defaults: no reserve
    expect(planRunWorkers(rt, { workingSetMb: 92, hostRssMb: 88, ramMb: 24_000, cores: 2 }).perTaskMb).toBeCloseTo(3 * 92 + 160, 9);
  });
  it('takes --workers as the count where it fits, and the task count as a bound', () => {
    expect(planRunWorkers(rt, { workingSetMb: 12, hostRssMb: 88, ramMb: 24_000, cores: 2, workers: 4 }).workers).toBe(4);
    expect(planRunWorkers(rt, { workingSetMb: 12, hostRssMb: 88, ramMb: 24_000, cores: 8, tasks: 3 }).workers).toBe(3);
    expect(planRunWorkers(rt, { workingSetMb: 12, hostRssMb: 88, ramMb: 100, cores: 8 }).fits).toBe(false);
  });
});

describe('P6 store groups', () => {
  const MiB = 1024 * 1024;
  it('gather as many frames as fit in 48 MiB, at most 8, and none above 24 MiB', () => {
    expect(storeGroupBytes(12 * MiB)).toBe(48 * MiB);
    expect(storeGroupBytes(2048 * 1536 * 4)).toBe(4 * 2048 * 1536 * 4);
    expect(storeGroupBytes(1 * MiB)).toBe(8 * MiB);
    expect(storeGroupBytes(24 * MiB)).toBe(48 * MiB);
    expect(storeGroupBytes(25 * MiB)).toBe(0);
    expect(storeGroupBytes(96 * MiB)).toBe(0);
    expect(storeGroupReserveMb(12)).toBe(48);
    expect(storeGroupReserveMb(92)).toBe(0);
  });

  it('never hold more than planned: a canvas larger than the frame gives fewer frames', () => {
    expect(storeGroupFrames(12 * MiB, 12 * MiB)).toBe(4);
    expect(storeGroupFrames(12 * MiB, 13 * MiB)).toBe(3);
    expect(storeGroupFrames(12 * MiB, 6 * MiB)).toBe(8);
    expect(storeGroupFrames(96 * MiB, 96 * MiB)).toBe(1);
    expect(storeGroupFrames(96 * MiB, 10 * MiB)).toBe(1);
    for (const frame of [0.5, 3, 10, 12, 13, 20, 24, 30].map((m) => m * MiB)) {
      for (const canvas of [0.8, 1, 1.1, 1.5, 2].map((r) => r * frame)) {
        const k = storeGroupFrames(frame, canvas);
        if (k > 1) expect(k * canvas).toBeLessThanOrEqual(storeGroupBytes(frame));
      }
    }
  });
});
