import { useEffect } from 'react';
import { LANGS, type Lang } from './i18n';
import { useApp, type View } from './store';
import { useT } from './hooks';
import { statusKey } from './components/StatusPill';
import { StatusPill } from './components/StatusPill';
import { InputView } from './views/InputView';
import { ConfigView } from './views/ConfigView';
import { RunView } from './views/RunView';
import { QualityView } from './views/QualityView';
import { ResultView } from './views/ResultView';
import { LogsView } from './views/LogsView';
import { HistoryView } from './views/HistoryView';

const VIEWS: readonly View[] = ['input', 'config', 'run', 'quality', 'result', 'logs', 'history'];

export function App({ connected }: { connected: boolean }) {
  const t = useT();
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  const lang = useApp((s) => s.lang);
  const setLang = useApp((s) => s.setLang);
  const notice = useApp((s) => s.notice);
  const clearNotice = useApp((s) => s.clearNotice);
  const errorCount = useApp((s) => s.lint.errorCount);
  const host = useApp((s) => s.appInfo?.host);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.lang = lang;
  }, [theme, lang]);

  return (
    <div className="app">
      {/* Night mode maps every image to luminance in pure red (no yellow or white highlights), dimmed. */}
      <svg width="0" height="0" aria-hidden="true" style={{ position: 'absolute' }}>
        <filter id="night-red" colorInterpolationFilters="sRGB">
          <feColorMatrix type="matrix" values="0.2 0.4 0.08 0 0  0 0 0 0 0  0 0 0 0 0  0 0 0 1 0" />
        </filter>
      </svg>
      <header className="topbar">
        <div className="brand">{t('app.title')}</div>
        <nav className="tabs" aria-label="views">
          {VIEWS.map((v) => (
            <button key={v} className={v === view ? 'tab active' : 'tab'} onClick={() => setView(v)} data-view={v} aria-current={v === view}>
              {t(`nav.${v}` as const)}
              {v === 'config' && errorCount > 0 ? <span className="badge error">{errorCount}</span> : null}
            </button>
          ))}
        </nav>
        <div className="topbar-right">
          <StatusPill />
          {host === 'browser' ? <span className="muted small">{t('host.browser')}</span> : null}
          <label className="toggle" title={t('theme.nightHint')}>
            <input type="checkbox" checked={theme === 'night'} onChange={(e) => setTheme(e.target.checked ? 'night' : 'dark')} data-testid="night-toggle" />
            {t('theme.night')}
          </label>
          <select aria-label={t('lang.label')} value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang-select">
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {l === 'en' ? 'English' : 'Deutsch'}
              </option>
            ))}
          </select>
        </div>
      </header>
      {!connected ? <div className="notice error">{t('host.noHost')}</div> : null}
      {notice ? (
        <div className={`notice ${notice.level}`} role="alert">
          <span>{notice.text}</span>
          <button className="link" onClick={clearNotice}>
            {t('common.close')}
          </button>
        </div>
      ) : null}
      <main className="content" data-testid={`view-${view}`}>
        {view === 'input' && <InputView />}
        {view === 'config' && <ConfigView />}
        {view === 'run' && <RunView />}
        {view === 'quality' && <QualityView />}
        {view === 'result' && <ResultView />}
        {view === 'logs' && <LogsView />}
        {view === 'history' && <HistoryView />}
      </main>
    </div>
  );
}

export { statusKey };
