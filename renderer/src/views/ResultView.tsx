import { useEffect, useState } from 'react';
import { useRunFile, useT } from '../hooks';
import { appStore, useApp } from '../store';
import { ImageViewer, type LinearImage } from '../components/ImageViewer';
import { decodeFloat32 } from '../lib/stretch';

const STACK = 'result/stack.fits';
const PREVIEW = 'result/preview.png';

export function ResultView() {
  const t = useT();
  const runDir = useApp((s) => s.runDir);
  const artifacts = useApp((s) => s.run.artifacts);
  const canOpen = useApp((s) => s.appInfo?.canOpenFolder ?? false);
  const hasStack = artifacts.some((a) => a.path === STACK);
  const hasPreview = artifacts.some((a) => a.path === PREVIEW);
  const [image, setImage] = useState<LinearImage | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const preview = useRunFile(runDir, image === null && hasPreview ? PREVIEW : null);

  useEffect(() => {
    setImage(null);
    setFailed(null);
    const api = appStore().getState().api;
    if (!api || !runDir || !hasStack) return;
    let live = true;
    void api.readImage({ runDir, file: STACK, maxSide: 2048 }).then((r) => {
      if (!live) return;
      if (r.ok) setImage({ ...r.value, data: decodeFloat32(r.value.base64) });
      else setFailed(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [runDir, hasStack]);

  if (!runDir || (!hasStack && !hasPreview)) return <div className="view empty-view big-status">{t('result.none')}</div>;

  const sep = runDir.includes('\\') ? '\\' : '/';
  const outputs = artifacts.filter((a) => a.path.startsWith('result/'));
  return (
    <div className="view result-view">
      {image ? (
        <ImageViewer image={image} />
      ) : preview.url ? (
        <div className="preview-fallback">
          {failed ? <p className="muted">{t('result.previewOnly')}</p> : null}
          <img src={preview.url} alt="preview" className="preview-img" data-testid="result-preview" />
        </div>
      ) : (
        <p className="muted">{failed ?? t('common.loading')}</p>
      )}
      <section className="card">
        <h2>{t('result.outputs')}</h2>
        <ul className="outputs" data-testid="result-outputs">
          {outputs.map((a) => (
            <li key={a.path} className="mono">
              {runDir}
              {sep}
              {a.path.split('/').join(sep)}
            </li>
          ))}
        </ul>
        {canOpen ? (
          <button onClick={() => void appStore().getState().api?.openFolder({ path: `${runDir}${sep}result` })}>{t('result.openFolder')}</button>
        ) : null}
      </section>
    </div>
  );
}
