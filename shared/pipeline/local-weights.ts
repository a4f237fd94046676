/**
 * P7 local weights (METHOD.md), for one channel (practical: the luminance table and G; strict: call
 * once per channel with that channel's table and G):
 * - tile type STAR iff the median over frames (where the tile is present) of nstar >= star_min_count;
 * - z per tile over the frames where the metric exists (robust z with z_floor_rel);
 *   STAR: Q = w_fwhm*(-z(FWHM)) + w_round*z(Rnd) + w_con*z(C);
 *   STRUCTURE: Q = w_metric*z(S) - w_bg*z(B);
 * - no FWHM for a frame in a STAR tile (its FWHM field had no star anywhere, local-metrics.ts)
 *   -> Q = clamp_lo [DIFF: REF FWHM = 0, the best score];
 *   tile missing -> Q NaN, L = 0 (no data there);
 * - L = exp(k_local*clip(Q, lo, hi)); W = G_f * L.
 * A non-finite z term (metric undefined while the tile is present) counts as 0, the median frame.
 */
import { median, robustZ } from '../image/stats';
import { effectiveSampleSize } from './global-weights';
import { type LocalMetricsTable } from './local-metrics';

export interface LocalWeightsConfig {
  readonly tile: { readonly star_min_count: number };
  readonly local_metrics: {
    readonly clamp: readonly [number, number];
    readonly weight_exponent_scale: number;
    readonly z_floor_rel: number;
    readonly star_mode: { readonly weights: { readonly fwhm: number; readonly roundness: number; readonly contrast: number } };
    readonly structure_mode: { readonly metric_weight: number; readonly background_weight: number };
  };
}

/**
 * The config defaults (schema-method.ts; measured in bench/QUALITY.md). With z_floor_rel 0.4 above
 * the usual FWHM spread, z(FWHM) ~ d FWHM/(0.4 median), so ln L ~ -1.5*0.8/0.4 d ln FWHM = -3 d ln
 * FWHM (L ~ FWHM^-3). Measured on the quality sets with the faint-star SNR from median aperture sums:
 * k 1 -> 1.5 gains 40 % more FWHM improvement (mono 5.8/8.5 % -> 8.1/11.5 %) at the same faint-star
 * SNR (1.05-1.12 -> 1.06), background noise +8-13 % instead of +3-5 %; k 2 reaches 10.2/14.2 % at
 * faint SNR 1.02 but +14-23 % background noise, which extended objects (nebulae) pay in full.
 * Every tile is a STAR tile (star_min_count 0): the frame's FWHM field gives each tile a FWHM.
 */
export const DEFAULT_LOCAL_WEIGHTS: LocalWeightsConfig = {
  tile: { star_min_count: 0 },
  local_metrics: {
    clamp: [-3, 3],
    weight_exponent_scale: 1.5,
    z_floor_rel: 0.4,
    star_mode: { weights: { fwhm: 0.8, roundness: 0.1, contrast: 0.1 } },
    structure_mode: { metric_weight: 0.7, background_weight: 0.3 },
  },
};

export type TileType = 'STAR' | 'STRUCTURE';

export interface LocalWeights {
  readonly nFrames: number;
  readonly nTiles: number;
  readonly tileType: TileType[];
  /** Q[f*nTiles + t]; NaN where the tile is missing. */
  readonly Q: Float32Array;
  /** L = exp(k*clip(Q)); 0 where missing. */
  readonly L: Float32Array;
  /** W = G_f * L. */
  readonly W: Float32Array;
  /** Per tile: ESS of W over frames, median Q, median FWHM (NaN if none). */
  readonly ess: Float64Array;
  readonly medianQ: Float64Array;
  readonly medianFwhm: Float64Array;
}

/** Column of one tile over frames, NaN where the tile is missing. */
function tileColumn(values: Float32Array, table: LocalMetricsTable, t: number): Float64Array {
  const out = new Float64Array(table.nFrames);
  for (let f = 0; f < table.nFrames; f++) {
    const k = f * table.nTiles + t;
    out[f] = table.missing[k] ? Number.NaN : values[k];
  }
  return out;
}

