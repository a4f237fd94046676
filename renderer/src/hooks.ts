import { useCallback, useEffect, useState } from 'react';
import type { ApiResult } from '../../shared/contract/channels';
import { translate, type MessageKey } from './i18n';
import { appStore, useApp } from './store';

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function useT(): T {
  const lang = useApp((s) => s.lang);
  return useCallback((key, vars) => translate(lang, key, vars), [lang]);
}

/** Loads a run artifact (PNG etc.) as a data URL; null while loading or when missing. */
export function useRunFile(runDir: string | null, file: string | null, version = 0): { url: string | null; error: string | null } {
  const [state, setState] = useState<{ url: string | null; error: string | null }>({ url: null, error: null });
  useEffect(() => {
    let live = true;
    const api = appStore().getState().api;
    if (!api || !runDir || !file) {
      setState({ url: null, error: null });
      return;
    }
    void api.readRunFile({ runDir, file }).then((r) => {
      if (!live) return;
      setState(r.ok ? { url: `data:${r.value.mime};base64,${r.value.base64}`, error: null } : { url: null, error: r.error.message });
    });
    return () => {
      live = false;
    };
  }, [runDir, file, version]);
  return state;
}

export function unwrap<T>(r: ApiResult<T>): T | null {
  if (r.ok) return r.value;
  appStore().getState().showNotice('error', r.error.message);
  return null;
}

/** Loads a JSON artifact of a run (metrics/*.json); null while loading, when missing or unreadable. */
export function useRunJson<T>(runDir: string | null, file: string | null): T | null {
  const [value, setValue] = useState<T | null>(null);
  useEffect(() => {
    let live = true;
    setValue(null);
    const api = appStore().getState().api;
    if (!api || !runDir || !file) return;
    void api.readRunFile({ runDir, file }).then((r) => {
      if (!live || !r.ok) return;
      try {
        const bytes = Uint8Array.from(atob(r.value.base64), (c) => c.charCodeAt(0));
        setValue(JSON.parse(new TextDecoder().decode(bytes)) as T);
      } catch {
        // A damaged metrics file only means the charts show what the events carried.
      }
    });
    return () => {
      live = false;
    };
  }, [runDir, file]);
  return value;
}
