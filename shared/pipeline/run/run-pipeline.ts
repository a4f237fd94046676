/**
 * The TBQR run: P0 scan → P2 measure → P3 global weights → P4 registration → P5 tile grid →
 * P6 prepare → P7 local weights → P8 clustering → P9 tiles → P10 assemble (+P11 final stack) →
 * P12 finish → P13 validation (METHOD.md section 3; P1 calibration when enabled; P14 is not in this version).
 *
 * Per-unit work (frames in P2/P4/P6, tiles in P9) goes through the TaskExecutor: in this process, in
 * worker processes or on remote workers, always reading from and writing to the run directory.
 * Master phases are cheap and deterministic and are recomputed from the unit outputs on resume;
 * units whose done bit is set are not redone, so a killed run resumes to byte-identical outputs.
 */
import { loadConfig, configHash, configToYaml, type TileCompileConfig } from '../../config';
import type { FileSystem } from '../../io/file-system';
import { CancelledError, type CancelSignal } from '../../util/cancel';
import { APP_VERSION } from '../../version';
import { decideMode, type ModeDecision } from '../modes';
import { scanFolder } from '../scan';
import { computeTileGrid } from '../tile-grid';
import { scanOptionsFor } from './scan-options';
import { EventLog } from './event-log';
import { manifestFromScan, type Manifest } from './manifest';
import { PipelineError } from './pipeline-error';
import { clearRunContextCache, loadRunContext, type RunContext } from './run-context';
import { ensureFile, writeJson } from './run-files';
import { runPaths } from './run-paths';
import { clearRunPlanCache, storeCutsFor, storeLayoutOf, storePath, writeRunPlan, type RunPlan } from './run-plan';
import { removeTempFiles } from './run-clean';
import { unreadableFrames, writeMemoryMetrics } from './run-metrics';
import { RunState } from './run-state';
import { runPhase, runUnitStages, runUnits, type RunHost, type Runtime } from './runtime';
import { preallocateStore } from './work-store';
import { currentBoot, markStoreWriting, storeTrusted, syncStore } from './store-durability';
import { storeGroupFrames, type WorkerPlan } from '../../resources/memory-model';
import type { TaskExecutor } from '../tasks/executor';
import { measurePaths, proxySlotWritten, readMeasureRecords, type MeasurePayload, type MeasureRecord } from '../tasks/measure-task';
import { readRegistrationRecords } from '../tasks/register-task';
import { preparePaths, readPrepareRecords, summarizePrepare, type PrepareSummary } from '../tasks/prepare-task';
import { readTileData, readTileJournal, tilePaths, tileSlotOffsets, type TileRecord } from '../tasks/tile-task';
import type { RegistrationResult } from '../registration/cascade';
import { computeGlobalPhase, writeGlobalMetrics } from '../phases/global-phase';
import { finishRegistration, readCheckedRegistration } from '../phases/registration-phase';
import { addPrepareRecord, clusterPhase, computeLocalWeightsPhase, createLocalMetricsTables, writeLocalWeights, writeTileInputs } from '../phases/weights-phase';
import { TileAssembler } from '../phases/assemble-phase';
import { finishRun, usableBackgrounds } from '../phases/finish-phase';
import { unavailableSettings } from '../../config/unavailable';
import { linearitySample, linearityWarning, linearityWarningMessage } from '../linearity';
import { writeSyntheticFrames } from '../phases/synthetic-output';
import { buildMasters } from '../phases/calibration-phase';
import { calibrationEnabled } from '../tasks/calibrate';

export interface RunRequest {
  readonly inputDir: string;
  readonly runDir: string;
  /** YAML text of the configuration (empty = defaults). Ignored on resume (the frozen copy is used). */
  readonly configText: string;
  readonly resume?: boolean;
}

export interface PipelineHost extends Omit<RunHost, 'executor'> {
  /** Creates the executor for units of at most `workingSetMb` (decoded frame); the plan says how many workers. */
  readonly prepareExecutor: (workingSetMb: number, config: TileCompileConfig) => Promise<{ executor: TaskExecutor; plan: WorkerPlan; ramMb: number | null }>;
  /** Periodic callback (the host's timer); returns a stop function. */
  readonly every: (ms: number, fn: () => void) => () => void;
  /** Called once the event log exists, so the caller can listen to the run's events. */
  readonly onEventLog?: (log: EventLog) => void;
}

export type RunStatus = 'ok' | 'validation_failed' | 'failed' | 'cancelled';

export interface RunOutcome {
  readonly runId: string;
  readonly runDir: string;
  readonly status: RunStatus;
  readonly exitCode: 0 | 1 | 3 | 130;
  readonly error?: { code: string; message: string };
  readonly resultPath?: string;
}

const MB = 1024 * 1024;

