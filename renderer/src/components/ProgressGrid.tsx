import { useState } from 'react';
import { useT } from '../hooks';
import { useApp } from '../store';
import { frameCell, frameIndices, type FrameState } from '../store/run-fold';
import { formatNumber } from '../lib/format';

/** One cell per frame, coloured by state; hovering shows the frame's file, phase and metrics. */
export function ProgressGrid() {
  const t = useT();
  const run = useApp((s) => s.run);
  const [hover, setHover] = useState<FrameState | number | null>(null);
  const indices = frameIndices(run);
  const detail = typeof hover === 'number' ? null : hover;
  return (
    <div className="progress-grid-wrap">
      <div className="progress-grid" data-testid="frame-grid">
        {indices.map((i) => {
          const state = frameCell(run, i);
          return (
            <div
              key={i}
              className={`cell cell-${state}`}
              data-state={state}
              title={run.frames[i] ? `${run.frames[i].file}` : `#${i + 1}`}
              onMouseEnter={() => setHover(run.frames[i] ?? i)}
              onMouseLeave={() => setHover(null)}
            />
          );
        })}
      </div>
      <div className="legend">
        {(['pending', 'ok', 'warning', 'excluded'] as const).map((s) => (
          <span key={s}>
            <i className={`cell cell-${s}`} /> {t(`run.legend.${s}` as const)}
          </span>
        ))}
      </div>
      <div className="frame-detail" data-testid="frame-detail">
        {detail ? (
          <>
            <b className="mono">
              #{detail.index + 1} {detail.file}
            </b>{' '}
            · {t(`phase.${detail.phase}` as never) || detail.phase} · {detail.status}
            {detail.reason ? ` · ${detail.reason}` : ''}
            <div className="small mono">
              {Object.entries(detail.metrics)
                .map(([k, v]) => `${k} ${formatNumber(v as number | null)}`)
                .join('  ')}
              {detail.reg ? `  reg ${detail.reg.method} dx ${formatNumber(detail.reg.dx)} dy ${formatNumber(detail.reg.dy)}` : ''}
            </div>
          </>
        ) : typeof hover === 'number' ? (
          `#${hover + 1}`
        ) : (
          '\u00a0'
        )}
      </div>
    </div>
  );
}
