import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, loadConfig } from '../../../shared/config';

describe('stacking.debayer_method', () => {
  it('defaults to rcd and accepts bilinear', () => {
    expect(DEFAULT_CONFIG.stacking.debayer_method).toBe('rcd');
    const { config, problems } = loadConfig('stacking:\n  debayer_method: bilinear\n');
    expect(problems).toEqual([]);
    expect(config!.stacking.debayer_method).toBe('bilinear');
  });

  it('rejects an unknown method, naming the key', () => {
    const p = loadConfig('stacking:\n  debayer_method: vng\n').problems;
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ path: 'stacking.debayer_method', code: 'ENUM' });
    expect(p[0].message).toMatch(/^stacking\.debayer_method: expected one of rcd, bilinear/);
  });
});