/** Validates a config text into the plan or throws CONFIG_INVALID with every problem. */
export function configFromText(text: string, source = 'config'): TileCompileConfig {
  const { config, problems } = loadConfig(text, source);
  if (config === null) {
    const errors = problems.filter((p) => p.severity === 'error');
    throw new PipelineError('CONFIG_INVALID', `the configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.message} (line ${e.line})`).join('; ')}`, problems);
  }
  return config;
}

/** Creates a new run directory (P0) and returns its context. Fatal input problems throw. */
async function createRun(fs: FileSystem, req: RunRequest, host: PipelineHost): Promise<{ ctx: RunContext; runId: string }> {
  const config = configFromText(req.configText);
  const paths = runPaths(fs, req.runDir);
  if (await fs.exists(paths.state)) {
    throw new PipelineError('RUN_EXISTS', `${paths.root} already holds a run; resume it (--resume) or choose another output folder`);
  }
  const scan = await scanFolder(fs, req.inputDir, scanOptionsFor(config));
  const fatal = scan.problems.find((p) => p.severity === 'error');
  if (fatal) {
    const code = fatal.code === 'INPUT_NOT_FOUND' || fatal.code === 'NO_FRAMES' || fatal.code === 'INSUFFICIENT_FRAMES' ? fatal.code : 'NO_FRAMES';
    throw new PipelineError(code, fatal.message, scan);
  }
  await fs.mkdirp(paths.root);
  await fs.mkdirp(paths.metrics);
  const frozen = configToYaml(config);
  await fs.writeFileAtomic(paths.config, frozen);
  const hash = configHash(config);
  await fs.writeFileAtomic(paths.configHash, `${hash}\n`);
  const manifest = manifestFromScan(scan, (d, n) => fs.join(d, n));
  await writeJson(fs, paths.manifest, manifest);
  await writeJson(fs, paths.metricsFile('scan.json'), scan);
  const runId = makeRunIdFor(host);
  const state = RunState.create(fs, paths.state, { run_id: runId, config_hash: hash, frames_manifest_id: manifest.frames_manifest_id });
  await state.setPhase('scan', { status: 'ok', outputs: [{ path: 'manifest.json' }] });
  clearRunContextCache();
  clearRunPlanCache();
  return { ctx: await loadRunContext(fs, paths.root), runId };
}

function makeRunIdFor(host: PipelineHost): string {
  const iso = host.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${iso}-${host.randomHex().slice(0, 6)}`;
}

/**
 * P6's units: the reference frame alone (its background cells are every other frame's target),
 * then the other usable frames in runs of consecutive usable ordinals, `size` at most: a run ends
 * where the reference frame interrupts it. Depends on the frame list and the size only.
 */
export function prepareGroups(usable: readonly number[], reference: number, size: number): number[][] {
  const groups: number[][] = [[reference]];
  let run: number[] = [];
  for (const f of usable) {
    if (f === reference || run.length === size) {
      if (run.length > 0) groups.push(run);
      run = [];
    }
    if (f !== reference) run.push(f);
  }
  if (run.length > 0) groups.push(run);
  return groups;
}

/** Resume needs the same inputs (size + mtime) and the same frozen configuration. */
async function openExistingRun(fs: FileSystem, runDir: string): Promise<{ ctx: RunContext; state: RunState }> {
  const paths = runPaths(fs, runDir);
  if (!(await fs.exists(paths.state))) throw new PipelineError('NOT_A_RUN', `${paths.root} is not a run directory (no state.json)`);
  clearRunContextCache();
  clearRunPlanCache();
  const ctx = await loadRunContext(fs, paths.root);
  const state = await RunState.load(fs, paths.state);
  if (state.data.config_hash !== ctx.configHash) {
    throw new PipelineError('RESUME_MISMATCH', `${paths.config} was changed since the run started (config hash differs); start a new run instead`);
  }
  for (const f of ctx.manifest.frames) {
    let st;
    try {
      st = await fs.stat(f.path);
    } catch {
      throw new PipelineError('RESUME_MISMATCH', `${f.path}: the input frame is gone; a resume needs the same inputs`);
    }
    if (st.size !== f.size || Math.round(st.mtimeMs) !== f.mtime) {
      throw new PipelineError('RESUME_MISMATCH', `${f.path}: the input frame changed since the run started (size or modification time); start a new run instead`);
    }
  }
  // half-written files of the killed run: never read (every write renames into place), only litter
  await removeTempFiles(fs, ctx.paths.root);
  if (!ctx.paths.work.startsWith(ctx.paths.root)) await removeTempFiles(fs, ctx.paths.work);
  return { ctx, state };
}

export async function runPipeline(req: RunRequest, host: PipelineHost, signal?: CancelSignal): Promise<RunOutcome> {
  const fs = host.fs;
  let ctx: RunContext;
  let state: RunState;
  if (req.resume) {
    ({ ctx, state } = await openExistingRun(fs, req.runDir));
  } else {
    const created = await createRun(fs, req, host);
    ctx = created.ctx;
    state = await RunState.load(fs, ctx.paths.state);
  }
  const runId = state.data.run_id;
  const events = await EventLog.open(fs, ctx.paths.events, runId, host.now);
  host.onEventLog?.(events);
  const t0 = Date.now();
  const frameBytes = ctx.manifest.width * ctx.manifest.height * ctx.manifest.planes * 4;
  const { executor, plan: workerPlan, ramMb } = await host.prepareExecutor(frameBytes / MB, ctx.config);
  const rt: Runtime = { host: { ...host, executor }, ctx, events, state, signal };
  state.data.status = 'running';
  await state.save();
  events.emit({
    type: 'run_started',
    app_version: APP_VERSION,
    input_dir: ctx.manifest.input_dir,
    frames_found: ctx.manifest.frames.length,
    config_hash: ctx.configHash,
    frames_manifest_id: ctx.manifest.frames_manifest_id,
    profile: ctx.config.assumptions.pipeline_profile,
    resumed: req.resume === true,
    run_dir: ctx.paths.root,
  });
  for (const u of unavailableSettings(ctx.config)) events.emit({ type: 'warning', code: 'UNAVAILABLE', message: `${u.path}: ${u.message}` });
  const stopTicker = host.every(5000, () => {
    void host.memory().then((m) => {
      const s = executor.stats();
      events.emit({ type: 'resources', workers_active: s.workersActive, workers_limit: s.workersLimit, rss_mb: Math.round(m.rssMb + s.workersMaxRssMb), available_mb: m.availableMb === null ? null : Math.round(m.availableMb) });
    });
  });
  try {
    if (!workerPlan.fits) {
      throw new PipelineError('OUT_OF_MEMORY_PLAN', `not even one worker fits: ${workerPlan.reason}. Close other programs, raise runtime.memory_limit_mb, or use smaller frames.`);
    }
    const result = await executePhases(rt, workerPlan, ramMb);
    const status: RunStatus = result.validationPassed ? 'ok' : 'validation_failed';
    await writeMemoryMetrics(rt, workerPlan, ramMb);
    return await finishOutcome(rt, t0, status, undefined, result.emergency);
  } catch (err) {
    await writeMemoryMetrics(rt, workerPlan, ramMb);
    if (err instanceof CancelledError || signal?.aborted) {
      return await finishOutcome(rt, t0, 'cancelled', { code: 'CANCELLED', message: 'the run was cancelled; resume it to continue' }, false);
    }
    const e = err as Error & { code?: string };
    const code = e.code ?? 'INTERNAL';
    events.emit({ type: 'error', code, message: e.message, fatal: true, ...(code === 'INTERNAL' ? { cause: e.stack } : {}) });
    return await finishOutcome(rt, t0, 'failed', { code, message: e.message }, false);
  } finally {
    stopTicker();
    await executor.close();
  }
}

