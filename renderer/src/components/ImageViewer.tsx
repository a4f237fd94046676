import { useEffect, useRef, useState, type MouseEvent, type WheelEvent } from 'react';
import { autoStretch, renderRgba, type StretchMode } from '../lib/stretch';
import { formatNumber } from '../lib/format';
import { useT } from '../hooks';

export interface LinearImage {
  readonly width: number;
  readonly height: number;
  readonly planes: number;
  readonly step: number;
  readonly data: Float32Array;
}

/** Linear data, stretched for display only; wheel zooms, drag pans, the cursor reads pixel values. */
export function ImageViewer({ image }: { image: LinearImage }) {
  const t = useT();
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [mode, setMode] = useState<StretchMode>('linear');
  const [view, setView] = useState({ scale: 1, x: 0, y: 0 });
  const [readout, setReadout] = useState<string>('\u00a0');
  const drag = useRef<{ x: number; y: number } | null>(null);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const params = autoStretch(image.data);
    const rgba = renderRgba(image.data, image.width, image.height, image.planes, params, mode);
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), image.width, image.height), 0, 0);
  }, [image, mode]);

  const fit = () => {
    const f = frame.current;
    if (!f) return;
    const scale = Math.min(f.clientWidth / image.width, f.clientHeight / image.height);
    setView({ scale, x: (f.clientWidth - image.width * scale) / 2, y: (f.clientHeight - image.height * scale) / 2 });
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(fit, [image]);

  const oneToOne = () => {
    const f = frame.current;
    if (!f) return;
    // One source pixel per screen pixel: the shown image holds one pixel per `step` source pixels.
    const scale = image.step / (window.devicePixelRatio || 1);
    setView({ scale, x: f.clientWidth / 2 - (image.width * scale) / 2, y: f.clientHeight / 2 - (image.height * scale) / 2 });
  };

  const onWheel = (e: WheelEvent) => {
    const f = frame.current!.getBoundingClientRect();
    const mx = e.clientX - f.left;
    const my = e.clientY - f.top;
    const k = e.deltaY < 0 ? 1.25 : 0.8;
    setView((v) => ({ scale: v.scale * k, x: mx - (mx - v.x) * k, y: my - (my - v.y) * k }));
  };

  const onMove = (e: MouseEvent) => {
    const f = frame.current!.getBoundingClientRect();
    if (drag.current) {
      const dx = e.clientX - drag.current.x;
      const dy = e.clientY - drag.current.y;
      drag.current = { x: e.clientX, y: e.clientY };
      setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
    }
    const ix = Math.floor((e.clientX - f.left - view.x) / view.scale);
    const iy = Math.floor((e.clientY - f.top - view.y) / view.scale);
    if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) return setReadout('\u00a0');
    const n = image.width * image.height;
    const vals = Array.from({ length: image.planes }, (_, c) => formatNumber(image.data[c * n + iy * image.width + ix], 5)).join(' / ');
    setReadout(t('result.pixel', { x: ix * image.step, y: iy * image.step, v: vals }));
  };

  return (
    <div className="image-viewer">
      <div className="toolbar">
        <span>{t('result.stretch')}</span>
        <button className={mode === 'linear' ? 'tab active' : 'tab'} onClick={() => setMode('linear')} data-testid="stretch-linear">
          {t('result.linear')}
        </button>
        <button className={mode === 'asinh' ? 'tab active' : 'tab'} onClick={() => setMode('asinh')} data-testid="stretch-asinh">
          {t('result.asinh')}
        </button>
        <button onClick={fit}>{t('result.fit')}</button>
        <button onClick={oneToOne} data-testid="zoom-1-1">
          {t('result.oneToOne')}
        </button>
        {image.step > 1 ? <span className="muted small">{t('result.scale', { n: image.step })}</span> : null}
        <span className="readout mono" data-testid="pixel-readout">
          {readout}
        </span>
      </div>
      <div
        className="image-frame"
        ref={frame}
        onWheel={onWheel}
        onMouseDown={(e) => (drag.current = { x: e.clientX, y: e.clientY })}
        onMouseUp={() => (drag.current = null)}
        onMouseLeave={() => (drag.current = null)}
        onMouseMove={onMove}
      >
        <canvas
          ref={canvas}
          className="pixelated"
          data-testid="result-canvas"
          style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`, transformOrigin: '0 0' }}
        />
      </div>
    </div>
  );
}
