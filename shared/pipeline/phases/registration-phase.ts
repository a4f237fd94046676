import { determinant, toFullResolution } from '../registration/affine';
import { verifyPrediction, type RegistrationResult } from '../registration/cascade';
import { computeCanvas, ditherShare, type Canvas } from '../registration/canvas';
import { checkSuccessFraction, postCheckRegistrations } from '../registration/post-checks';
import { predictFailed } from '../registration/predict';
import type { Affine2x3 } from '../../image/warp';
import { readJson, writeJson } from '../run/run-files';
import type { Runtime } from '../run/runtime';
import { forgetReference, loadProxyFrame, loadReference } from '../tasks/register-task';

/**
 * P4 master side: post-checks over all accepted frames (P4.7), prediction of failed frames verified
 * by the NCC rule (P4.8), the majority check, full-resolution matrices (P4.9) and the canvas (P4.10).
 * Writes metrics/registration.json in the form: matrix = canvas (reference array
 * coordinates, x = column, y = row) → this frame's array coordinates.
 */
export interface RegistrationOutcome {
  readonly results: RegistrationResult[];
  readonly canvas: Canvas;
  /** Manifest indices of the frames with an accepted transform, ascending. */
  readonly accepted: number[];
  readonly matrices: Record<number, Affine2x3>;
  readonly successShare: number;
  readonly majorityOk: boolean;
}

/** `resumed`: P4 was done before this session (its checked results are saved: checkResults). */
export async function finishRegistration(rt: Runtime, reference: number, unitResults: readonly RegistrationResult[], saved: RegistrationResult[] | null): Promise<RegistrationOutcome> {
  const cfg = rt.ctx.config.registration;
  const results = saved ?? (await checkResults(rt, reference, unitResults));
  const { share, ok } = checkSuccessFraction(results, cfg);
  const accepted = results.filter((r) => r.accepted && determinant(r.proxyMatrix) > 0);
  const full = accepted.map((r) => toFullResolution(r.proxyMatrix));
  const m = rt.ctx.manifest;
  const canvas = computeCanvas(rt.ctx.config.output.framing, full, m.width, m.height, rt.ctx.layout.colorMode === 'OSC');
  const matrices: Record<number, Affine2x3> = {};
  accepted.forEach((r, i) => (matrices[r.frameIndex] = canvas.matrices[i]));
  await writeJson(rt.host.fs, rt.ctx.paths.metricsFile('registration.json'), {
    reference: m.frames[reference].name,
    reference_index: reference,
    canvas: { width: canvas.width, height: canvas.height, offset: [canvas.offsetX, canvas.offsetY], framing: rt.ctx.config.output.framing },
    success_share: share,
    dither_share: ditherShare(full, rt.ctx.config.dithering.min_shift_px),
    frames: results.map((r) => ({
      file: m.frames[r.frameIndex].name,
      index: r.frameIndex,
      accepted: r.accepted,
      method: r.method,
      stars: r.stars,
      inliers: r.inliers,
      residual_px: 2 * r.residualPx,
      ncc: r.ncc,
      ncc_identity: r.nccIdentity,
      ncc_highpass: r.nccHighPass,
      ncc_highpass_identity: r.nccHighPassIdentity,
      scale: r.scale,
      rotation_deg: r.rotationDeg,
      matrix: matrices[r.frameIndex] ? toRows(matrices[r.frameIndex]) : null,
      rejection: r.rejection ?? null,
      attempts: r.attempts,
    })),
  });
  return { results, canvas, accepted: accepted.map((r) => r.frameIndex), matrices, successShare: share, majorityOk: ok };
}

/** work/registration-checked.json: the units' results after P4.7 and P4.8 (checkResults). */
function checkedPath(rt: Runtime): string {
  return rt.ctx.paths.workFile('registration-checked.json');
}

/**
 * The post-checked results a finished P4 saved (checkResults), or null. A resume after P4 needs
 * neither the units' records nor their proxies (deleted after P4).
 */
export function readCheckedRegistration(rt: Runtime): Promise<RegistrationResult[] | null> {
  return readJson<RegistrationResult[]>(rt.host.fs, checkedPath(rt)).catch(() => null);
}

/**
 * The units' results after the post-checks (P4.7) and the verified predictions of failed frames
 * (P4.8), which read the reference's and those frames' proxies. Saved with fsync before P4 counts
 * as done: a resume after P4 takes them from there, because the proxies are deleted after P4
 * (run-pipeline.ts dropRegistrationInputs).
 */
async function checkResults(rt: Runtime, reference: number, unitResults: readonly RegistrationResult[]): Promise<RegistrationResult[]> {
  const cfg = rt.ctx.config.registration;
  const ref = await loadReference(rt.ctx, reference);
  let results = postCheckRegistrations(
    [...unitResults].sort((a, b) => a.frameIndex - b.frameIndex),
    cfg,
    { w: ref.w, h: ref.h },
  );
  if (cfg.predict_failed) {
    const predictions = predictFailed(results);
    const byFrame = new Map(predictions.map((p) => [p.frameIndex, p.matrix]));
    const next: RegistrationResult[] = [];
    for (const r of results) {
      const M = byFrame.get(r.frameIndex);
      if (r.accepted || M === undefined) next.push(r);
      else next.push(verifyPrediction(ref, await loadProxyFrame(rt.ctx, r.frameIndex), M, cfg, r.frameIndex, r.attempts));
    }
    results = next;
  }
  forgetReference(rt.ctx, reference);
  await writeJson(rt.host.fs, checkedPath(rt), results);
  return results;
}

function toRows(M: Affine2x3): [[number, number, number], [number, number, number]] {
  return [
    [M[0], M[1], M[2]],
    [M[3], M[4], M[5]],
  ];
}
