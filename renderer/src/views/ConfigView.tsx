import { useState } from 'react';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { YamlEditor } from '../components/YamlEditor';
import { PRESET_NAMES, defaultText, presetText, problemText, type PresetName } from '../lib/config-service';

export function ConfigView() {
  const t = useT();
  const text = useApp((s) => s.configText);
  const lint = useApp((s) => s.lint);
  const lang = useApp((s) => s.lang);
  const savedText = useApp((s) => s.configSavedText);
  const savedPath = useApp((s) => s.configPath);
  const saving = useApp((s) => s.configSaving);
  const runsRoot = useApp((s) => s.appInfo?.runsRoot ?? null);
  const hasInput = useApp((s) => s.inputDir !== null);
  const { setConfigText, saveConfig, setView } = appStore().getState();
  const warnings = lint.problems.length - lint.errorCount;
  // Beside the runs folder, never in the input folder (nothing is written there).
  const suggested = savedPath ?? (runsRoot ? `${runsRoot.replace(/[\\/][^\\/]+$/, '')}${runsRoot.includes('\\') ? '\\' : '/'}tile_compile.yaml` : '');
  const [savePath, setSavePath] = useState<string | null>(null);
  const target = savePath ?? suggested;
  const unsaved = savedText !== null && savedText !== text;

  return (
    <div className="view config-view">
      <div className="config-main">
        <div className="toolbar">
          <select
            aria-label={t('config.presets')}
            value=""
            onChange={(e) => e.target.value && setConfigText(presetText(e.target.value as PresetName))}
            data-testid="preset-select"
          >
            <option value="">{t('config.preset.choose')}</option>
            {PRESET_NAMES.map((p) => (
              <option key={p} value={p}>
                {t(`config.preset.${p}` as const)}
              </option>
            ))}
          </select>
          <button onClick={() => setConfigText(defaultText(lang))}>{t('config.defaults')}</button>
          <span className="muted small">{t('config.hoverHint')}</span>
        </div>
        <div className={lint.errorCount > 0 ? 'config-status error' : 'config-status ok'} data-testid="config-status">
          <span>
            {lint.errorCount > 0 ? t('config.errors', { n: lint.errorCount }) : t('config.valid')}
            {warnings > 0 ? ` ${t('config.warnings', { n: warnings })}` : ''}
          </span>
          {lint.errorCount === 0 && hasInput ? (
            <button className="primary" onClick={() => setView('input')} data-testid="config-continue">
              {t('config.continue')}
            </button>
          ) : null}
        </div>
        <YamlEditor text={text} problems={lint.problems} lang={lang} onChange={setConfigText} />
        <form
          className="save-bar"
          onSubmit={(e) => {
            e.preventDefault();
            if (target) void saveConfig(target);
          }}
        >
          <label className="save-path">
            <span className="label">{t('config.saveTo')}</span>
            <input className="mono" value={target} onChange={(e) => setSavePath(e.target.value)} spellCheck={false} data-testid="config-path" />
          </label>
          <button type="submit" disabled={saving || !target} data-testid="save-config">
            {t('config.save')}
          </button>
          <span className={unsaved ? 'warn-text small' : 'muted small'} data-testid="config-saved">
            {savedPath === null ? t('config.saveHint') : unsaved ? t('config.unsaved') : t('config.savedTo', { path: savedPath })}
          </span>
        </form>
      </div>
      <aside className="config-side">
        {lint.problems.length > 0 ? (
          <section className="card">
            <ul className="problem-list" data-testid="config-problems">
              {lint.problems.map((p, i) => (
                <li key={i} className={`problem ${p.severity}`} data-code={p.code}>
                  <span className="sev">{p.severity === 'error' ? '✖' : '⚠'}</span>
                  <span>{problemText(p)}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <section className="card">
          <h2>{t('config.diff')}</h2>
          {lint.errorCount > 0 ? <p className="muted">{t('config.diffAfterFix')}</p> : lint.diff.length === 0 ? <p className="muted">{t('config.noDiff')}</p> : null}
          <table className="diff-table" data-testid="config-diff">
            <tbody>
              {lint.diff.map((d) => (
                <tr key={d.path}>
                  <td className="mono">{d.path}</td>
                  <td className="mono changed">{JSON.stringify(d.value)}</td>
                  <td className="mono muted">
                    {t('config.default')} {JSON.stringify(d.default)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </aside>
    </div>
  );
}
