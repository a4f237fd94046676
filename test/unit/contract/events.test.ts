import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventLog } from '../../../shared/contract/events';

const base = { v: 1, seq: 1, ts: '2025-01-01T00:00:00.000Z', run_id: 'r1' };

describe('parseEvent', () => {
  it('accepts a frame_done event with metrics and registration', () => {
    const r = parseEvent({
      ...base,
      type: 'frame_done',
      phase: 'measure',
      frame: 3,
      file: 'light_00004.fits',
      status: 'ok',
      metrics: { B: 812.5, sigma: 0.01, E: 3.2, fwhm: null, stars: 140, Q: 0.4, G: 1.49 },
    });
    expect(r.kind).toBe('event');
  });

  it('keeps the declared fields and drops fields it does not know (newer writers)', () => {
    const r = parseEvent({ ...base, type: 'artifact', kind: 'qa', path: 'qa/fwhm_map.png', mime: 'image/png', extra: 1 });
    expect(r.kind === 'event' && r.event).toEqual({ ...base, type: 'artifact', kind: 'qa', path: 'qa/fwhm_map.png', mime: 'image/png' });
  });

  it('folds a per-colour metric list into the mean of its entries, as one chart line', () => {
    const r = parseEvent({ ...base, type: 'frame_done', phase: 'measure', frame: 0, file: 'a.fits', status: 'ok', metrics: { B: [1100, 1000, 900], sigma: [0.1, null], fwhm: 3 } });
    expect(r.kind === 'event' && r.event.type === 'frame_done' && r.event.metrics).toEqual({ B: 1000, sigma: 0.1, fwhm: 3 });
  });

  it('rejects a per-colour metric list holding something that is not a number', () => {
    expect(parseEvent({ ...base, type: 'frame_done', phase: 'measure', frame: 0, file: 'a.fits', status: 'ok', metrics: { B: [1, 'x'] } }).kind).toBe('invalid');
  });

  it('accepts the first plan of a run, before registration has decided the mode, and unknown memory figures', () => {
    const r = parseEvent({ ...base, type: 'plan', mode: null, n_usable: 24, workers: 2, memory: { ram_mb: null, budget_mb: null, per_task_mb: 51 }, disk: { need_mb: 7, free_mb: null } });
    expect(r.kind).toBe('event');
    expect(parseEvent({ ...base, type: 'resources', workers_active: 1, workers_limit: 2, rss_mb: 100, available_mb: null }).kind).toBe('event');
  });

  it('still rejects a plan with a mode outside the closed list', () => {
    expect(parseEvent({ ...base, type: 'plan', mode: 'turbo', n_usable: 1, workers: 1, memory: { ram_mb: 1, budget_mb: 1, per_task_mb: 1 }, disk: { need_mb: 1, free_mb: 1 } }).kind).toBe('invalid');
  });

  it('reports an unknown type as unknown, not invalid', () => {
    expect(parseEvent({ ...base, type: 'telemetry' })).toEqual({ kind: 'unknown', type: 'telemetry' });
  });

  it.each([
    ['a wrong schema version', { ...base, v: 2, type: 'resources', workers_active: 1, workers_limit: 2, rss_mb: 1, available_mb: 1 }],
    ['a missing seq', { v: 1, ts: 't', run_id: 'r', type: 'phase_started', phase: 'scan', total: 1, unit: 'frames' }],
    ['a negative progress count', { ...base, type: 'progress', phase: 'measure', done: -1, total: 4, unit: 'frames' }],
    ['an unknown run status', { ...base, type: 'run_finished', status: 'great', emergency: false, seconds: 1, exit_code: 0 }],
    ['an unknown frame status', { ...base, type: 'frame_done', phase: 'measure', frame: 0, file: 'a', status: 'meh' }],
    ['a non-boolean fatal flag', { ...base, type: 'error', code: 'X', message: 'm', fatal: 'yes' }],
  ])('rejects an event with %s', (_label, value) => {
    expect(parseEvent(value).kind).toBe('invalid');
  });
});

describe('parseEventLog', () => {
  it('parses lines, skips a torn last line and counts unknown types', () => {
    const lines = [
      JSON.stringify({ ...base, type: 'phase_started', phase: 'scan', total: 3, unit: 'frames' }),
      JSON.stringify({ ...base, seq: 2, type: 'future_thing' }),
      '',
      '{"v":1,"seq":3,"ts":"2025',
    ];
    const log = parseEventLog(lines.join('\n'));
    expect(log.events).toHaveLength(1);
    expect(log.unknownTypes).toBe(1);
    expect(log.invalidLines).toEqual([4]);
  });
});
