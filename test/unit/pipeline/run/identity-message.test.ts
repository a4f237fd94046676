import { describe, expect, it } from 'vitest';
import { identityMessage } from '../../../../shared/pipeline/run/run-pipeline';

describe('the REGISTRATION_IDENTITY warning', () => {
  it('names the file and the correlation, and says the frame is stacked unshifted because its stars already overlap', () => {
    const m = identityMessage('light_00048.fits', 0.88771);
    expect(m.startsWith('light_00048.fits: ')).toBe(true);
    expect(m).toContain('high-passed NCC 0.888');
    expect(m).toContain('stacked unshifted');
    expect(m).toContain('already overlap');
  });
});
