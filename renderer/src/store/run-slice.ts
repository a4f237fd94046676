import type { RunEvent } from '../../../shared/contract/events';
import { emptyRun, foldEvent, foldEvents } from './run-fold';
import type { RunSlice, Slice } from './types';

export const createRunSlice: Slice<RunSlice> = (set, get) => {
  // Live events of the shown run that arrive while its events.jsonl is being read: the file read
  // replaces the state, so these are folded again on top (the fold skips seqs it already has).
  let liveDuringOpen: RunEvent[] | null = null;
  return {
    runDir: null,
    run: emptyRun,
    runBusy: false,
    runEventReceived(runDir, event) {
      if (runDir !== get().runDir) return;
      liveDuringOpen?.push(event);
      set({ run: foldEvent(get().run, event) });
    },
    runOpened(runDir, events, configText) {
      const live = runDir === get().runDir ? (liveDuringOpen ?? []) : [];
      set({ runDir, run: foldEvents(live, foldEvents(events)) });
      if (configText !== null && get().run.inputDir !== null) set({ inputDir: get().run.inputDir });
    },
    async openRun(runDir) {
      const api = get().api;
      if (!api) return;
      if (runDir !== get().runDir) set({ runDir, run: emptyRun });
      liveDuringOpen = [];
      const r = await api.readRun({ runDir });
      try {
        if (!r.ok) return get().showNotice('error', r.error.message);
        get().runOpened(runDir, r.value.events, r.value.configText);
      } finally {
        liveDuringOpen = null;
      }
      set({ view: 'run' });
    },
    async startRun() {
      const { api, inputDir, configText, lint } = get();
      if (!api || !inputDir) return;
      if (lint.errorCount > 0) {
        set({ view: 'config' });
        return;
      }
      set({ runBusy: true });
      const r = await api.startRun({ inputDir, configText });
      set({ runBusy: false });
      if (!r.ok) return get().showNotice('error', r.error.message);
      // Live events arrive from now on; the file read catches up anything sent before we listened.
      set({ runDir: r.value.runDir, run: emptyRun, view: 'run' });
      get().clearNotice();
      await get().openRun(r.value.runDir);
    },
    async cancelRun() {
      const { api, runDir } = get();
      if (!api || !runDir) return;
      const r = await api.cancelRun({ runDir });
      if (!r.ok) get().showNotice('error', r.error.message);
    },
    async resumeRun() {
      const { api, runDir } = get();
      if (!api || !runDir) return;
      set({ runBusy: true });
      const r = await api.resumeRun({ runDir });
      set({ runBusy: false });
      if (!r.ok) return get().showNotice('error', r.error.message);
      await get().openRun(r.value.runDir);
    },
  };
};
