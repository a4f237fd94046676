import type { ScanReport } from '../../../shared/pipeline/scan-types';
import { useT } from '../hooks';
import { formatBytes } from '../lib/format';

export function ScanTable({ scan }: { scan: ScanReport }) {
  const t = useT();
  const byFile = new Map<string, string[]>();
  for (const p of scan.problems) {
    if (p.file === null) continue;
    byFile.set(p.file, [...(byFile.get(p.file) ?? []), p.message]);
  }
  return (
    <div className="table-wrap">
      <table className="scan-table" data-testid="scan-table">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('input.table.file')}</th>
            <th>{t('input.table.dims')}</th>
            <th>{t('input.table.size')}</th>
            <th>{t('input.table.exposure')}</th>
            <th>{t('input.table.filter')}</th>
            <th>{t('input.table.bayer')}</th>
            <th>{t('input.table.problems')}</th>
          </tr>
        </thead>
        <tbody>
          {scan.frames.map((f) => {
            const problems = byFile.get(f.file) ?? [];
            return (
              <tr key={f.index} className={f.excluded ? 'row-excluded' : problems.length > 0 ? 'row-warning' : ''}>
                <td>{f.index + 1}</td>
                <td className="mono">{f.file}</td>
                <td>
                  {f.width}×{f.height}
                  {f.planes > 1 ? `×${f.planes}` : ''}
                </td>
                <td>{formatBytes(f.sizeBytes)}</td>
                <td>{f.exposureS === null ? '–' : `${f.exposureS} s`}</td>
                <td>{f.filter ?? '–'}</td>
                <td>{f.bayerPattern ?? (f.colorMode === 'MONO' ? 'mono' : f.colorMode)}</td>
                <td className="problems-cell">{[f.excluded, ...problems].filter(Boolean).join(' · ') || '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
