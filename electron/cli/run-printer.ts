import type { RunEvent } from '../../shared/pipeline/run/event-log';
import type { CliIO } from './command';

/**
 * Turns a run's events into terminal lines: one line per phase start/end, progress every ~10 %,
 * every warning and error, and a closing summary. Plain text (no cursor tricks), so logs and CI
 * output stay readable.
 */
export function createRunPrinter(io: CliIO, opts: { verbose?: boolean } = {}): (e: RunEvent) => void {
  const lastDecile = new Map<string, number>();
  return (e) => {
    switch (e.type) {
      case 'run_started':
        io.stdout(`Tile Compile ${String(e.app_version)} — ${e.resumed ? 'resuming' : 'run'} ${e.run_id} (${String(e.frames_found)} frames in ${String(e.input_dir)})\n`);
        break;
      case 'plan':
        if (e.mode !== null && e.mode !== undefined) {
          io.stdout(`Plan: ${String(e.mode)} mode, ${String(e.n_usable)} usable frames, ${String(e.tiles)} tiles, ${String(e.workers)} worker(s)\n`);
        } else {
          const mem = e.memory as { per_task_mb?: number; budget_mb?: number | null; expected_peak_mb?: number } | undefined;
          const disk = e.disk as { need_mb?: number; free_mb?: number | null } | undefined;
          const peak = mem?.expected_peak_mb !== undefined ? `memory ~${String(mem.expected_peak_mb)} MB at peak` : 'memory';
          io.stdout(`Resources: ${String(e.workers)} worker(s), ${peak} (~${String(mem?.per_task_mb)} MB per task) of ${String(mem?.budget_mb ?? '?')} MB budget; scratch ~${String(disk?.need_mb)} MB of ${String(disk?.free_mb ?? '?')} MB free\n`);
        }
        break;
      case 'phase_started':
        lastDecile.set(String(e.phase), -1);
        io.stdout(`▶ ${String(e.phase)}${Number(e.total) > 1 ? ` (${String(e.total)} ${String(e.unit)})` : ''}\n`);
        break;
      case 'progress': {
        const total = Number(e.total);
        const done = Number(e.done);
        const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
        const key = String(e.phase);
        if (total > 1 && decile > (lastDecile.get(key) ?? -1) && done > 0) {
          lastDecile.set(key, decile);
          io.stdout(`  ${key}: ${done}/${total} ${String(e.unit)}${e.eta_s !== undefined ? `, about ${String(e.eta_s)} s left` : ''}\n`);
        }
        break;
      }
      case 'frame_done':
        if (opts.verbose || e.status === 'excluded') io.stdout(`  frame ${String(e.file)}: ${String(e.status)}${e.reason ? ` (${String(e.reason)})` : ''}\n`);
        break;
      case 'phase_finished':
        io.stdout(`${e.status === 'failed' ? '✗' : e.status === 'skipped' ? '–' : '✓'} ${String(e.phase)} ${e.status === 'skipped' ? 'skipped' : `${Number(e.seconds).toFixed(1)} s`}\n`);
        break;
      case 'warning':
        io.stderr(`warning [${String(e.code)}] ${String(e.message)}\n`);
        break;
      case 'error':
        io.stderr(`error [${String(e.code)}] ${String(e.message)}\n`);
        break;
      case 'run_finished':
        io.stdout(`Run ${String(e.status)} in ${Number(e.seconds).toFixed(1)} s${e.result ? ` — result: ${String(e.result)}` : ''}\n`);
        break;
    }
  };
}
