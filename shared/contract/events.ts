import {
  arr,
  bool,
  json,
  literal,
  nullable,
  num,
  obj,
  oneOf,
  opt,
  str,
  tagged,
  validate,
  type Infer,
  type Issue,
  type Schema,
} from './schema';

/**
 * The run event schema of METHOD.md section 5, exactly: every line of `events.jsonl` and every event
 * streamed to the UI. Objects are lenient (extra fields are dropped, not refused) because the UI
 * must fold files written by newer engines; unknown `type`s are skipped by `parseEventLine`.
 */

/** Phase names in pipeline order (METHOD.md section 3); they are the event `phase` values. */
export const PHASES = [
  'scan',
  'calibration',
  'measure',
  'global_weights',
  'registration',
  'tile_grid',
  'prepare',
  'local_weights',
  'clustering',
  'tile_reconstruction',
  'assemble',
  'final_stack',
  'finish',
  'validation',
  'bge',
  'astrometry',
  'pcc',
] as const;
export type PhaseName = (typeof PHASES)[number];

export const PROGRESS_UNITS = ['frames', 'tiles', 'clusters', 'bands', 'steps'] as const;
export const RUN_STATUSES = ['ok', 'validation_failed', 'failed', 'cancelled'] as const;
export type RunFinalStatus = (typeof RUN_STATUSES)[number];

const lenient = { strict: false } as const;
const count = () => num({ min: 0, integer: true });
const metric = () => opt(nullable(num()));

/**
 * A per-frame metric that the engine may report per colour (`B: [R, G, B]` for OSC/RGB frames).
 * The UI charts one line per metric, so a list folds to the mean of its finite entries (null if none).
 */
function channelMetric(): Schema<number | null | undefined> & { optional: true } {
  const inner = num();
  return {
    describe: 'a number, a list of numbers per colour, or null (optional)',
    optional: true,
    parse(v, at, ctx) {
      if (v === undefined || v === null) return v;
      if (!Array.isArray(v)) return inner.parse(v, at, ctx);
      let sum = 0;
      let n = 0;
      v.forEach((x, i) => {
        if (x === null) return;
        const value = inner.parse(x, `${at}[${i}]`, ctx);
        sum += value;
        n++;
      });
      return n > 0 ? sum / n : null;
    },
  };
}

const common = {
  v: literal(1),
  seq: num({ min: 1, integer: true }),
  ts: str({ maxLength: 64 }),
  run_id: str({ maxLength: 200 }),
};

const problemFields = {
  code: str({ maxLength: 100 }),
  message: str(),
  phase: opt(str({ maxLength: 100 })),
  frame: opt(count()),
  file: opt(str({ maxLength: 4096 })),
  tile: opt(count()),
};

