import { lintConfig, withValue } from '../lib/config-service';
import type { ConfigSlice, Slice } from './types';

export const createConfigSlice =
  (initialText: string): Slice<ConfigSlice> =>
  (set, get) => ({
    configText: initialText,
    lint: lintConfig(initialText),
    configSavedText: null,
    configPath: null,
    configSaving: false,
    setConfigText(text) {
      if (text === get().configText) return;
      set({ configText: text, lint: lintConfig(text) });
    },
    setConfigValue(path, value) {
      try {
        get().setConfigText(withValue(get().configText, path, value));
      } catch (err) {
        get().showNotice('error', (err as Error).message);
      }
    },
    async saveConfig(path) {
      const api = get().api;
      if (!api) return false;
      const text = get().configText;
      set({ configSaving: true });
      const r = await api.saveConfig({ path, text });
      set({ configSaving: false });
      if (!r.ok) {
        get().showNotice('error', r.error.message);
        return false;
      }
      set({ configPath: r.value.path, configSavedText: text });
      return true;
    },
  });