async function finishOutcome(rt: Runtime, t0: number, status: RunStatus, error: { code: string; message: string } | undefined, emergency: boolean): Promise<RunOutcome> {
  const exitCode = status === 'ok' ? 0 : status === 'validation_failed' ? 3 : status === 'cancelled' ? 130 : 1;
  const hasResult = status === 'ok' || status === 'validation_failed';
  if (hasResult && !rt.ctx.config.output.keep_work) {
    await rt.host.fs.rm(rt.ctx.paths.work, { recursive: true });
  }
  rt.state.data.status = status;
  await rt.state.save();
  rt.events.emit({
    type: 'run_finished',
    status,
    emergency,
    seconds: (Date.now() - t0) / 1000,
    exit_code: exitCode,
    result: hasResult ? 'result/stack.fits' : null,
    ...(error ? { error } : {}),
  });
  await rt.events.flush();
  return {
    runId: rt.state.data.run_id,
    runDir: rt.ctx.paths.root,
    status,
    exitCode,
    error,
    resultPath: hasResult ? rt.ctx.paths.file('result', 'stack.fits') : undefined,
  };
}

interface PhasesResult {
  readonly validationPassed: boolean;
  readonly emergency: boolean;
}

async function executePhases(rt: Runtime, workerPlan: WorkerPlan, ramMb: number | null): Promise<PhasesResult> {
  const { ctx, events } = rt;
  const fs = rt.host.fs;
  const m: Manifest = ctx.manifest;
  const frameMb = (m.width * m.height * m.planes * 4) / MB;
  const candidates = m.frames.filter((f) => f.excluded === null).map((f) => f.index);
  for (const f of m.frames) {
    if (f.excluded !== null) events.emit({ type: 'frame_done', phase: 'scan', frame: f.index, file: f.name, status: 'excluded', reason: f.excluded });
  }
  // files the scan could not read have no frame index (they are not in the manifest)
  for (const u of await unreadableFrames(rt)) {
    events.emit({ type: 'warning', code: 'UNREADABLE', phase: 'scan', file: u.file, message: u.message });
  }
  // linearity heuristic (METHOD.md section 2): warns, never stops the run; P2 measures the sampled
  // frames on its own decode of them, and the warnings come with their P2 results
  const linearityFrames = linearitySample(candidates, ctx.config);

  // disk: store + proxies + tiles + outputs, plus 10 % (METHOD.md section 6)
  const needBytes = candidates.length * frameMb * MB * 1.25 + 6 * frameMb * MB;
  const freeBytes = await fs.freeBytes(ctx.paths.root);
  events.emit({
    type: 'plan',
    mode: null,
    n_usable: candidates.length,
    workers: workerPlan.workers,
    memory: { ram_mb: ramMb === null ? null : Math.round(ramMb), budget_mb: Number.isFinite(workerPlan.budgetMb) ? Math.round(workerPlan.budgetMb) : null, per_task_mb: Math.round(workerPlan.perTaskMb), expected_peak_mb: Math.round(workerPlan.expectedPeakMb) },
    disk: { need_mb: Math.round(needBytes / MB), free_mb: Number.isFinite(freeBytes) ? Math.round(freeBytes / MB) : null },
  });
  if (freeBytes < needBytes * 1.1) {
    throw new PipelineError('DISK_SPACE', `not enough free disk space in ${ctx.paths.root}: the run needs about ${Math.round((needBytes * 1.1) / MB)} MB, ${Math.round(freeBytes / MB)} MB are free`);
  }

  await runPhase(rt, 'calibration', { total: 1, unit: 'steps' }, async () => {
    if (!calibrationEnabled(ctx)) return { status: 'skipped' as const, summary: { reason: 'calibration disabled' }, result: null };
    return { summary: await buildMasters(rt), result: null };
  });

  // P2 — pass 1 over every candidate frame
  const boot = await currentBoot(rt);
  // a resume after P4: its inputs (P2's proxies and stars) may be gone (dropRegistrationInputs)
  const registrationWasDone = rt.state.isPhaseDone('registration');
  const measures = new Map<number, MeasureRecord>();
  await runPhase(rt, 'measure', { total: candidates.length, unit: 'frames' }, async () => {
    const recorded = await readMeasureRecords(ctx, true);
    // the workers write their frames' slots in place
    await ensureFile(fs, measurePaths(ctx).slots);
    await runUnits<MeasurePayload, MeasureRecord>(
      rt,
      'measure',
      'measure',
      'frames',
      candidates.map((f) => ({ index: f, payload: { runDir: ctx.paths.root, frame: f, boot, ...(linearityFrames.has(f) ? { linearity: true } : {}) }, sizeMb: frameMb })),
      {
        load: async (f) => {
          const r = recorded.get(f);
          if (!r) throw new Error(`frame ${f}: no measure record`);
          if (!(await measureUnitTrusted(rt, r, boot, registrationWasDone))) throw new Error(`frame ${f}: proxy or stars missing or not known to be complete`);
          return r;
        },
        onResult: (f, r, resumed) => {
          measures.set(f, r);
          const nonLinear = r.linearity ? linearityWarning(r.file, r.linearity, ctx.config.linearity.strictness) : null;
          if (nonLinear) events.emit({ type: 'warning', code: 'NON_LINEAR_INPUT', phase: 'measure', frame: f, file: r.file, message: linearityWarningMessage(nonLinear, ctx.config.linearity.strictness) });
          if (!resumed) {
            const g = r.metrics[0];
            events.emit({
              type: 'frame_done',
              phase: 'measure',
              frame: f,
              file: r.file,
              status: r.status,
              ...(r.reason ? { reason: r.reason } : {}),
              metrics: g ? { B: r.background, sigma: g.sigma, E: g.E, fwhm: r.fwhm, stars: r.stars } : undefined,
            });
            if (r.status === 'excluded') events.emit({ type: 'warning', code: r.reason ?? 'EXCLUDED', message: `${r.file}: no positive sky background; the frame is excluded`, phase: 'measure', frame: f, file: r.file });
          }
        },
      },
    );
    const ok = [...measures.values()].filter((r) => r.status === 'ok').length;
    return { summary: { usable: ok, excluded: candidates.length - ok }, result: null };
  });
  const measured = candidates.map((f) => measures.get(f) as MeasureRecord);
  if (!measured.some((r) => r.status === 'ok')) throw new PipelineError('NO_FRAMES', 'no frame has a positive sky background; are these light frames?');

  // P3 — global weights, reference frame, seeing
  const global = await runPhase(rt, 'global_weights', { total: 1, unit: 'steps' }, async () => {
    const g = computeGlobalPhase(rt, measured);
    await writeGlobalMetrics(rt, g);
    for (const ch of g.channels) {
      if (ch.lowEss) events.emit({ type: 'warning', code: 'LOW_ESS', phase: 'global_weights', message: `the global weights leave an effective ${ch.ess.toFixed(1)} of ${g.frames.length} frames; consider a smaller global_metrics.weight_exponent_scale` });
    }
    return { summary: { reference: m.frames[g.reference].name, seeing_px: g.seeingPx, ess: g.channels[0].ess }, result: g };
  });

  // P4 — registration of every P2-usable frame against the reference
  const regUnits: RegistrationResult[] = [];
  const registration = await runPhase(rt, 'registration', { total: global.frames.length, unit: 'frames' }, async () => {
    // a resume after P4 takes the post-checked results P4 saved: no unit is run or loaded again
    const saved = registrationWasDone ? await readCheckedRegistration(rt) : null;
    const recorded = saved ? new Map<number, RegistrationResult>() : await readRegistrationRecords(ctx, true);
    if (!saved) {
      await runUnits<{ runDir: string; frame: number; reference: number }, RegistrationResult>(
        rt,
        'registration',
        'register',
        'frames',
        global.frames.map((f) => ({ index: f, payload: { runDir: ctx.paths.root, frame: f, reference: global.reference }, sizeMb: frameMb / 4 })),
        {
          load: async (f) => {
            const r = recorded.get(f);
            if (!r) throw new Error(`frame ${f}: no registration record`);
            return r;
          },
          onResult: (_f, r) => void regUnits.push(r),
        },
      );
    }
    const out = await finishRegistration(rt, global.reference, regUnits, saved);
    for (const r of out.results) {
      const M = out.matrices[r.frameIndex];
      events.emit({
        type: 'frame_done',
        phase: 'registration',
        frame: r.frameIndex,
        file: m.frames[r.frameIndex].name,
        status: r.accepted ? (r.method === 'identity' ? 'warning' : 'ok') : 'excluded',
        ...(r.accepted ? {} : { reason: 'REGISTRATION_FAILED' }),
        reg: { method: r.method, ncc: r.ncc, dx: M ? M[2] : null, dy: M ? M[5] : null, rot_deg: r.rotationDeg, scale: r.scale },
      });
      if (!r.accepted) {
        events.emit({ type: 'warning', code: 'REGISTRATION_FAILED', phase: 'registration', frame: r.frameIndex, file: m.frames[r.frameIndex].name, message: `${m.frames[r.frameIndex].name}: could not be registered (${r.rejection?.message ?? r.attempts.map((a) => `${a.method}: ${a.reason}`).join('; ')}); the frame is excluded` });
      } else if (r.method === 'identity') {
        events.emit({ type: 'warning', code: 'REGISTRATION_IDENTITY', phase: 'registration', frame: r.frameIndex, file: m.frames[r.frameIndex].name, message: identityMessage(m.frames[r.frameIndex].name, r.nccHighPassIdentity) });
      }
    }
    if (!out.majorityOk) {
      throw new PipelineError('REGISTRATION_FAILED_MAJORITY', `only ${(out.successShare * 100).toFixed(0)} % of the frames could be registered (registration.min_success_fraction is ${ctx.config.registration.min_success_fraction * 100} %); are these frames of the same field?`);
    }
    return { summary: { accepted: out.accepted.length, rejected: out.results.length - out.accepted.length, canvas: [out.canvas.width, out.canvas.height] }, result: out };
  });

  // mode by usable frames after registration
  const usable = registration.accepted;
  const mode: ModeDecision = decideMode(usable.length, ctx.config);
  if (mode.mode === 'refused') throw new PipelineError('INSUFFICIENT_FRAMES', mode.message ?? `only ${usable.length} usable frames`);
  if (mode.emergency) events.emit({ type: 'warning', code: 'EMERGENCY_MODE', message: `only ${usable.length} usable frames: emergency mode (weights from few frames are noisy)` });

  // nothing reads P4's inputs any more: deleted while the run goes on
  const proxiesDropped = ctx.config.output.keep_work ? Promise.resolve() : dropRegistrationInputs(rt);

  // P5 — tile grid, plan and work store
  const plan = await runPhase(rt, 'tile_grid', { total: 1, unit: 'steps' }, async () => {
    const grid = computeTileGrid(registration.canvas.width, registration.canvas.height, global.seeingPx, ctx.config);
    const gByFrame = new Map(global.frames.map((f, i) => [f, global.G[i]]));
    const strictColour = ctx.config.assumptions.pipeline_profile === 'strict' && ctx.layout.colorMode !== 'MONO' && global.channels.length > 1;
    const p: RunPlan = {
      usable,
      reference: global.reference,
      seeingPx: global.seeingPx,
      canvasWidth: registration.canvas.width,
      canvasHeight: registration.canvas.height,
      matrices: registration.matrices,
      grid,
      mode,
      planes: m.planes,
      G: usable.map((f) => gByFrame.get(f) as number),
      ...(strictColour ? { channelG: global.channels.map((ch) => usable.map((f) => ch.G[global.frames.indexOf(f)])) } : {}),
      storeCuts: storeCutsFor(grid),
    };
    await writeRunPlan(ctx, p);
    await writeJson(fs, ctx.paths.metricsFile('tile_grid.json'), { ...grid, tiles: grid.tiles.length });
    const storeExists = await fs.exists(storePath(ctx));
    const released = !storeExists && (await tilesComplete(rt, p));
    if (!storeExists && !released) {
      // a new (or lost) cell store holds no frame: done bits of P6 and P9 from before cannot stand
      await rt.state.resetUnits('prepare');
      await rt.state.resetUnits('tile_reconstruction');
    } else if (storeExists && !storeTrusted(rt.state.data.store, boot)) {
      // the computer restarted before the store was synced: its frames may be lost (finished tiles
      // stand: they are checked against their checksums when loaded)
      events.emit({ type: 'warning', code: 'STORE_REBUILT', phase: 'tile_grid', message: 'the computer restarted before the work store was fully on disk: the prepare phase is done again (same result)' });
      await rt.state.resetUnits('prepare');
    }
    if (!released) {
      const store = await fs.open(storePath(ctx), storeExists ? 'r+' : 'w+');
      try {
        await preallocateStore(store, storeLayoutOf(p));
      } finally {
        await store.close();
      }
    }
    events.emit({
      type: 'plan',
      mode: mode.mode,
      n_usable: usable.length,
      workers: workerPlan.workers,
      memory: { ram_mb: ramMb === null ? null : Math.round(ramMb), budget_mb: Number.isFinite(workerPlan.budgetMb) ? Math.round(workerPlan.budgetMb) : null, per_task_mb: Math.round(workerPlan.perTaskMb), expected_peak_mb: Math.round(workerPlan.expectedPeakMb) },
      disk: { need_mb: Math.round(needBytes / MB), free_mb: Number.isFinite(freeBytes) ? Math.round(freeBytes / MB) : null },
      tiles: grid.tiles.length,
    });
    return { summary: { tile_size: grid.tileSize, overlap: grid.overlap, tiles: grid.tiles.length, mode: mode.mode }, result: p };
  });

  // P6 — pass 2: the reference frame first (its background cells are every other frame's target)
  const metricTables = createLocalMetricsTables(plan);
  await runPhase(rt, 'prepare', { total: usable.length, unit: 'frames' }, async () => {
    // units of consecutive frames, their canvases written to the store together (memory-model.ts);
    // a unit is known by its first frame, and stands on resume only if every frame has its record
    const groupFrames = storeGroupFrames(frameMb * MB, plan.canvasWidth * plan.canvasHeight * plan.planes * 4);
    const groups = prepareGroups(usable, plan.reference, groupFrames);
    const groupOf = new Map(groups.map((g) => [g[0], g]));
    const unitsOf = (gs: number[][]) =>
      gs.map((g) => ({
        index: g[0],
        payload: { runDir: ctx.paths.root, frames: g.map((f) => ({ frame: f, background: (measures.get(f) as MeasureRecord).background })) },
        sizeMb: frameMb,
        count: g.length,
      }));
    const recorded = await readPrepareRecords(ctx, true);
    const hooks = {
      load: async (first: number): Promise<PrepareSummary[]> => {
        const group = groupOf.get(first);
        if (!group) throw new Error(`no prepare unit starts at frame ${first}`);
        // the reference frame's background cells are every other frame's target (P6.4)
        if (first === plan.reference && ctx.config.normalization.local_background.enabled && !(await fs.exists(preparePaths(ctx).referenceCells))) {
          throw new Error('reference background cells missing');
        }
        return group.map((f) => {
          const r = recorded.get(f);
          if (!r) throw new Error(`frame ${f}: no prepare record`);
          return summarizePrepare(r);
        });
      },
      onResult: (_first: number, summaries: PrepareSummary[], resumed: boolean) => {
        if (resumed) return;
        for (const s of summaries) {
          const f = s.frame;
          events.emit({ type: 'frame_done', phase: 'prepare', frame: f, file: m.frames[f].name, status: 'ok' });
          if (s.localBackgroundSkipped.some(Boolean)) {
            events.emit({ type: 'warning', code: 'LOCAL_BACKGROUND_SKIPPED', phase: 'prepare', frame: f, file: m.frames[f].name, message: `${m.frames[f].name}: too few star-free cells for local background matching; the frame keeps its own sky shape` });
          }
        }
      },
    };
    if (groups.some((g) => !rt.state.isUnitDone('prepare', g[0]))) await markStoreWriting(rt, boot);
    await runUnitStages(rt, 'prepare', 'prepare', 'frames', [unitsOf(groups.slice(0, 1)), unitsOf(groups.slice(1))], hooks);
    const records = await readPrepareRecords(ctx);
    for (const f of usable) {
      const r = records.get(f);
      if (!r) throw new Error(`frame ${f}: its prepare record is missing from work/prepare.jsonl`);
      addPrepareRecord(metricTables, r);
    }
    return { summary: { frames: usable.length }, result: null };
  });

  // P7 — local weights; P8 — clustering (full mode)
  const lw = await runPhase(rt, 'local_weights', { total: 1, unit: 'steps' }, async () => {
    const weights = computeLocalWeightsPhase(rt, plan, metricTables);
    await writeLocalWeights(rt, plan, metricTables.lum, weights);
    for (const w of weights.channels ?? [weights.lw]) {
      for (let i = 0; i < w.W.length; i++) {
        if (!Number.isFinite(w.W[i]) || w.W[i] < 0) throw new PipelineError('NUMERICAL', `local weight W[${Math.floor(i / w.nTiles)}, ${i % w.nTiles}] is ${w.W[i]}; this is a bug`);
      }
    }
    const w = weights.lw;
    const star = w.tileType.filter((t) => t === 'STAR').length;
    return { summary: { star_tiles: star, structure_tiles: w.tileType.length - star, ...(weights.channels ? { channels: weights.channels.length } : {}) }, result: w };
  });
  const clusters = await runPhase(rt, 'clustering', { total: 1, unit: 'clusters' }, async () => {
    if (!mode.clustering || mode.clusterRange === null) return { status: 'skipped' as const, summary: { reason: `${mode.mode} mode` }, result: null };
    const c = clusterPhase(rt, plan, measures, lw, mode.clusterRange);
    return { summary: { K: c.K, mode: c.mode }, result: c };
  });
  // Qc per usable frame: P11's cluster qualities (the P9 units combine each tile's cluster stacks)
  const usableQc = plan.usable.map((f) => global.Qc[global.frames.indexOf(f)]);
  const { ids: clusterIds, weights: clusterWk, slotBlocks } = await writeTileInputs(rt, plan, clusters, usableQc);
  // a kept store goes to the device while P9 reads it from the OS cache (started only now: the
  // master phases' own fsyncs in between would wait behind it with every core idle). One released
  // after P9 is not synced at all: flushing ~2x the input made P9's file operations and the finish's
  // writes wait for the device (~25 % of P9's core time idle on the bench's M set), and a store
  // deleted while in the OS cache never has to reach the disk. The cost: a restart of the computer
  // during P9 redoes P6 on resume (storeTrusted), a kill or crash does not.
  const storeSynced = ctx.config.output.keep_work ? syncStore(rt) : Promise.resolve();

  // P9 — tiles; P10 + P11 assemble them as they come, in the host, while the workers go on (the
  // DOC 5.7.1 tile normalization needs every tile's diagnostics first, so it waits for P9)
  const tileRecords: TileRecord[] = new Array(plan.grid.tiles.length);
  const clusterInfo = clusters && clusterIds.length > 0 ? { ids: clusterIds, labels: Array.from(clusters.labels), weights: clusterWk } : null;
  const streaming = !ctx.config.reconstruction.tile_normalization;
  const assembler = streaming ? new TileAssembler(rt, plan, tileRecords, clusterInfo) : null;
  await runPhase(rt, 'tile_reconstruction', { total: plan.grid.tiles.length, unit: 'tiles' }, async () => {
    const stackMb = (usable.length * plan.grid.tileSize * plan.grid.tileSize * plan.planes * 4) / MB;
    // every unit writes its tile's slot in place
    await ensureFile(fs, tilePaths(ctx).data, tileSlotOffsets(plan.grid.tiles, plan.planes, slotBlocks).totalBytes);
    // the records of the tiles done before a resume (a torn last line ended before new ones follow)
    const journal = await readTileJournal(ctx, true);
    await runUnits<{ runDir: string; tile: number }, TileRecord>(
      rt,
      'tile_reconstruction',
      'tile',
      'tiles',
      plan.grid.tiles.map((t) => ({ index: t.id, payload: { runDir: ctx.paths.root, tile: t.id }, sizeMb: stackMb })),
      {
        // a done tile needs its journal record and its slot's data with the recorded checksum (a
        // tile a power cut tore, or one changed since, is redone instead of failing P10)
        load: async (t) => {
          const rec = await intactTileRecord(rt, journal.get(t));
          if (!rec) throw new Error(`tile ${t}: record missing, or its data differs from it`);
          return rec;
        },
        // a live unit answers with its record (small JSON), the line it appended to the journal
        onResult: (t, rec, resumed) => {
          tileRecords[t] = rec;
          assembler?.offer(t);
          if (!resumed) events.emit({ type: 'tile_done', phase: 'tile_reconstruction', tile: t, n_frames: rec.diagnostics.nValidFrames, fallback_used: rec.diagnostics.fallbackUsed });
        },
      },
    );
    const fallback = tileRecords.filter((r) => r.diagnostics.fallbackUsed).length;
    await writeJson(fs, ctx.paths.metricsFile('tile_reconstruction.json'), { tiles: tileRecords.map((r) => ({ tile: r.tile, sha256: r.sha256, ...r.diagnostics })) });
    return { summary: { tiles: tileRecords.length, fallback_tiles: fallback }, result: null };
  });
  const storeReleased = ctx.config.output.keep_work ? Promise.resolve() : releaseStore(rt);

  // P10 + P11
  const assembled = await runPhase(rt, 'assemble', { total: plan.grid.tiles.length, unit: 'tiles' }, async () => {
    let done = 0;
    const a = await (assembler ?? new TileAssembler(rt, plan, tileRecords, clusterInfo)).finish(() => {
      done++;
      if (done === plan.grid.tiles.length || done % 16 === 0) events.emit({ type: 'progress', phase: 'assemble', done, total: plan.grid.tiles.length, unit: 'tiles' });
    });
    await writeJson(fs, ctx.paths.metricsFile('boundaries.json'), a.boundaries);
    for (const s of a.boundaries.suspects) {
      events.emit({ type: 'warning', code: 'SEAM_SUSPECT', phase: 'assemble', tile: s.a, message: `tiles ${s.a} and ${s.b} disagree along their overlap (mean difference ${s.meanD.toExponential(2)}); check qa/seams.png` });
    }
    return { summary: { seam_pairs: a.boundaries.pairCount, seam_suspects: a.boundaries.suspects.length }, result: a };
  });
  await runPhase(rt, 'final_stack', { total: 1, unit: 'steps' }, async () => ({
    status: assembled.fullStack ? 'ok' : 'skipped',
    summary: assembled.fullStack ? { clusters: clusterIds.length, weights: assembled.clusterWeights } : { reason: `${mode.mode} mode: the tile reconstruction is the result` },
    result: null,
  }));

  // P12 + P13
  const fin = await runPhase(rt, 'finish', { total: 1, unit: 'steps' }, async () => {
    const r = await finishRun(rt, plan, assembled, measures, lw, assembled.boundaries, global.channels[0].ess);
    for (const [kind, rel] of [
      ['stack', 'result/stack.fits'],
      ['preview', 'result/preview.png'],
    ] as const) {
      if (await fs.exists(ctx.paths.file(rel))) events.emit({ type: 'artifact', kind, path: rel, mime: rel.endsWith('.png') ? 'image/png' : 'application/fits' });
    }
    if (ctx.config.output.write_synthetic && clusterInfo) {
      const sizes = clusterIds.map((id) => clusterInfo.labels.filter((l) => l === id).length);
      const paths = await writeSyntheticFrames(rt, plan, clusterIds, sizes, usableBackgrounds(ctx.layout.colorMode, plan, measures), assembled.coverage, tileRecords);
      for (const rel of paths) events.emit({ type: 'artifact', kind: 'synthetic', path: rel, mime: 'application/fits' });
    }
    return { summary: { valid_pixels: r.finished.validPixels, fwhm_result: r.fwhmResult, fwhm_mean: r.fwhmMean }, result: r };
  });
  await runPhase(rt, 'validation', { total: 1, unit: 'steps' }, async () => {
    for (const name of fin.validation.failed) {
      events.emit({ type: 'warning', code: `VALIDATION_${name.toUpperCase()}`, phase: 'validation', message: `validation check '${name}' failed; the result is complete but flagged` });
    }
    return { summary: { pass: fin.validation.pass, failed: fin.validation.failed, noise_ratio: fin.validation.backgroundNoise.ratio }, result: null };
  });

  await writeFramesTable(rt, global, measured, registration.results, plan);
  // no run_id here: metrics/* must be byte-identical for the same inputs and config (METHOD.md
  // acceptance 9); the run's name lives in state.json and events.jsonl
  await writeJson(fs, ctx.paths.metricsFile('summary.json'), {
    mode: mode.mode,
    emergency: mode.emergency,
    n_frames: m.frames.length,
    n_usable: usable.length,
    reference: m.frames[plan.reference].name,
    seeing_px: plan.seeingPx,
    tile_size: plan.grid.tileSize,
    fwhm_result: fin.fwhmResult,
    fwhm_mean_stack: fin.fwhmMean,
    noise_ratio_vs_mean: fin.validation.backgroundNoise.ratio,
    validation_passed: fin.validation.pass,
  });
  await storeReleased;
  await storeSynced;
  await proxiesDropped;
  return { validationPassed: fin.validation.pass, emergency: mode.emergency };
}

