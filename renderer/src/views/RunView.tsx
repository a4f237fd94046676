import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { etaSeconds, overallProgress, phaseList, type Problem } from '../store/run-fold';
import { ProgressGrid } from '../components/ProgressGrid';
import { statusKey } from '../components/StatusPill';
import { formatBytes, formatDuration, formatNumber } from '../lib/format';
import type { MessageKey } from '../i18n';

export function RunView() {
  const t = useT();
  const run = useApp((s) => s.run);
  const runDir = useApp((s) => s.runDir);
  const busy = useApp((s) => s.runBusy);
  const canRun = useApp((s) => s.appInfo?.canRun ?? false);
  const { cancelRun, resumeRun, setView } = appStore().getState();

  if (run.status === 'idle' && runDir === null) return <div className="view empty-view big-status">{t('run.noRun')}</div>;

  const fraction = overallProgress(run);
  const eta = etaSeconds(run);
  const elapsed = run.finished?.seconds ?? (run.startedTs && run.lastTs ? (Date.parse(run.lastTs) - Date.parse(run.startedTs)) / 1000 : null);
  const resumable = run.status === 'failed' || run.status === 'cancelled' || (run.status === 'running' && !canRun);
  const emergency = run.finished?.emergency === true || run.plan?.mode === 'emergency';
  const hintKey: MessageKey | null =
    run.status === 'validation_failed'
      ? 'run.hint.validation_failed'
      : run.status === 'cancelled'
        ? 'run.hint.cancelled'
        : run.status === 'failed'
          ? 'run.hint.failed'
          : run.status === 'ok' && emergency
            ? 'run.hint.emergency'
            : null;
  const groups = groupProblems(run.problems);
  const phaseName = (p: string) => {
    const k = `phase.${p}` as MessageKey;
    const s = t(k);
    return s === k ? p : s;
  };

  return (
    <div className="view run-view">
      <section className={`card run-head status-${run.status}`}>
        <div className="run-title">
          <span className="big-status" data-testid="run-status">
            {t(statusKey(run.status))}
          </span>
          <span className="mono small muted">{runDir}</span>
        </div>
        <div className="overall">
          <div className="bar" role="progressbar" aria-valuenow={Math.round(fraction * 100)} aria-valuemin={0} aria-valuemax={100}>
            <div className="fill" style={{ width: `${fraction * 100}%` }} />
          </div>
          <span className="big-number" data-testid="overall-percent">
            {Math.floor(fraction * 100)} %
          </span>
        </div>
        <div className="run-meta">
          {run.currentPhase ? <b>{phaseName(run.currentPhase)}</b> : null}
          {eta !== null ? <span>{t('run.eta', { time: formatDuration(eta) })}</span> : null}
          {elapsed !== null ? <span>{run.finished ? t('run.finishedIn', { time: formatDuration(elapsed) }) : t('run.elapsed', { time: formatDuration(elapsed) })}</span> : null}
          {run.plan ? (
            <span>
              {t('run.plan', {
                mode: run.plan.mode === null ? t('run.modePending') : t(`input.mode.${run.plan.mode}` as const),
                n: run.plan.n_usable,
                workers: run.plan.workers,
              })}
              {run.plan.memory.expected_peak_mb !== undefined ? t('run.planPeak', { ram: formatBytes(run.plan.memory.expected_peak_mb * 2 ** 20) }) : null}
            </span>
          ) : null}
        </div>
        {hintKey ? (
          <p className="run-hint" data-testid="run-hint">
            {t(hintKey)}
          </p>
        ) : null}
        <div className="actions">
          {run.status === 'running' && canRun ? (
            <button className="danger big" onClick={() => void cancelRun()} data-testid="cancel-run">
              {t('run.cancel')}
            </button>
          ) : null}
          {resumable && canRun ? (
            <button className="primary big" disabled={busy} onClick={() => void resumeRun()} data-testid="resume-run">
              {t('run.resume')}
            </button>
          ) : null}
          {run.status === 'ok' || run.status === 'validation_failed' ? (
            <>
              <button className="primary big" onClick={() => setView('result')} data-testid="see-result">
                {t('run.seeResult')}
              </button>
              <button className="big" onClick={() => setView('quality')}>
                {t('run.seeQuality')}
              </button>
            </>
          ) : null}
          {run.status === 'failed' ? (
            <button className="big" onClick={() => setView('logs')}>
              {t('run.openLog')}
            </button>
          ) : null}
        </div>
      </section>

      <div className="run-grid">
        <section className="card">
          <h2>{t('run.phases')}</h2>
          <ol className="timeline" data-testid="phase-timeline">
            {phaseList(run).map((p) => (
              <li key={p.name} className={`phase phase-${p.status}`} data-phase={p.name} data-status={p.status}>
                <span className="dot" />
                <span className="phase-name">{phaseName(p.name)}</span>
                <span className="phase-count small">
                  {p.status === 'running' && p.total > 0 ? `${p.done}/${p.total} ${p.unit}` : p.seconds !== null ? formatDuration(p.seconds) : ''}
                </span>
              </li>
            ))}
          </ol>
        </section>

        <section className="card">
          <h2>{t('run.frames')}</h2>
          <ProgressGrid />
          <div className="gauges">
            {run.tilesTotal > 0 ? <span>{t('run.tiles', { done: run.tilesDone, total: run.tilesTotal })}</span> : null}
            {run.tileFallbacks > 0 ? <span className="warn-text">{t('run.fallbacks', { n: run.tileFallbacks })}</span> : null}
            {run.resources ? (
              <>
                <Gauge
                  label={t('run.workers', { active: run.resources.workers_active, limit: run.resources.workers_limit })}
                  value={run.resources.workers_limit > 0 ? run.resources.workers_active / run.resources.workers_limit : 0}
                />
                <Gauge
                  label={t('run.memory', { rss: `${formatNumber(run.resources.rss_mb, 4)} MB`, avail: `${formatNumber(run.resources.available_mb, 4)} MB` })}
                  value={run.resources.rss_mb / Math.max(1, run.resources.rss_mb + (run.resources.available_mb ?? 0))}
                />
              </>
            ) : null}
          </div>
        </section>
      </div>

      {groups.length > 0 ? (
        <section className="card">
          <h2>{t('run.problems')}</h2>
          <ul className="problem-list" data-testid="run-problems">
            {groups.map(({ first: p, count }) => (
              <li key={p.code} className={`problem ${p.level}`} data-code={p.code}>
                <span className="sev">{p.level === 'error' ? '✖' : '⚠'}</span>
                <span>
                  <b>{p.code}</b> {count > 1 ? <span className="muted">{t('run.problemCount', { n: count })} </span> : null}
                  {p.file ? <span className="mono">{p.file}: </span> : null}
                  {p.message}
                  {count > 1 ? <span className="muted"> {t('run.problemMore', { n: count - 1 })}</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** One line per problem code (errors first), so thirty seam warnings do not bury the one error. */
function groupProblems(problems: readonly Problem[]): Array<{ first: Problem; count: number }> {
  const byCode = new Map<string, { first: Problem; count: number }>();
  for (const p of problems) {
    const g = byCode.get(p.code);
    if (g) g.count++;
    else byCode.set(p.code, { first: p, count: 1 });
  }
  return [...byCode.values()].sort((a, b) => Number(b.first.level === 'error') - Number(a.first.level === 'error'));
}

function Gauge({ label, value }: { label: string; value: number }) {
  return (
    <div className="gauge">
      <div className="bar small">
        <div className="fill" style={{ width: `${Math.min(1, Math.max(0, value)) * 100}%` }} />
      </div>
      <span className="small">{label}</span>
    </div>
  );
}
