import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../../../shared/util/seed';
import * as radixBefore from '../../image/before/radix-median-before';
import * as rankBefore from '../../image/before/rank-filters-before';
import * as backgroundBefore from '../before/background-before';
import * as metricsBefore from '../before/global-metrics-before';
import { decodePixels as decodeBefore } from '../../fits/before/decode-before';
import * as localBefore from '../before/local-background-before';

// Without WebAssembly the radix statistics, the masks, the 3x3 median, the E sum and the FITS
// decoding run their JS loops: same results.
// The modules are imported after the global is removed, so the kernels' first (lazy) load fails.

describe('the P2 statistics without WebAssembly', () => {
  beforeAll(() => vi.stubGlobal('WebAssembly', undefined));
  afterAll(() => vi.unstubAllGlobals());

  it('report the kernels unavailable and give the JS results', async () => {
    const { wasmRadixAvailable } = await import('../../../../shared/image/wasm/bg-radix');
    const { wasmMedian3x3Available } = await import('../../../../shared/image/wasm/bg-median3x3');
    const { allPixels, radixMedian, radixMedianAndSigmaMad } = await import('../../../../shared/image/radix-median');
    const { median3x3BySortedColumns } = await import('../../../../shared/image/rank-filters');
    const { wasmSelectAvailable } = await import('../../../../shared/pipeline/wasm/bg-select');
    const { objectMasks } = await import('../../../../shared/pipeline/background');
    const { proxyNoiseAndStructure } = await import('../../../../shared/pipeline/global-metrics');
    const { wasmDecodeAvailable } = await import('../../../../shared/image/wasm/bg-decode');
    const { decodePixels } = await import('../../../../shared/fits/decode');
    expect(wasmDecodeAvailable()).toBe(false);
    const { wasmBracketAvailable } = await import('../../../../shared/pipeline/wasm/bg-bracket');
    const { wasmSurfaceAvailable } = await import('../../../../shared/pipeline/wasm/bg-surface');
    const { cellGridOf, luminanceOffsetsOverBoxes, matchLocalBackground, measureBackgroundCells } = await import('../../../../shared/pipeline/local-background');
    expect(wasmBracketAvailable()).toBe(false);
    expect(wasmSurfaceAvailable()).toBe(false);
    expect(wasmRadixAvailable()).toBe(false);
    expect(wasmMedian3x3Available()).toBe(false);
    expect(wasmSelectAvailable()).toBe(false);
    const u = mulberry32(5);
    const d = Float32Array.from({ length: 100_000 }, () => (u() < 0.01 ? Number.NaN : Math.round(500 + 20 * u())));
    const mask = Uint8Array.from({ length: d.length }, () => (u() < 0.1 ? 1 : 0));
    const runs = allPixels(d.length);
    expect(radixMedianAndSigmaMad(d, runs, mask)).toEqual(radixBefore.radixMedianAndSigmaMad(d, runs, mask));
    expect(radixMedian(d, runs)).toBe(radixBefore.radixMedian(d, runs));
    const p = d.subarray(0, 250 * 200);
    const got = median3x3BySortedColumns(p, 250, 200);
    expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(rankBefore.median3x3BySortedColumns(p, 250, 200).buffer)));
    const image = { width: 400, height: 250, planes: 1, data: d };
    const layout = { colorMode: 'OSC' as const, pattern: 'RGGB' as const };
    expect(objectMasks(image, layout, true)).toEqual(backgroundBefore.objectMasks(image, layout, true));
    const proxy = { width: 250, height: 200, data: p };
    expect(proxyNoiseAndStructure(proxy)).toEqual(metricsBefore.proxyNoiseAndStructure(proxy));
    const bytes = Uint8Array.from({ length: 20_000 }, () => Math.floor(256 * u()));
    const got16 = new Float32Array(10_000);
    const want16 = new Float32Array(10_000);
    decodePixels(bytes, 10_000, { bitpix: 16, bzero: 32768, bscale: 1, blank: -7 }, got16, 0);
    decodeBefore(bytes, 10_000, { bitpix: 16, bzero: 32768, bscale: 1, blank: -7 }, want16, 0);
    expect(Array.from(new Uint32Array(got16.buffer))).toEqual(Array.from(new Uint32Array(want16.buffer)));
    // local background matching: cell medians, subtraction and tile offsets
    const sky = Float32Array.from({ length: 300 * 240 }, (_, i) => 1 + 1e-4 * (i % 300) + 0.02 * u());
    const frame = { width: 300, height: 240, planes: 1, data: sky };
    const mono = { colorMode: 'MONO' as const };
    const grid = cellGridOf(300, 240, 60);
    const ref = localBefore.measureBackgroundCells({ ...frame, data: sky.map((v, i) => v - 2e-4 * (i % 300)) }, mono, grid);
    expect(measureBackgroundCells(frame, mono, grid)).toEqual(localBefore.measureBackgroundCells(frame, mono, grid));
    const a = matchLocalBackground(frame, mono, grid, ref);
    const b = localBefore.matchLocalBackground(frame, mono, grid, ref);
    expect(Array.from(new Uint32Array(a.image.data.buffer))).toEqual(Array.from(new Uint32Array(b.image.data.buffer)));
    const boxes = [{ x0: 0, y0: 0, w: 64, h: 64 }, { x0: 48, y0: 48, w: 64, h: 64 }, { x0: 236, y0: 176, w: 64, h: 64 }];
    expect(luminanceOffsetsOverBoxes(a.offsets, grid, boxes, mono)).toEqual(boxes.map((x) => localBefore.luminanceOffsetOverBox(b.offsets, grid, x, mono)));
    // the JS subtraction's row rule on mosaics: one CFA column per row for R and B, both or one for G
    for (const pattern of ['RGGB', 'GBRG'] as const) {
      const osc = { colorMode: 'OSC' as const, pattern };
      const refOsc = localBefore.measureBackgroundCells({ ...frame, data: sky.map((v, i) => v - 2e-4 * (i % 300)) }, osc, grid);
      const x = matchLocalBackground(frame, osc, grid, refOsc);
      const y = localBefore.matchLocalBackground(frame, osc, grid, refOsc);
      expect(x.skipped).toEqual([false, false, false]);
      expect(Array.from(new Uint32Array(x.image.data.buffer))).toEqual(Array.from(new Uint32Array(y.image.data.buffer)));
    }
  });
});
