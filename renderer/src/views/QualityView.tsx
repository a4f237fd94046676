import { useMemo, useState } from 'react';
import { useRunFile, useRunJson, useT } from '../hooks';
import { useApp } from '../store';
import { LineChart } from '../components/LineChart';
import type { Artifact, FrameState } from '../store/run-fold';
import type { MessageKey } from '../i18n';
import { formatNumber } from '../lib/format';

/** `qa/frames/<name>_<frame>.png` are per-frame maps (one slider); other `qa/*.png` are run maps. */
const PER_FRAME = /^qa\/frames\/(.+)_(\d+)\.png$/;
/** The colour ramp of the QA maps (shared/pipeline/qa-maps.ts), for the legend. */
const RAMP = 'linear-gradient(to right, rgb(68,1,84), rgb(59,82,139), rgb(33,145,140), rgb(94,201,98), rgb(253,231,37))';

type Series = 'fwhm' | 'B' | 'sigma' | 'G';
/** metrics/frames.json (written at the end of a run): the per-frame values events do not carry. */
interface FramesTable {
  readonly frames: ReadonlyArray<{ index: number; fwhm: number | null; G: number | null; background: number[] | number | null; sigma: number | null; date_obs?: string | null }>;
}

export function QualityView() {
  const t = useT();
  const frames = useApp((s) => s.run.frames);
  const artifacts = useApp((s) => s.run.artifacts);
  const runDir = useApp((s) => s.runDir);

  const finished = useApp((s) => s.run.finished !== null);
  const table = useRunJson<FramesTable>(runDir, finished ? 'metrics/frames.json' : null);
  const fromTable = useMemo(() => new Map((table?.frames ?? []).map((r) => [r.index, r])), [table]);

  // frames in time order (DATE-OBS from metrics/frames.json) once the run is finished, else file order
  const ordered: FrameState[] = useMemo(() => {
    const date = (i: number) => fromTable.get(i)?.date_obs ?? null;
    return Object.values(frames).sort((a, b) => {
      const da = date(a.index);
      const db = date(b.index);
      if (da !== null && db !== null && da !== db) return da < db ? -1 : 1;
      return a.index - b.index;
    });
  }, [frames, fromTable]);
  const labels = ordered.map((f) => `#${f.index + 1} ${f.file}`);
  // Events carry what is known when a frame is measured; FWHM and the global weight G come later
  // (metrics/frames.json), so the table fills what the events left empty.
  const series = (k: Series) =>
    ordered.map((f) => {
      if (f.status === 'excluded') return null;
      const v = f.metrics[k] ?? (k === 'fwhm' || k === 'G' ? (fromTable.get(f.index)?.[k] ?? null) : null);
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
  const chart = (title: string, k: Series) => {
    const values = series(k);
    return values.some((v) => v !== null) ? (
      <LineChart key={k} title={title} values={values} labels={labels} />
    ) : (
      <figure key={k} className="chart chart-empty" data-testid="chart">
        <figcaption>{title}</figcaption>
        <p className="muted small">{finished ? t('quality.noValues') : t('quality.notYet')}</p>
      </figure>
    );
  };

  const { runMaps, frameMaps } = useMemo(() => groupMaps(artifacts), [artifacts]);
  const mapNames = [...new Set([...runMaps.map((a) => mapName(a.path)), ...frameMaps.keys()])];
  const [selected, setSelected] = useState<string | null>(null);
  const current = selected && mapNames.includes(selected) ? selected : (mapNames[0] ?? null);
  const perFrame = current !== null ? frameMaps.get(current) : undefined;
  const [frameIdx, setFrameIdx] = useState(0);
  const framePaths = perFrame ? [...perFrame.entries()].sort((a, b) => a[0] - b[0]) : [];
  const clamped = Math.min(frameIdx, Math.max(0, framePaths.length - 1));
  const path = perFrame ? (framePaths[clamped]?.[1] ?? null) : (runMaps.find((a) => mapName(a.path) === current)?.path ?? null);
  const image = useRunFile(runDir, path);
  const artifact = runMaps.find((a) => a.path === path) ?? null;
  const help = (name: string) => {
    const k = `qa.help.${name}` as MessageKey;
    const text = t(k);
    return text === k ? null : text;
  };
  const label = (name: string) => {
    const k = `qa.${name}` as MessageKey;
    const s = t(k);
    return s === k ? name.replace(/_/g, ' ') : s;
  };

  return (
    <div className="view quality-view">
      <section className="card">
        <h2>{t('quality.charts')}</h2>
        {ordered.length === 0 ? (
          <p className="muted">{t('quality.noMetrics')}</p>
        ) : (
          <div className="charts">
            {chart(t('quality.fwhm'), 'fwhm')}
            {chart(t('quality.background'), 'B')}
            {chart(t('quality.noise'), 'sigma')}
            {chart(t('quality.weight'), 'G')}
          </div>
        )}
      </section>
      <section className="card">
        <h2>{t('quality.maps')}</h2>
        {mapNames.length === 0 ? (
          <p className="muted">{t('quality.noMaps')}</p>
        ) : (
          <>
            <div className="map-tabs" data-testid="qa-map-tabs">
              {mapNames.map((n) => (
                <button key={n} className={n === current ? 'tab active' : 'tab'} onClick={() => setSelected(n)} data-map={n}>
                  {label(n)}
                </button>
              ))}
            </div>
            {perFrame && framePaths.length > 0 ? (
              <label className="slider">
                {t('quality.frame', { n: framePaths[clamped][0] + 1 })}
                <input
                  type="range"
                  min={0}
                  max={framePaths.length - 1}
                  value={clamped}
                  onChange={(e) => setFrameIdx(Number(e.target.value))}
                  data-testid="frame-slider"
                />
              </label>
            ) : null}
            {current && help(current) ? (
              <p className="map-help" data-testid="qa-help">
                {help(current)}
              </p>
            ) : null}
            <div className="map-view">
              {image.url ? <img src={image.url} alt={current ?? ''} className="qa-map pixelated" data-testid="qa-map" /> : null}
              {image.error ? <p className="error-text">{image.error}</p> : null}
            </div>
            {artifact && typeof artifact.min === 'number' && typeof artifact.max === 'number' ? (
              <div className="ramp-legend" data-testid="qa-legend">
                <span className="mono small">{formatNumber(artifact.min)}</span>
                <span className="ramp" style={{ background: RAMP }} />
                <span className="mono small">{formatNumber(artifact.max)}</span>
                <span className="muted small">{t('quality.rampHint')}</span>
              </div>
            ) : null}
          </>
        )}
      </section>
    </div>
  );
}

function mapName(path: string): string {
  const m = PER_FRAME.exec(path);
  if (m) return m[1];
  return path.replace(/^.*\//, '').replace(/\.png$/i, '');
}

function groupMaps(artifacts: readonly Artifact[]): { runMaps: Artifact[]; frameMaps: Map<string, Map<number, string>> } {
  const runMaps: Artifact[] = [];
  const frameMaps = new Map<string, Map<number, string>>();
  for (const a of artifacts) {
    if (a.mime !== 'image/png' || !a.path.startsWith('qa/')) continue;
    const m = PER_FRAME.exec(a.path);
    if (m) {
      const byFrame = frameMaps.get(m[1]) ?? new Map<number, string>();
      byFrame.set(Number(m[2]), a.path);
      frameMaps.set(m[1], byFrame);
    } else runMaps.push(a);
  }
  return { runMaps, frameMaps };
}
