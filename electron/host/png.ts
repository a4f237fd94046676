import sharp from 'sharp';
import type { PngRequest } from '../../shared/pipeline/run/runtime';

/** PNG encoding of previews and QA maps with sharp (8- or 16-bit, grey or RGB). */
export async function encodePng(req: PngRequest): Promise<Uint8Array> {
  const sixteen = req.data instanceof Uint16Array;
  const input = Buffer.from(req.data.buffer, req.data.byteOffset, req.data.byteLength);
  let img = sharp(input, { raw: { width: req.width, height: req.height, channels: req.channels, ...(sixteen ? { depth: 'ushort' as const } : {}) } });
  if (sixteen) img = img.toColourspace(req.channels === 1 ? 'grey16' : 'rgb16');
  const out = await img.png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