/** The tile's journal record when there is one and its data has the recorded checksum; else null. */
async function intactTileRecord(rt: Runtime, rec: TileRecord | undefined): Promise<TileRecord | null> {
  if (!rec) return null;
  try {
    await readTileData(rt.ctx, rec);
    return rec;
  } catch {
    return null;
  }
}

/**
 * Every tile of P9 is done and intact: the cell store is needed by nothing any more (P10 onwards
 * read work/tiles.f32), so a missing store was released on purpose (releaseStore).
 */
async function tilesComplete(rt: Runtime, plan: RunPlan): Promise<boolean> {
  const n = plan.grid.tiles.length;
  if (rt.state.data.unit_counts.tile_reconstruction !== n || rt.state.doneUnits('tile_reconstruction') !== n) return false;
  const journal = await readTileJournal(rt.ctx);
  for (const t of plan.grid.tiles) if (!(await intactTileRecord(rt, journal.get(t.id)))) return false;
  return true;
}

/**
 * Deletes the cell store (the bulk of work/, ~1.8x the input as float32) as soon as P9 is done,
 * while P10-P13 run, instead of at the end of the run: the delete of a multi-GB file takes seconds
 * on some file systems (ext4 with online discard: ~1 s per GB). A resume after this point finds the
 * tiles complete (tilesComplete) and does not rebuild the store. Never fails the run: whatever
 * stays is removed with work/ at the end.
 */
