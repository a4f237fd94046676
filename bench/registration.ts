import { warpImage } from '../shared/image/warp';
import { prepareReference, registerFrame } from '../shared/pipeline/registration/cascade';
import { DEFAULT_REGISTRATION_CONFIG } from '../shared/pipeline/registration/config';
import { rotationAbout, toFullResolution, type Affine2x3 } from '../shared/pipeline/registration/affine';
import { detectStars } from '../shared/pipeline/registration/stars';
import { gaussianSource, mulberry32 } from '../shared/util/seed';

/**
 * Registration benchmark (issue 3): detect + match + warp of one 24 MP frame (6000 x 4000, mono)
 * on one core (this process, no workers), median of 5 runs after one untimed warm-up. Goal: <= 1 s per frame.
 * The synthetic frames (2000 Gaussian stars, noise) are built once and not timed.
 * The timed calls are the pipeline's own: detectStars on the half-resolution proxy (P2),
 * registerFrame against a prepared reference (P4, NCC acceptance included), warpImage of the full
 * frame (P6.2) into a canvas reused from run to run, as P6's workers do (util/scratch-buffers.ts).
 * warp_osc_ms (not in the total) warps the same frame as a Bayer mosaic, the CFA path OSC data
 * takes in P6; warp_fresh_ms (not in the total) warps into a new array each time, which adds the
 * kernel's first-touch cost of 96 MB of pages (on some virtual machines as much as the warp).
 */

const W = 6000;
const H = 4000;

function skyFrame(M: Affine2x3, seed: number): Float32Array {
  const u = mulberry32(1234);
  const g = gaussianSource(mulberry32(seed));
  const img = new Float32Array(W * H);
  for (let i = 0; i < img.length; i++) img[i] = 100 + 3 * g();
  for (let k = 0; k < 2000; k++) {
    const rx = u() * W;
    const ry = u() * H;
    const flux = 300 * Math.exp(u() * 5);
    // star at reference position r appears at M*r in the moving frame
    const x = M[0] * rx + M[1] * ry + M[2];
    const y = M[3] * rx + M[4] * ry + M[5];
    const s = 1.8;
    const a = flux / (2 * Math.PI * s * s);
    for (let yy = Math.max(0, Math.floor(y) - 8); yy <= Math.min(H - 1, Math.ceil(y) + 8); yy++) {
      for (let xx = Math.max(0, Math.floor(x) - 8); xx <= Math.min(W - 1, Math.ceil(x) + 8); xx++) {
        img[yy * W + xx] += a * Math.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * s * s));
      }
    }
  }
  return img;
}

/** 2x2 block mean (METHOD.md section 0). */
function proxyOf(img: Float32Array): Float32Array {
  const w = W >> 1;
  const h = H >> 1;
  const p = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const r0 = 2 * y * W;
    const r1 = r0 + W;
    for (let x = 0; x < w; x++) p[y * w + x] = 0.25 * (img[r0 + 2 * x] + img[r0 + 2 * x + 1] + img[r1 + 2 * x] + img[r1 + 2 * x + 1]);
  }
  return p;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export async function benchRegistration(): Promise<object> {
  const cfg = DEFAULT_REGISTRATION_CONFIG;
  const w = W >> 1;
  const h = H >> 1;
  const refProxy = proxyOf(skyFrame([1, 0, 0, 0, 1, 0], 1));
  const ref = prepareReference(refProxy, w, h, detectStars(refProxy, w, h, { topK: cfg.star_topk }), 0);
  const truth = rotationAbout((0.4 * Math.PI) / 180, W / 2, H / 2, 13.7, -8.2);
  const moving = skyFrame(truth, 2);
  const movProxy = proxyOf(moving);
  const runs: { detectMs: number; matchMs: number; warpMs: number; totalMs: number; oscMs: number; freshMs: number; method: string }[] = [];
  const canvas = new Float32Array(W * H);
  // one untimed warm-up (JIT, WebAssembly instantiation, first page faults of the scratch), then 5 timed runs
  for (let i = -1; i < 5; i++) {
    const t0 = performance.now();
    const stars = detectStars(movProxy, w, h, { topK: cfg.star_topk });
    const t1 = performance.now();
    const r = registerFrame(ref, { proxy: movProxy, w, h, stars }, cfg, 1, 'bench');
    const t2 = performance.now();
    warpImage({ width: W, height: H, planes: 1, data: moving }, toFullResolution(r.proxyMatrix), W, H, cfg.interpolation, { into: canvas });
    const t3 = performance.now();
    warpImage({ width: W, height: H, planes: 1, data: moving }, toFullResolution(r.proxyMatrix), W, H, cfg.interpolation, { cfa: true, into: canvas });
    const t4 = performance.now();
    warpImage({ width: W, height: H, planes: 1, data: moving }, toFullResolution(r.proxyMatrix), W, H, cfg.interpolation);
    const t5 = performance.now();
    if (i >= 0) runs.push({ detectMs: t1 - t0, matchMs: t2 - t1, warpMs: t3 - t2, totalMs: t3 - t0, oscMs: t4 - t3, freshMs: t5 - t4, method: r.method });
  }
  return {
    name: 'registration: detect + match + warp, 24 MP mono frame, 1 core',
    frame: `${W}x${H}`,
    interpolation: cfg.interpolation,
    method: runs[0].method,
    detect_ms: Math.round(median(runs.map((r) => r.detectMs))),
    match_ms: Math.round(median(runs.map((r) => r.matchMs))),
    warp_ms: Math.round(median(runs.map((r) => r.warpMs))),
    median_total_ms: Math.round(median(runs.map((r) => r.totalMs))),
    warp_osc_ms: Math.round(median(runs.map((r) => r.oscMs))),
    warp_fresh_ms: Math.round(median(runs.map((r) => r.freshMs))),
    goal_ms: 1000,
  };
}
