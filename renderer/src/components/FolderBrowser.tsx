import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../shared/contract/channels';
import { useT } from '../hooks';
import { appStore, useApp } from '../store';
import { formatBytes } from '../lib/format';

/**
 * The server-side folder browser of the browser host (and the fallback wherever there is no native
 * dialog): walks folders inside the host's allowed roots and picks one.
 */
export function FolderBrowser({ onPick, onClose, start }: { onPick: (dir: string) => void; onClose: () => void; start?: string | null }) {
  const t = useT();
  const home = useApp((s) => s.appInfo?.home ?? null);
  const [dir, setDir] = useState<string | null>(start ?? home);
  const [listing, setListing] = useState<ResponseOf<'fs:list'> | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const api = appStore().getState().api;
    if (!api || !dir) return;
    let live = true;
    void api.listFolder({ dir }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setListing(r.value);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [dir]);

  return (
    <div className="modal-backdrop" role="dialog" aria-modal="true" aria-label={t('browser.title')}>
      <div className="modal folder-browser" data-testid="folder-browser">
        <div className="modal-head">
          <h2>{t('browser.title')}</h2>
          <button className="link" onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
        <div className="path-bar">
          <button disabled={!listing?.parent} onClick={() => listing?.parent && setDir(listing.parent)}>
            ↑ {t('browser.up')}
          </button>
          <input
            className="path-input"
            value={dir ?? ''}
            onChange={(e) => setDir(e.target.value)}
            aria-label="path"
            data-testid="folder-path"
          />
        </div>
        {error ? <div className="notice error">{error}</div> : null}
        <ul className="dir-list">
          {listing && listing.entries.length === 0 ? <li className="muted">{t('browser.empty')}</li> : null}
          {listing?.entries.map((e) =>
            e.isDirectory ? (
              <li key={e.path}>
                <button className="dir" onClick={() => setDir(e.path)} data-testid="dir-entry">
                  📁 {e.name}
                </button>
              </li>
            ) : (
              <li key={e.path} className="file muted">
                {e.name} <span className="small">{formatBytes(e.sizeBytes)}</span>
              </li>
            ),
          )}
        </ul>
        <div className="modal-foot">
          <span className="muted">{listing ? t('browser.fits', { n: listing.fitsCount }) : t('common.loading')}</span>
          <button className="primary" disabled={!listing} onClick={() => listing && onPick(listing.dir)} data-testid="use-folder">
            {t('browser.use')}
          </button>
        </div>
      </div>
    </div>
  );
}
