import { formatNumber } from '../lib/format';

/** A small SVG chart of one value per frame (frame order on x); gaps where a value is missing. */
export function LineChart({ title, values, labels }: { title: string; values: ReadonlyArray<number | null>; labels: readonly string[] }) {
  const W = 420;
  const H = 140;
  const pad = { l: 48, r: 8, t: 8, b: 20 };
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 1;
  const span = max - min || Math.abs(max) || 1;
  const x = (i: number) => pad.l + (values.length <= 1 ? 0 : (i / (values.length - 1)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - (v - min) / span) * (H - pad.t - pad.b);
  const segments: string[] = [];
  let current = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      if (current) segments.push(current);
      current = '';
    } else current += `${current ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
  });
  if (current) segments.push(current);
  return (
    <figure className="chart" data-testid="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line x1={pad.l} y1={H - pad.b} x2={W - pad.r} y2={H - pad.b} className="axis" />
        <line x1={pad.l} y1={pad.t} x2={pad.l} y2={H - pad.b} className="axis" />
        <text x={pad.l - 4} y={pad.t + 10} className="tick" textAnchor="end">
          {formatNumber(max)}
        </text>
        <text x={pad.l - 4} y={H - pad.b} className="tick" textAnchor="end">
          {formatNumber(min)}
        </text>
        {segments.map((d, i) => (
          <path key={i} d={d} className="line" />
        ))}
        {values.map((v, i) =>
          v !== null && Number.isFinite(v) ? (
            <circle key={i} cx={x(i)} cy={y(v)} r={2.5} className="point">
              <title>{`${labels[i]}: ${formatNumber(v)}`}</title>
            </circle>
          ) : null,
        )}
      </svg>
    </figure>
  );
}
