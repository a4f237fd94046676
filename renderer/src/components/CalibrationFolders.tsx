import { useState } from 'react';
import { parse } from 'yaml';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { FolderBrowser } from './FolderBrowser';

const STAGES = [
  { key: 'bias', use: 'calibration.use_bias', dir: 'calibration.bias_dir', label: 'input.cal.bias' },
  { key: 'darks', use: 'calibration.use_dark', dir: 'calibration.darks_dir', label: 'input.cal.darks' },
  { key: 'flats', use: 'calibration.use_flat', dir: 'calibration.flats_dir', label: 'input.cal.flats' },
] as const;

function valueAt(text: string, path: string): unknown {
  try {
    let v: unknown = parse(text, { maxAliasCount: 0 });
    for (const k of path.split('.')) v = (v as Record<string, unknown> | null)?.[k];
    return v;
  } catch {
    return undefined;
  }
}

/** Calibration stages as plain controls; every change is a comment-keeping edit of the YAML. */
export function CalibrationFolders() {
  const t = useT();
  const text = useApp((s) => s.configText);
  const setValue = useApp((s) => s.setConfigValue);
  const [picking, setPicking] = useState<(typeof STAGES)[number] | null>(null);

  const pick = async (stage: (typeof STAGES)[number]) => {
    const { api, appInfo } = appStore().getState();
    if (api && appInfo?.nativeDialogs) {
      const r = await api.chooseFolder({});
      if (r.ok && r.value.path) {
        setValue(stage.dir, r.value.path);
        setValue(stage.use, true);
      }
    } else setPicking(stage);
  };

  return (
    <section className="card">
      <h2>{t('input.calibration')}</h2>
      <p className="muted">{t('input.calibrationHint')}</p>
      <div className="cal-grid">
        {STAGES.map((s) => {
          const used = valueAt(text, s.use) === true;
          const dir = valueAt(text, s.dir);
          return (
            <div className="cal-row" key={s.key}>
              <label className="toggle">
                <input type="checkbox" checked={used} onChange={(e) => setValue(s.use, e.target.checked)} />
                {t(s.label)} {t('input.cal.use')}
              </label>
              <span className="mono path">{typeof dir === 'string' && dir ? dir : '–'}</span>
              <button onClick={() => void pick(s)}>{t('input.cal.pick')}</button>
            </div>
          );
        })}
      </div>
      {picking ? (
        <FolderBrowser
          onClose={() => setPicking(null)}
          onPick={(dir) => {
            setValue(picking.dir, dir);
            setValue(picking.use, true);
            setPicking(null);
          }}
        />
      ) : null}
    </section>
  );
}
