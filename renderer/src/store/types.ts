import type { StateCreator } from 'zustand';
import type { TileCompileApi } from '../../../shared/contract/api';
import type { AppInfo, RunSummary } from '../../../shared/contract/channels';
import type { RunEvent } from '../../../shared/contract/events';
import type { ScanReport } from '../../../shared/pipeline/scan-types';
import type { ConfigLint } from '../lib/config-service';
import type { Lang } from '../i18n';
import type { RunState } from './run-fold';

export type View = 'input' | 'config' | 'run' | 'quality' | 'result' | 'logs' | 'history';
export type Theme = 'dark' | 'night';

export interface AppSlice {
  api: TileCompileApi | null;
  appInfo: AppInfo | null;
  view: View;
  theme: Theme;
  lang: Lang;
  /** One plain-language message at the top of the window; null = none. */
  notice: { level: 'info' | 'error'; text: string } | null;
  setView(view: View): void;
  setTheme(theme: Theme): void;
  setLang(lang: Lang): void;
  showNotice(level: 'info' | 'error', text: string): void;
  clearNotice(): void;
  loadAppInfo(): Promise<void>;
}

export interface InputSlice {
  inputDir: string | null;
  scan: ScanReport | null;
  /** The configuration text the scan was made with: a different editor text makes the scan stale. */
  scanConfigText: string | null;
  scanning: boolean;
  demoBusy: boolean;
  folderBrowserOpen: boolean;
  scanFolder(dir: string): Promise<void>;
  chooseFolder(): Promise<void>;
  setFolderBrowserOpen(open: boolean): void;
  createDemoData(): Promise<void>;
}

export interface ConfigSlice {
  configText: string;
  lint: ConfigLint;
  /** The text last saved to (or loaded from) `configPath`; differs from configText = unsaved changes. */
  configSavedText: string | null;
  configPath: string | null;
  configSaving: boolean;
  setConfigText(text: string): void;
  setConfigValue(path: string, value: string | number | boolean): void;
  /** Writes the editor text, comments and all, to a .yaml file on the host. */
  saveConfig(path: string): Promise<boolean>;
}

export interface RunSlice {
  runDir: string | null;
  run: RunState;
  runBusy: boolean;
  /** Folds one live event; events of other runs are ignored. */
  runEventReceived(runDir: string, event: RunEvent): void;
  /** Replaces the run state by the fold of a run directory's whole event log. */
  runOpened(runDir: string, events: readonly RunEvent[], configText: string | null): void;
  openRun(runDir: string): Promise<void>;
  startRun(): Promise<void>;
  cancelRun(): Promise<void>;
  resumeRun(): Promise<void>;
}

export interface HistorySlice {
  history: readonly RunSummary[];
  historyLoading: boolean;
  loadHistory(): Promise<void>;
}

export type AppState = AppSlice & InputSlice & ConfigSlice & RunSlice & HistorySlice;
export type Slice<T> = StateCreator<AppState, [], [], T>;
