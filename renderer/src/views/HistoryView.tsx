import { useEffect } from 'react';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { statusKey } from '../components/StatusPill';
import { formatDate, formatDuration } from '../lib/format';

export function HistoryView() {
  const t = useT();
  const history = useApp((s) => s.history);
  const loading = useApp((s) => s.historyLoading);
  const { loadHistory, openRun } = appStore().getState();
  useEffect(() => {
    void loadHistory();
  }, [loadHistory]);

  return (
    <div className="view history-view">
      <div className="toolbar">
        <h2>{t('history.title')}</h2>
        <button onClick={() => void loadHistory()}>{t('history.refresh')}</button>
        {loading ? <span className="muted">{t('common.loading')}</span> : null}
      </div>
      {history.length === 0 && !loading ? <p className="muted big-status">{t('history.empty')}</p> : null}
      <table className="history-table" data-testid="history-table">
        <thead>
          <tr>
            <th>{t('history.status')}</th>
            <th>{t('history.date')}</th>
            <th title={t('history.framesHint')}>{t('history.frames')}</th>
            <th>{t('history.duration')}</th>
            <th>{t('history.input')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((r) => (
            <tr key={r.runDir} data-run={r.runId}>
              <td>
                <span className={`status-pill status-${r.status}`}>{t(statusKey(r.status))}</span>
              </td>
              <td>{formatDate(r.startedAt)}</td>
              <td>
                {r.usableFrames ?? '–'} / {r.frames ?? '–'}
              </td>
              <td>{formatDuration(r.seconds)}</td>
              <td className="mono small">{r.inputDir ?? '–'}</td>
              <td>
                <button className="primary" onClick={() => void openRun(r.runDir)} data-testid="open-run">
                  {t('common.open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
