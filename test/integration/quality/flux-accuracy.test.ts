import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem as fs } from '../../../electron/host/node-file-system';
import { CI_QUALITY_SET, ensureSynthSet, runQuality, type QualityReport, type QualitySet } from '../../../bench/quality';

/**
 * Issue 4 acceptance: star fluxes within 2 % of the truth after a linear fit, end to end with the
 * default configuration. The CI quality set (tbqr-quality.test.ts) has no star bright and isolated
 * enough for this (0 stars with < 2 % photometric noise at 40 frames): this is the same night with a
 * flatter star count law (dN/dF ~ F^-1.2 instead of F^-2), so it holds ~15 such stars. bench/quality.ts
 * explains the measurement (aperture 2 x FWHM, fit m = a*t + b, RMS relative residual).
 */
const SET: QualitySet = { name: 'ci-flux', synth: { ...CI_QUALITY_SET.synth, starPowerLawIndex: 1.2 } };

let root = '';
let report: QualityReport;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'tc-flux-'));
  const synthDir = path.join(root, 'lights');
  await ensureSynthSet(fs, synthDir, SET.synth);
  report = await runQuality(fs, SET, synthDir, path.join(root, 'run'), 'defaults', '');
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('TBQR photometry against the truth (defaults)', () => {
  it('has enough bright isolated stars to measure it', () => {
    expect(report.result.flux.n).toBeGreaterThanOrEqual(10);
  });

  it('keeps the star fluxes within 2 % of the truth after a linear fit (measured: RMS 1.33 %, of which the photometric noise explains 1.26 %)', () => {
    expect(report.result.flux.rmsPct).toBeLessThan(2);
  });

  it('adds under 1 % of flux error to the mean stack\'s (measured 0.61 %): the weighting does not distort the photometry', () => {
    expect(report.fluxAddedPct).toBeLessThan(1);
    expect(report.result.flux.systematicPct).toBeLessThan(1);
  });
});