function releaseStore(rt: Runtime): Promise<void> {
  return rt.host.fs.rm(storePath(rt.ctx)).catch(() => undefined);
}

/**
 * Whether a done P2 unit can stand on resume (measure-task.ts writes its outputs without fsync).
 * Its record parsed (a line torn by a restart does not); while P4 is not done, the frame's slot of
 * work/proxies.f32 (proxy and stars) must also be there and, since a restart can leave unsynced
 * data zeroed, written under this very boot.
 */
async function measureUnitTrusted(rt: Runtime, r: MeasureRecord, bootNow: string | null, registrationDone: boolean): Promise<boolean> {
  if (r.status !== 'ok' || registrationDone) return true;
  if (r.boot !== undefined && (r.boot === null || r.boot !== bootNow)) return false;
  const file = await rt.host.fs.stat(measurePaths(rt.ctx).slots).catch(() => null);
  return file !== null && proxySlotWritten(rt.ctx, r, file.size);
}

/**
 * Deletes P2's proxies and star lists (work/proxies.f32) once P4 is done (a quarter of each
 * frame's pixels, as float32), while the run goes on: nothing after P4 reads them
 * (measureUnitTrusted no longer asks for them), and those deleted before the OS writes them back
 * (Linux: after ~30 s) never reach the disk. Never fails the run: whatever stays is removed with work/ at the end.
 */
