/**
 * P2.3 / P6.1 normalization: I = raw / B[f,c] per colour (MONO one value, RGB per plane, OSC per
 * CFA colour of the mosaic). Multiplicative, so it stays linear (METHOD.md 1.1). NaN stays NaN.
 */
import { type Image } from '../image/image';
import { colourCount, colourRuns, type ColourLayout } from './background';

export function normalizeFrame(image: Image, layout: ColourLayout, background: readonly number[], inPlace = false): Image {
  const n = colourCount(layout);
  if (background.length !== n) throw new RangeError(`expected ${n} background value(s), got ${background.length}`);
  for (const b of background) {
    if (!(b > 0) || !Number.isFinite(b)) throw new RangeError(`background must be finite and positive, got ${b}`);
  }
  // in place: each value is read once, at the index it is written to
  const out = inPlace ? image.data : new Float32Array(image.data.length);
  const d = image.data;
  for (let c = 0; c < n; c++) {
    // division in float64, one rounding to float32 on store
    const b = background[c];
    const runs = colourRuns(image, layout, c);
    for (let r = 0; r < runs.length; r += 4) {
      const step = runs[r + 2];
      const end = runs[r] + runs[r + 3] * step;
      for (let i = runs[r]; i < end; i += step) out[i] = d[i] / b;
    }
  }
  return { width: image.width, height: image.height, planes: image.planes, data: out };
}
