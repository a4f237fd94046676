import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileSystem } from '../electron/host/node-file-system';
import { readFitsImage } from '../shared/fits/reader';
import { createFitsRowWriter, type WriteBitpix } from '../shared/fits/writer';

/**
 * FITS read throughput into Float32Array (issue 2: goal >= 500 MB/s): a 100 MB unsigned 16-bit
 * frame and a 100 MB float32 frame, written once to a temp dir with our writer, then read
 * `runs` times with the real reader through nodeFileSystem. MB/s = file data bytes / wall time
 * of readFitsImage (page cache warm after the first run: this measures the decoder, not the disk).
 */
export interface FitsReadBench {
  readonly name: 'fits-read';
  readonly runs: number;
  readonly frames: Array<{
    kind: string;
    width: number;
    height: number;
    dataMB: number;
    /** Fresh output array per read (includes the page faults of a new 200/100 MB allocation). */
    medianMBps: number;
    allMBps: number[];
    /** Output decoded into one reused Float32Array (readFitsImage `into`), as workers do. */
    reusedBufferMedianMBps: number;
  }>;
  readonly goalMBps: number;
}

const FRAMES: Array<{ kind: string; width: number; height: number; bitpix: WriteBitpix }> = [
  { kind: 'uint16', width: 10000, height: 5000, bitpix: 16 },
  { kind: 'float32', width: 5000, height: 5000, bitpix: -32 },
];

export async function benchFitsRead(runs = 5): Promise<FitsReadBench> {
  const dir = mkdtempSync(join(tmpdir(), 'tc-bench-fits-'));
  try {
    const frames: FitsReadBench['frames'] = [];
    for (const f of FRAMES) {
      const path = join(dir, `${f.kind}.fits`);
      await writeSynthetic(path, f.width, f.height, f.bitpix);
      const dataBytes = f.width * f.height * (Math.abs(f.bitpix) / 8);
      const measure = async (into?: Float32Array): Promise<number[]> => {
        const all: number[] = [];
        for (let r = 0; r < runs; r++) {
          const t0 = performance.now();
          const { image } = await readFitsImage(nodeFileSystem, path, { into });
          const seconds = (performance.now() - t0) / 1000;
          if (image.data.length !== f.width * f.height) throw new Error('bench: short read');
          all.push(dataBytes / 1e6 / seconds);
        }
        return all;
      };
      const fresh = await measure();
      // the worker pattern: one output buffer reused frame after frame (no page faults)
      const reused = await measure(new Float32Array(f.width * f.height).fill(0));
      frames.push({
        kind: f.kind,
        width: f.width,
        height: f.height,
        dataMB: dataBytes / 1e6,
        medianMBps: median(fresh),
        allMBps: fresh.map(Math.round),
        reusedBufferMedianMBps: median(reused),
      });
    }
    return { name: 'fits-read', runs, frames, goalMBps: 500 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]);
}

/** A sky-like frame written in 100-row bands (values vary so no decoder shortcut applies). */
async function writeSynthetic(path: string, width: number, height: number, bitpix: WriteBitpix): Promise<void> {
  const writer = await createFitsRowWriter(nodeFileSystem, path, { width, height, planes: 1, bitpix });
  const band = 100;
  const rows = new Float32Array(band * width);
  for (let y0 = 0; y0 < height; y0 += band) {
    const n = Math.min(band, height - y0);
    for (let i = 0; i < n * width; i++) rows[i] = 1000 + ((i * 2654435761 + y0) % 4096) * 0.37;
    await writer.writeRows(rows.subarray(0, n * width));
  }
  await writer.close();
}

// Runnable on its own: esbuild bench/fits-read.ts --bundle --platform=node --format=esm --outfile=/tmp/fits-read.mjs && node /tmp/fits-read.mjs
if (/fits-read\.(ts|js|mjs)$/.test(process.argv[1] ?? '')) {
  benchFitsRead().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
