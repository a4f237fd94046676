import type { MessageKey } from '../i18n';
import { useT } from '../hooks';
import { useApp } from '../store';
import { overallProgress } from '../store/run-fold';

export function statusKey(status: string): MessageKey {
  return `status.${status}` as MessageKey;
}

/** The run's state in big plain words, visible from every view. */
export function StatusPill() {
  const t = useT();
  const status = useApp((s) => s.run.status);
  const fraction = useApp((s) => overallProgress(s.run));
  const setView = useApp((s) => s.setView);
  if (status === 'idle') return null;
  return (
    <button className={`status-pill status-${status}`} onClick={() => setView('run')} data-testid="status-pill">
      {t(statusKey(status))}
      {status === 'running' ? ` ${Math.floor(fraction * 100)} %` : ''}
    </button>
  );
}
