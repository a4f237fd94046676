import { describe, expect, it } from 'vitest';
import { workerEnv, workerV8Flags } from '../../../electron/host/worker-launcher';
import { workerHeapReserveMb } from '../../../shared/resources/memory-model';

describe('workerV8Flags', () => {
  it('starts the old generation at 128 MB (and lets the worker collect between tasks) for frames up to ~8 MP', () => {
    // M: 2048x1536 mono float32 = 12 MB; an 8 MP frame = 32 MB
    expect(workerV8Flags(12)).toEqual(['--initial-old-space-size=128', '--expose-gc']);
    expect(workerV8Flags(32)).toEqual(['--initial-old-space-size=128', '--expose-gc']);
  });
  it("keeps V8's defaults on large frames, where the worker's peak memory is what counts", () => {
    // L: 6000x4000 mono float32 = 92 MB
    expect(workerV8Flags(92)).toEqual([]);
    expect(workerV8Flags(33)).toEqual([]);
  });
});

describe('workerHeapReserveMb', () => {
  it('adds what the flags cost to the planned worker: ~8 decoded frames, at most 128 MB', () => {
    expect(workerHeapReserveMb(12)).toBe(96);
    expect(workerHeapReserveMb(0.2)).toBeCloseTo(1.6, 10);
    expect(workerHeapReserveMb(16)).toBe(128);
    expect(workerHeapReserveMb(32)).toBe(128);
  });
  it('adds nothing where the flags are not used', () => {
    expect(workerHeapReserveMb(33)).toBe(0);
    expect(workerHeapReserveMb(92)).toBe(0);
  });
});

describe('workerEnv', () => {
  it('keeps buffers below 32 MB in glibc\'s heap and trims it above 64 MB, for frames up to ~8 MP', () => {
    expect(workerEnv(12)).toEqual({ MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(64 * 1024 * 1024) });
    expect(workerEnv(32)).toEqual(workerEnv(12));
  });
  it('leaves the allocator alone on large frames (their peak is what counts)', () => {
    expect(workerEnv(33)).toEqual({});
    expect(workerEnv(92)).toEqual({});
  });
});