export function computeLocalWeights(table: LocalMetricsTable, G: ArrayLike<number>, cfg: LocalWeightsConfig): LocalWeights {
  const { nFrames: n, nTiles } = table;
  if (G.length !== n) throw new RangeError(`expected ${n} global weights, got ${G.length}`);
  const lm = cfg.local_metrics;
  const [lo, hi] = lm.clamp;
  if (!(lo < hi)) throw new RangeError(`clamp lo must be < hi, got [${lo}, ${hi}]`);
  const k = lm.weight_exponent_scale;
  const zf = lm.z_floor_rel;
  const sw = lm.star_mode.weights;
  const st = lm.structure_mode;
  const fin = (z: number) => (Number.isFinite(z) ? z : 0);

  const Q = new Float32Array(n * nTiles).fill(Number.NaN);
  const L = new Float32Array(n * nTiles);
  const W = new Float32Array(n * nTiles);
  const tileType: TileType[] = [];
  const ess = new Float64Array(nTiles);
  const medianQ = new Float64Array(nTiles);
  const medianFwhm = new Float64Array(nTiles);
  const q = new Float64Array(n);
  const wt = new Float64Array(n);

  for (let t = 0; t < nTiles; t++) {
    const nstar = tileColumn(table.nstar, table, t);
    const type: TileType = median(nstar) >= cfg.tile.star_min_count ? 'STAR' : 'STRUCTURE';
    tileType.push(type);
    const fwhm = tileColumn(table.fwhm, table, t);
    q.fill(Number.NaN);
    if (type === 'STAR') {
      const zF = robustZ(fwhm, zf);
      const zR = robustZ(tileColumn(table.roundness, table, t), zf);
      const zC = robustZ(tileColumn(table.contrast, table, t), zf);
      for (let f = 0; f < n; f++) {
        if (table.missing[f * nTiles + t]) continue;
        // the FWHM field of the frame gives every tile a FWHM once the frame has stars anywhere
        const noStar = !Number.isFinite(fwhm[f]);
        q[f] = noStar ? lo : sw.fwhm * -fin(zF[f]) + sw.roundness * fin(zR[f]) + sw.contrast * fin(zC[f]);
      }
    } else {
      const zS = robustZ(tileColumn(table.S, table, t), zf);
      const zB = robustZ(tileColumn(table.B, table, t), zf);
      for (let f = 0; f < n; f++) {
        if (table.missing[f * nTiles + t]) continue;
        q[f] = st.metric_weight * fin(zS[f]) - st.background_weight * fin(zB[f]);
      }
    }
    for (let f = 0; f < n; f++) {
      const idx = f * nTiles + t;
      if (!Number.isFinite(q[f])) {
        wt[f] = 0;
        continue;
      }
      Q[idx] = q[f];
      L[idx] = Math.exp(k * Math.min(Math.max(q[f], lo), hi));
      W[idx] = G[f] * L[idx];
      wt[f] = W[idx];
    }
    ess[t] = effectiveSampleSize(wt);
    medianQ[t] = median(q);
    medianFwhm[t] = median(fwhm);
  }
  return { nFrames: n, nTiles, tileType, Q, L, W, ess, medianQ, medianFwhm };
}

/**
 * Strict profile (METHOD.md 1.4): the channels' weights, each from its own metric table and G,
 * summarized for reporting, clustering and the QA maps as one table: Q, L and W are the channel
 * means, the tile type is STAR where any channel's is, ESS/median Q/median FWHM are channel means.
 * The per-channel W stay what the tiles are stacked with.
 */
export function channelMeanWeights(channels: readonly LocalWeights[]): LocalWeights {
  if (channels.length === 0) throw new RangeError('channelMeanWeights needs at least one channel');
  const [first] = channels;
  const { nFrames, nTiles } = first;
  for (const ch of channels) {
    if (ch.nFrames !== nFrames || ch.nTiles !== nTiles) throw new RangeError('channel weight tables differ in size');
  }
  const meanOf = (pick: (ch: LocalWeights) => ArrayLike<number>, out: Float32Array | Float64Array) => {
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (const ch of channels) s += pick(ch)[i];
      out[i] = s / channels.length;
    }
    return out;
  };
  return {
    nFrames,
    nTiles,
    tileType: first.tileType.map((_, t) => (channels.some((ch) => ch.tileType[t] === 'STAR') ? 'STAR' : 'STRUCTURE')),
    Q: meanOf((ch) => ch.Q, new Float32Array(nFrames * nTiles)) as Float32Array,
    L: meanOf((ch) => ch.L, new Float32Array(nFrames * nTiles)) as Float32Array,
    W: meanOf((ch) => ch.W, new Float32Array(nFrames * nTiles)) as Float32Array,
    ess: meanOf((ch) => ch.ess, new Float64Array(nTiles)) as Float64Array,
    medianQ: meanOf((ch) => ch.medianQ, new Float64Array(nTiles)) as Float64Array,
    medianFwhm: meanOf((ch) => ch.medianFwhm, new Float64Array(nTiles)) as Float64Array,
  };
}
