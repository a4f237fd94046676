import type { InputSlice, Slice } from './types';

export const createInputSlice: Slice<InputSlice> = (set, get) => ({
  inputDir: null,
  scan: null,
  scanConfigText: null,
  scanning: false,
  demoBusy: false,
  folderBrowserOpen: false,
  async scanFolder(dir) {
    const api = get().api;
    if (!api) return;
    const configText = get().configText;
    set({ inputDir: dir, scanning: true, folderBrowserOpen: false });
    const r = await api.scanFolder({ dir, configText });
    set({ scanning: false });
    if (r.ok) {
      set({ scan: r.value, inputDir: r.value.inputDir, scanConfigText: configText });
      get().clearNotice();
      void get().loadAppInfo();
    } else {
      set({ scan: null });
      get().showNotice('error', r.error.message);
    }
  },
  async chooseFolder() {
    const { api, appInfo } = get();
    if (!api) return;
    if (!appInfo?.nativeDialogs) {
      set({ folderBrowserOpen: true });
      return;
    }
    const r = await api.chooseFolder({});
    if (r.ok && r.value.path) await get().scanFolder(r.value.path);
    else if (!r.ok) get().showNotice('error', r.error.message);
  },
  setFolderBrowserOpen: (open) => set({ folderBrowserOpen: open }),
  async createDemoData() {
    const api = get().api;
    if (!api) return;
    set({ demoBusy: true });
    const r = await api.createDemoData({});
    set({ demoBusy: false });
    if (r.ok) await get().scanFolder(r.value.dir);
    else get().showNotice('error', r.error.message);
  },
});
