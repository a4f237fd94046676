import { useEffect, useMemo, useRef, useState } from 'react';
import { PHASES } from '../../../shared/contract/events';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { filterLogLines, LOG_LEVELS, parseLogLines, type LogLevel, type LogLine } from '../lib/log-lines';
import { formatBytes } from '../lib/format';

const TAIL_MS = 1000;
const MAX_LINES = 20_000;

/** Live tail of a run's logs: reads new bytes once a second while the run is running. */
export function LogsView() {
  const t = useT();
  const runDir = useApp((s) => s.runDir);
  const running = useApp((s) => s.run.status === 'running');
  const [files, setFiles] = useState<ReadonlyArray<{ name: string; sizeBytes: number }>>([]);
  const [file, setFile] = useState<string | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [level, setLevel] = useState<LogLevel | 'all'>('all');
  const [phase, setPhase] = useState<string>('all');
  const [search, setSearch] = useState('');
  const [copied, setCopied] = useState(false);
  const offset = useRef(0);

  useEffect(() => {
    const api = appStore().getState().api;
    if (!api || !runDir) return;
    void api.listLogs({ runDir }).then((r) => {
      if (!r.ok) return;
      setFiles(r.value.files);
      setFile((f) => f ?? r.value.files.find((x) => x.name === 'app.log')?.name ?? r.value.files[0]?.name ?? null);
    });
  }, [runDir, running]);

  useEffect(() => {
    const api = appStore().getState().api;
    setLines([]);
    offset.current = 0;
    if (!api || !runDir || !file) return;
    let live = true;
    const pull = async () => {
      const r = await api.readLog({ runDir, file, fromByte: offset.current });
      if (!live || !r.ok) return;
      if (r.value.sizeBytes < offset.current) {
        // The file rotated: start over from its beginning.
        offset.current = 0;
        setLines([]);
        return;
      }
      offset.current = r.value.nextByte;
      if (r.value.text) setLines((prev) => [...prev, ...parseLogLines(r.value.text, prev.length + 1)].slice(-MAX_LINES));
    };
    void pull();
    const timer = running ? setInterval(() => void pull(), TAIL_MS) : null;
    return () => {
      live = false;
      if (timer) clearInterval(timer);
    };
  }, [runDir, file, running]);

  const shown = useMemo(() => filterLogLines(lines, { level, phase, search }), [lines, level, phase, search]);

  if (!runDir || files.length === 0) return <div className="view empty-view big-status">{t('logs.noLogs')}</div>;

  return (
    <div className="view logs-view">
      <div className="toolbar">
        <label>
          {t('logs.file')}{' '}
          <select value={file ?? ''} onChange={(e) => setFile(e.target.value)} data-testid="log-file">
            {files.map((f) => (
              <option key={f.name} value={f.name}>
                {f.name} ({formatBytes(f.sizeBytes)})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.level')}{' '}
          <select value={level} onChange={(e) => setLevel(e.target.value as LogLevel | 'all')} data-testid="log-level">
            <option value="all">{t('logs.all')}</option>
            {LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.phase')}{' '}
          <select value={phase} onChange={(e) => setPhase(e.target.value)} data-testid="log-phase">
            <option value="all">{t('logs.all')}</option>
            {PHASES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <input type="search" placeholder={t('logs.search')} value={search} onChange={(e) => setSearch(e.target.value)} data-testid="log-search" />
        <button
          onClick={() => {
            void navigator.clipboard?.writeText(shown.map((l) => l.text).join('\n')).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
        <span className="muted small">{t('logs.lines', { n: shown.length })}</span>
      </div>
      <pre className="log" data-testid="log-text">
        {shown.map((l) => (
          <div key={l.n} className={`log-line level-${l.level ?? 'none'}`}>
            {l.text}
          </div>
        ))}
      </pre>
    </div>
  );
}
