import type { TileCompileApi } from '../../../shared/contract/api';
import { detectLang, type Lang } from '../i18n';
import type { AppSlice, Slice, Theme } from './types';

const read = (key: string): string | null => {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
};
const write = (key: string, value: string): void => {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // Private windows may refuse storage; the choice then lasts for this session only.
  }
};

export const createAppSlice =
  (api: TileCompileApi | null): Slice<AppSlice> =>
  (set, get) => ({
    api,
    appInfo: null,
    view: 'input',
    theme: read('tc.theme') === 'night' ? 'night' : 'dark',
    lang: (read('tc.lang') as Lang | null) ?? detectLang(),
    notice: null,
    setView: (view) => set({ view }),
    setTheme: (theme: Theme) => {
      write('tc.theme', theme);
      set({ theme });
    },
    setLang: (lang) => {
      write('tc.lang', lang);
      set({ lang });
    },
    showNotice: (level, text) => set({ notice: { level, text } }),
    clearNotice: () => set({ notice: null }),
    async loadAppInfo() {
      const a = get().api;
      if (!a) return;
      const r = await a.getAppInfo({});
      if (r.ok) set({ appInfo: r.value });
      else get().showNotice('error', r.error.message);
    },
  });
