/**
 * P2.3 / P6.1 normalization: I = raw / B[f,c] per colour (MONO one value, RGB per plane, OSC per
 * CFA colour of the mosaic). Multiplicative, so it stays linear (METHOD.md 1.1). NaN stays NaN.
 */
import { type Image } from '../image/image';
import { colourCount, forEachColourPixel, type ColourLayout } from './background';

export function normalizeFrame(image: Image, layout: ColourLayout, background: readonly number[]): Image {
  const n = colourCount(layout);
  if (background.length !== n) throw new RangeError(`expected ${n} background value(s), got ${background.length}`);
  for (const b of background) {
    if (!(b > 0) || !Number.isFinite(b)) throw new RangeError(`background must be finite and positive, got ${b}`);
  }
  const out = new Float32Array(image.data.length);
  const d = image.data;
  for (let c = 0; c < n; c++) {
    // division in float64, one rounding to float32 on store
    const inv = background[c];
    forEachColourPixel(image, layout, c, (i) => {
      out[i] = d[i] / inv;
    });
  }
  return { width: image.width, height: image.height, planes: image.planes, data: out };
}