export const eventSchemas = {
  run_started: obj(
    {
      ...common,
      type: literal('run_started'),
      app_version: str({ maxLength: 100 }),
      input_dir: str({ maxLength: 4096 }),
      frames_found: count(),
      config_hash: str({ maxLength: 200 }),
      frames_manifest_id: str({ maxLength: 200 }),
      profile: str({ maxLength: 100 }),
    },
    lenient,
  ),
  plan: obj(
    {
      ...common,
      type: literal('plan'),
      /** null in the first plan (after P0): the mode is decided after registration (METHOD.md 1). */
      mode: nullable(oneOf(['full', 'reduced', 'emergency', 'refused'] as const)),
      n_usable: count(),
      workers: count(),
      // null where the host cannot read the number (no memory reading, unknown free disk space)
      // expected_peak_mb: the plan's M(workers), the whole process tree (METHOD.md section 6)
      memory: obj({ ram_mb: nullable(num({ min: 0 })), budget_mb: nullable(num({ min: 0 })), per_task_mb: num({ min: 0 }), expected_peak_mb: opt(num({ min: 0 })) }, lenient),
      disk: obj({ need_mb: num({ min: 0 }), free_mb: nullable(num({ min: 0 })) }, lenient),
      tiles: opt(nullable(count())),
    },
    lenient,
  ),
  phase_started: obj(
    { ...common, type: literal('phase_started'), phase: str({ maxLength: 100 }), total: count(), unit: str({ maxLength: 40 }) },
    lenient,
  ),
  phase_finished: obj(
    {
      ...common,
      type: literal('phase_finished'),
      phase: str({ maxLength: 100 }),
      status: oneOf(['ok', 'skipped', 'failed'] as const),
      seconds: num({ min: 0 }),
      summary: opt(json()),
    },
    lenient,
  ),
  progress: obj(
    {
      ...common,
      type: literal('progress'),
      phase: str({ maxLength: 100 }),
      done: count(),
      total: count(),
      unit: str({ maxLength: 40 }),
      eta_s: opt(nullable(num({ min: 0 }))),
    },
    lenient,
  ),
  frame_done: obj(
    {
      ...common,
      type: literal('frame_done'),
      phase: str({ maxLength: 100 }),
      frame: count(),
      file: str({ maxLength: 4096 }),
      status: oneOf(['ok', 'excluded', 'warning'] as const),
      reason: opt(str({ maxLength: 1000 })),
      metrics: opt(
        obj({ B: channelMetric(), sigma: channelMetric(), E: channelMetric(), fwhm: metric(), stars: metric(), Q: metric(), G: metric() }, lenient),
      ),
      reg: opt(
        obj(
          {
            method: str({ maxLength: 100 }),
            ncc: metric(),
            dx: metric(),
            dy: metric(),
            rot_deg: metric(),
            scale: metric(),
          },
          lenient,
        ),
      ),
    },
    lenient,
  ),
  tile_done: obj(
    {
      ...common,
      type: literal('tile_done'),
      phase: str({ maxLength: 100 }),
      tile: count(),
      n_frames: count(),
      fallback_used: bool(),
      worker: opt(nullable(num())),
    },
    lenient,
  ),
  warning: obj({ ...common, type: literal('warning'), ...problemFields }, lenient),
  error: obj({ ...common, type: literal('error'), ...problemFields, fatal: bool(), cause: opt(json()) }, lenient),
  artifact: obj(
    {
      ...common,
      type: literal('artifact'),
      kind: str({ maxLength: 100 }),
      path: str({ maxLength: 4096 }),
      mime: str({ maxLength: 100 }),
      /** For QA maps: the values at the two ends of the colour ramp (dark = min, yellow = max). */
      min: opt(nullable(num())),
      max: opt(nullable(num())),
    },
    lenient,
  ),
  resources: obj(
    {
      ...common,
      type: literal('resources'),
      workers_active: count(),
      workers_limit: count(),
      rss_mb: num({ min: 0 }),
      available_mb: nullable(num({ min: 0 })),
    },
    lenient,
  ),
  run_finished: obj(
    {
      ...common,
      type: literal('run_finished'),
      status: oneOf(RUN_STATUSES),
      emergency: bool(),
      seconds: num({ min: 0 }),
      exit_code: num({ integer: true }),
      result: opt(json()),
    },
    lenient,
  ),
};

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];
export type RunEventOf<T extends EventType> = Infer<(typeof eventSchemas)[T]>;
export type RunEvent = { [T in EventType]: RunEventOf<T> }[EventType];

export const runEventSchema = tagged('type', eventSchemas);

export function isKnownEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(eventSchemas, type);
}

export type ParsedEvent =
  | { readonly kind: 'event'; readonly event: RunEvent }
  | { readonly kind: 'unknown'; readonly type: string }
  | { readonly kind: 'invalid'; readonly issues: readonly Issue[] };

/** Validates one decoded event; unknown types are reported as such (the fold ignores them). */
export function parseEvent(value: unknown): ParsedEvent {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && !isKnownEventType(type)) return { kind: 'unknown', type };
  const r = validate(runEventSchema, value, 'event');
  return r.ok ? { kind: 'event', event: r.value } : { kind: 'invalid', issues: r.issues };
}

export interface EventLog {
  readonly events: RunEvent[];
  /** Lines that were not JSON or broke the schema (1-based line numbers). A torn last line is normal. */
  readonly invalidLines: number[];
  readonly unknownTypes: number;
}

/** Parses the text of an events.jsonl file. A half-written last line (run still going) is skipped. */
export function parseEventLog(text: string): EventLog {
  const events: RunEvent[] = [];
  const invalidLines: number[] = [];
  let unknownTypes = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length === 0) continue;
    let decoded: unknown;
    try {
      decoded = JSON.parse(line);
    } catch {
      invalidLines.push(i + 1);
      continue;
    }
    const parsed = parseEvent(decoded);
    if (parsed.kind === 'event') events.push(parsed.event);
    else if (parsed.kind === 'unknown') unknownTypes++;
    else invalidLines.push(i + 1);
  }
  return { events, invalidLines, unknownTypes };
}

export const runEventListSchema = arr(runEventSchema, { maxItems: 5_000_000 });
