import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The one window's options, as a pure function so a test can assert the security settings without
 * an Electron binary (DESIGN.md 6, STYLE.md 5).
 */
export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export function mainWindowOptions(preloadPath: string, bounds: WindowBounds): BrowserWindowConstructorOptions {
  return {
    x: bounds.x,
    y: bounds.y,
    width: Math.max(800, bounds.width),
    height: Math.max(600, bounds.height),
    minWidth: 800,
    minHeight: 600,
    show: false,
    backgroundColor: '#0e1116',
    title: 'Tile Compile',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  };
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1400, height: 900 };

/** Only the app's own page may be shown; everything else is refused (navigation, new windows). */
export function isAppUrl(url: string, appUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(appUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/** External links open in the system browser, and only https ones. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
