import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { TileCompileApi } from '../../../shared/contract/api';
import { createAppSlice } from './app-slice';
import { createConfigSlice } from './config-slice';
import { createHistorySlice } from './history-slice';
import { createInputSlice } from './input-slice';
import { createRunSlice } from './run-slice';
import type { AppState } from './types';

export type { AppState, View, Theme } from './types';

/**
 * One store from typed slices (STYLE.md 16). Created with the host API so tests can make a fresh
 * store per test with no host at all; actions are callable from outside React (the event bridge).
 */
export function createAppStore(api: TileCompileApi | null, initialConfigText = ''): StoreApi<AppState> {
  return createStore<AppState>()((...a) => ({
    ...createAppSlice(api)(...a),
    ...createInputSlice(...a),
    ...createConfigSlice(initialConfigText)(...a),
    ...createRunSlice(...a),
    ...createHistorySlice(...a),
  }));
}

let store: StoreApi<AppState> | null = null;

export function installStore(s: StoreApi<AppState>): void {
  store = s;
}

export function appStore(): StoreApi<AppState> {
  if (store === null) throw new Error('the app store is not installed');
  return store;
}

/** Atomic selector hook: components subscribe to exactly what they read. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore(), selector);
}
