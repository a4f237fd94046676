import { computeGlobalWeights, seeingOf, selectReferenceFrame, combineChannelG, type GlobalWeights } from '../global-weights';
import { weightedFwhm } from '../measure-star';
import { writeJson } from '../run/run-files';
import type { Runtime } from '../run/runtime';
import type { MeasureRecord } from '../tasks/measure-task';

/**
 * P3 — global weights, reference frame and seeing from the P2 records of the usable frames.
 * practical: one metric channel (luminance); strict: per channel, the reference frame chosen on the
 * geometric mean of the channel weights.
 */
export interface GlobalResult {
  /** Manifest indices of the frames that passed P2, ascending. */
  readonly frames: number[];
  /** Per metric channel, per frame (aligned with `frames`). */
  readonly channels: Array<{ Q: number[]; Qc: number[]; G: number[]; alpha: number; beta: number; gamma: number; adaptiveUsed: boolean; ess: number; lowEss: boolean }>;
  /** Per frame: G used for frame-level decisions (practical: channel 0). */
  readonly G: number[];
  readonly Qc: number[];
  /** Manifest index of the reference frame. */
  readonly reference: number;
  readonly seeingPx: number;
  readonly fwhm: Array<number | null>;
  readonly wfwhm: Array<number | null>;
}

export function computeGlobalPhase(rt: Runtime, records: readonly MeasureRecord[]): GlobalResult {
  const cfg = rt.ctx.config.global_metrics;
  const usable = records.filter((r) => r.status === 'ok');
  const nChannels = usable[0]?.metrics.length ?? 1;
  const channels: GlobalWeights[] = [];
  for (let c = 0; c < nChannels; c++) {
    channels.push(
      computeGlobalWeights(
        { B: usable.map((r) => r.metrics[c].B), sigma: usable.map((r) => r.metrics[c].sigma), E: usable.map((r) => r.metrics[c].E) },
        cfg,
      ),
    );
  }
  const G = nChannels === 1 ? Array.from(channels[0].G) : Array.from(combineChannelG(channels.map((ch) => ch.G)));
  const Qc = nChannels === 1 ? Array.from(channels[0].Qc) : usable.map((_, i) => channels.reduce((s, ch) => s + ch.Qc[i], 0) / nChannels);
  const fwhm = usable.map((r) => r.fwhm);
  const refOrdinal = selectReferenceFrame(G, { fwhm, stars: usable.map((r) => r.stars) });
  return {
    frames: usable.map((r) => r.frame),
    channels: channels.map((ch) => ({
      Q: Array.from(ch.Q),
      Qc: Array.from(ch.Qc),
      G: Array.from(ch.G),
      alpha: ch.alpha,
      beta: ch.beta,
      gamma: ch.gamma,
      adaptiveUsed: ch.adaptiveUsed,
      ess: ch.ess,
      lowEss: ch.lowEss,
    })),
    G,
    Qc,
    reference: refOrdinal >= 0 ? usable[refOrdinal].frame : -1,
    seeingPx: seeingOf(fwhm),
    fwhm,
    wfwhm: weightedFwhm(usable.map((r) => ({ fwhm: r.fwhm, roundness: r.roundness, stars: r.stars }))),
  };
}

export async function writeGlobalMetrics(rt: Runtime, g: GlobalResult): Promise<void> {
  await writeJson(rt.host.fs, rt.ctx.paths.metricsFile('global.json'), g);
}
