import { useEffect, useState, type DragEvent } from 'react';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { estimateRun } from '../lib/estimate';
import { formatBytes, formatDuration } from '../lib/format';
import { FolderBrowser } from '../components/FolderBrowser';
import { ScanTable } from '../components/ScanTable';
import { CalibrationFolders } from '../components/CalibrationFolders';

export function InputView() {
  const t = useT();
  const scan = useApp((s) => s.scan);
  const scanning = useApp((s) => s.scanning);
  const demoBusy = useApp((s) => s.demoBusy);
  const appInfo = useApp((s) => s.appInfo);
  const browserOpen = useApp((s) => s.folderBrowserOpen);
  const inputDir = useApp((s) => s.inputDir);
  const configErrors = useApp((s) => s.lint.errorCount);
  const stale = useApp((s) => s.scan !== null && s.scanConfigText !== s.configText);
  const runBusy = useApp((s) => s.runBusy);
  const running = useApp((s) => s.run.status === 'running');
  const { chooseFolder, createDemoData, scanFolder, setFolderBrowserOpen, startRun, setView } = appStore().getState();
  const [dragging, setDragging] = useState(false);

  // Coming back from the Configuration view: scan again with the edited configuration, so the
  // mode and problems shown are the ones a run would meet.
  useEffect(() => {
    const s = appStore().getState();
    if (s.scan !== null && s.scanConfigText !== s.configText && s.lint.errorCount === 0 && !s.scanning) void s.scanFolder(s.scan.inputDir);
  }, []);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const api = appStore().getState().api;
    const file = e.dataTransfer.files[0];
    const p = file && api ? api.pathForFile(file) : null;
    // A dropped FITS file stands for its folder.
    if (p) void scanFolder(/\.(fits?|fts)(\.fz)?$/i.test(p) ? p.replace(/[\\/][^\\/]+$/, '') : p);
    else appStore().getState().showNotice('info', t('input.dropBrowserHint'));
  };

  // The one-click way out of "too few frames": the same comment-keeping edit as typing it.
  const allowEmergency = () => {
    const s = appStore().getState();
    s.setConfigValue('runtime.allow_emergency_mode', true);
    if (s.scan) void s.scanFolder(s.scan.inputDir);
  };
  const estimate = scan && appInfo ? estimateRun(scan, appInfo) : null;
  const errors = scan?.problems.filter((p) => p.severity === 'error') ?? [];
  const canStart = scan !== null && scan.canRun && !stale && configErrors === 0 && appInfo?.canRun !== false && !running;

  return (
    <div className="view input-view">
      <section
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="dropzone"
      >
        <h1>{t('input.dropTitle')}</h1>
        <p className="muted">{appInfo?.host === 'browser' ? t('input.dropBrowserHint') : t('input.dropHint')}</p>
        <div className="actions">
          <button className="primary big" onClick={() => void chooseFolder()} data-testid="choose-folder">
            {t('input.choose')}
          </button>
          <button className="big" onClick={() => void createDemoData()} disabled={demoBusy} data-testid="demo-data">
            {demoBusy ? t('input.demoBusy') : t('input.demo')}
          </button>
        </div>
        {scanning ? <p className="big-status">{t('input.scanning')}</p> : null}
        {appInfo && appInfo.recentFolders.length > 0 && !scan ? (
          <div className="recent">
            <h3>{t('input.recent')}</h3>
            <ul>
              {appInfo.recentFolders.map((d) => (
                <li key={d}>
                  <button className="link mono" onClick={() => void scanFolder(d)}>
                    {d}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      {scan ? (
        <>
          <section className="card summary" data-testid="scan-summary">
            <h2>{t('input.summary')}</h2>
            <p className="mono path">{scan.inputDir}</p>
            <div className="summary-grid">
              <div className="big-number">
                {t('input.framesFound', { n: scan.frames.length })}
                <div className="small muted">{t('input.usable', { n: scan.usableFrames })}</div>
              </div>
              <div>
                <div className="label">{t('input.mode')}</div>
                <div className={`mode mode-${scan.mode}`} data-testid="scan-mode">
                  {t(`input.mode.${scan.mode}` as const)}
                </div>
              </div>
              <div>
                <div className="label">{t('input.totalSize')}</div>
                <div>{formatBytes(scan.totalBytes)}</div>
                <div className="label">{t('input.frameSize')}</div>
                <div>
                  {scan.width ?? '–'}×{scan.height ?? '–'} {scan.colorMode ?? ''}
                </div>
              </div>
              {estimate ? (
                <div>
                  <div className="label">{t('input.estimate')}</div>
                  <div>{t('input.estRam', { ram: formatBytes(estimate.ramBytes), workers: estimate.workers })}</div>
                  <div>{t('input.estDisk', { disk: formatBytes(estimate.diskBytes) })}</div>
                  <div>{t('input.estTime', { time: formatDuration(estimate.seconds) })}</div>
                  <div className="small muted">{t('input.estNote')}</div>
                </div>
              ) : null}
            </div>
            <div className="next-action">
              {canStart ? (
                <button className="primary big" onClick={() => void startRun()} disabled={runBusy} data-testid="start-run">
                  {runBusy ? t('input.next.starting') : t('input.next.start')}
                </button>
              ) : running ? (
                <button className="big" onClick={() => setView('run')}>
                  {t('input.next.running')}
                </button>
              ) : configErrors > 0 ? (
                <p className="error-text big-status">{t('input.next.fixConfig')}</p>
              ) : stale ? (
                <p className="warn-text big-status">{t('input.next.stale')}</p>
              ) : errors.length > 0 ? (
                <p className="error-text big-status">{t('input.next.fix')}</p>
              ) : null}
              {!stale && configErrors === 0 && errors.length > 0 && errors.every((p) => p.code === 'INSUFFICIENT_FRAMES') ? (
                <button className="primary big" onClick={() => allowEmergency()} data-testid="allow-emergency">
                  {t('input.next.emergency')}
                </button>
              ) : null}
              <button className="big" onClick={() => setView('config')}>
                {t('input.next.config')}
              </button>
              <button onClick={() => void scanFolder(scan.inputDir)} disabled={scanning} data-testid="rescan">
                {t('input.rescan')}
              </button>
            </div>
          </section>

          <section className="card" data-testid="scan-problems">
            <h2>{t('input.problems')}</h2>
            {scan.problems.length === 0 ? <p className="ok-text">{t('input.noProblems')}</p> : null}
            <ul className="problem-list">
              {scan.problems.map((p, i) => (
                <li key={i} className={`problem ${p.severity}`} data-code={p.code}>
                  <span className="sev">{p.severity === 'error' ? '✖' : p.severity === 'warning' ? '⚠' : 'ℹ'}</span>
                  <span>
                    {p.file ? <span className="mono">{p.file}: </span> : null}
                    {p.message}
                  </span>
                </li>
              ))}
            </ul>
          </section>

          <ScanTable scan={scan} />
        </>
      ) : null}

      <CalibrationFolders />

      {browserOpen ? (
        <FolderBrowser start={inputDir} onClose={() => setFolderBrowserOpen(false)} onPick={(dir) => void scanFolder(dir)} />
      ) : null}
    </div>
  );
}
