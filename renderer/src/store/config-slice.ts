import { lintConfig, withValue } from '../lib/config-service';
import type { ConfigSlice, Slice } from './types';

export const createConfigSlice =
  (initialText: string): Slice<ConfigSlice> =>
  (set, get) => ({
    configText: initialText,
    lint: lintConfig(initialText),
    configSavedText: null,
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
  });
