import { useMemo, useState } from 'react';
import { useRunFile, useT } from '../hooks';
import { useApp } from '../store';
import { LineChart } from '../components/LineChart';
import type { Artifact, FrameState } from '../store/run-fold';
import type { MessageKey } from '../i18n';

/** `qa/frames/<name>_<frame>.png` are per-frame maps (one slider); other `qa/*.png` are run maps. */
const PER_FRAME = /^qa\/frames\/(.+)_(\d+)\.png$/;

export function QualityView() {
  const t = useT();
  const frames = useApp((s) => s.run.frames);
  const artifacts = useApp((s) => s.run.artifacts);
  const runDir = useApp((s) => s.runDir);

  const ordered: FrameState[] = useMemo(() => Object.values(frames).sort((a, b) => a.index - b.index), [frames]);
  const labels = ordered.map((f) => `#${f.index + 1} ${f.file}`);
  const series = (k: 'fwhm' | 'B' | 'sigma' | 'G') => ordered.map((f) => (f.status === 'excluded' ? null : (f.metrics[k] ?? null)));

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
            <LineChart title={t('quality.fwhm')} values={series('fwhm')} labels={labels} />
            <LineChart title={t('quality.background')} values={series('B')} labels={labels} />
            <LineChart title={t('quality.noise')} values={series('sigma')} labels={labels} />
            <LineChart title={t('quality.weight')} values={series('G')} labels={labels} />
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
            <div className="map-view">
              {image.url ? <img src={image.url} alt={current ?? ''} className="qa-map pixelated" data-testid="qa-map" /> : null}
              {image.error ? <p className="error-text">{image.error}</p> : null}
            </div>
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
