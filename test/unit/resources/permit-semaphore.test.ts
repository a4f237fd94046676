import { describe, expect, it } from 'vitest';
import { PermitSemaphore } from '../../../shared/resources/permit-semaphore';

const tick = (ms = 1) => new Promise<void>((r) => setTimeout(r, ms));

describe('PermitSemaphore', () => {
  it('always lets one task run, even when memory looks exhausted (no deadlock)', async () => {
    const s = new PermitSemaphore({ ceiling: 4, reserveMb: 0, availableMb: () => 0, sleep: tick });
    const p = await s.acquire(10_000);
    expect(s.active).toBe(1);
    p.release();
    expect(s.active).toBe(0);
  });

  it('never runs more than the ceiling at once', async () => {
    const s = new PermitSemaphore({ ceiling: 2, reserveMb: 0, availableMb: () => null, sleep: tick });
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const p = await s.acquire(1);
        peak = Math.max(peak, s.active);
        await tick(2);
        p.release();
      }),
    );
    expect(peak).toBe(2);
  });

  it('throttles to one task under simulated memory pressure and recovers when memory returns', async () => {
    let available = 100; // MB; each task needs 80 above a 0 reserve
    const s = new PermitSemaphore({ ceiling: 4, reserveMb: 0, availableMb: () => available, sleep: tick, pollMs: 1 });
    const a = await s.acquire(80);
    available = 50;
    let secondStarted = false;
    const b = s.acquire(80).then((p) => {
      secondStarted = true;
      return p;
    });
    await tick(20);
    expect(secondStarted).toBe(false); // waits rather than overcommits
    available = 500;
    const pb = await b;
    expect(secondStarted).toBe(true);
    expect(s.throttled).toBe(1);
    a.release();
    pb.release();
  });

  it('starts a waiting task when the running one releases, even if memory never recovers', async () => {
    const s = new PermitSemaphore({ ceiling: 4, reserveMb: 0, availableMb: () => 0, sleep: tick, pollMs: 1 });
    const a = await s.acquire(80);
    const b = s.acquire(80);
    await tick(5);
    a.release();
    const pb = await b;
    expect(s.active).toBe(1);
    pb.release();
  });

  it('lowers the ceiling but never below one', () => {
    const s = new PermitSemaphore({ ceiling: 2, reserveMb: 0, availableMb: () => null, sleep: tick });
    expect(s.lowerCeiling()).toBe(1);
    expect(s.lowerCeiling()).toBe(1);
  });

  it('rejects when cancelled while waiting', async () => {
    const s = new PermitSemaphore({ ceiling: 1, reserveMb: 0, availableMb: () => null, sleep: tick });
    const a = await s.acquire(1);
    const signal = { aborted: false };
    const b = s.acquire(1, signal);
    signal.aborted = true;
    a.release();
    await expect(b).rejects.toThrow(/cancelled/);
  });
});
