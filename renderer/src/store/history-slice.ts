import type { HistorySlice, Slice } from './types';

export const createHistorySlice: Slice<HistorySlice> = (set, get) => ({
  history: [],
  historyLoading: false,
  async loadHistory() {
    const api = get().api;
    if (!api) return;
    set({ historyLoading: true });
    const r = await api.listRuns({});
    set({ historyLoading: false });
    if (r.ok) set({ history: r.value.runs });
    else get().showNotice('error', r.error.message);
  },
});