function dropRegistrationInputs(rt: Runtime): Promise<void> {
  return rt.host.fs.rm(measurePaths(rt.ctx).slots).catch(() => undefined);
}

/**
 * metrics/frames.json: one row per input frame, usable or excluded with its closed-list code
 * (METHOD.md 1.2). Files the scan could not read come last, without an index, as UNREADABLE.
 */
async function writeFramesTable(
  rt: Runtime,
  global: ReturnType<typeof computeGlobalPhase>,
  measured: readonly MeasureRecord[],
  reg: readonly RegistrationResult[],
  plan: RunPlan,
): Promise<void> {
  const m = rt.ctx.manifest;
  const byFrame = new Map(measured.map((r) => [r.frame, r]));
  const regByFrame = new Map(reg.map((r) => [r.frameIndex, r]));
  const rows = m.frames.map((f) => {
    const rec = byFrame.get(f.index);
    const gi = global.frames.indexOf(f.index);
    const r = regByFrame.get(f.index);
    const usable = plan.usable.includes(f.index);
    // an accepted transform that is a mirror (det < 0) is dropped in P4 as well: REGISTRATION_FAILED
    const excluded = f.excluded ?? (rec?.status === 'excluded' ? rec.reason : !usable ? 'REGISTRATION_FAILED' : null);
    return {
      index: f.index,
      file: f.name,
      date_obs: f.date_obs,
      usable,
      excluded,
      background: rec?.background ?? null,
      sigma: rec?.metrics[0]?.sigma ?? null,
      E: rec?.metrics[0]?.E ?? null,
      fwhm: rec?.fwhm ?? null,
      roundness: rec?.roundness ?? null,
      stars: rec?.stars ?? null,
      Q: gi >= 0 ? global.channels[0].Q[gi] : null,
      G: gi >= 0 ? global.G[gi] : null,
      registration: r ? { method: r.method, accepted: r.accepted, ncc: r.ncc, matrix: plan.matrices[f.index] ?? null } : null,
    };
  });
  const unreadable = (await unreadableFrames(rt)).map((u) => ({ index: null, file: u.file, usable: false, excluded: 'UNREADABLE', detail: u.detail }));
  await writeJson(rt.host.fs, rt.ctx.paths.metricsFile('frames.json'), { reference: m.frames[plan.reference].name, frames: [...rows, ...unreadable] });
}

/**
 * The warning of a frame registered as identity. Identity is kept only when no fit correlates
 * better with the reference and the unshifted frame's stars correlate with the reference's
 * (reject_cc_highpass_min), i.e. they already overlap: typically an undithered frame whose
 * sub-pixel star fit lost the NCC comparison to the unresampled frame.
 */
export function identityMessage(file: string, nccHighPassIdentity: number): string {
  return `${file}: no fit lined it up better than leaving it unshifted (high-passed NCC ${nccHighPassIdentity.toFixed(3)} with the reference); stacked unshifted: its stars already overlap the reference's, to within about their width`;
}
