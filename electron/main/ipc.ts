import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import * as path from 'node:path';
import { CHANNELS } from '../../shared/contract/channels';
import type { ApiHandlers } from '../host/api-handlers';
import type { PathGuard } from '../host/api/path-guard';
import { isAppUrl } from './window-options';

/** Internal one-way message from the preload: the path of a real dropped File (never forgeable). */
export const DROP_CHANNEL = 'drop:allow';

/**
 * Registers one handler per contract channel. Every message is dropped unless it comes from the
 * app's own window showing the app's own page (STYLE.md 5); the handlers then validate it again.
 */
export function registerIpc(handlers: ApiHandlers, guard: PathGuard, win: () => BrowserWindow | null, appUrl: string): void {
  const trusted = (e: IpcMainInvokeEvent | IpcMainEvent): boolean => {
    const w = win();
    return w !== null && !w.isDestroyed() && e.sender === w.webContents && e.senderFrame !== null && isAppUrl(e.senderFrame.url, appUrl);
  };
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (e, request: unknown) => {
      if (!trusted(e)) return { ok: false, error: { code: 'PATH_NOT_ALLOWED', message: 'request from an unknown sender' } };
      return handlers.handle(channel, request);
    });
  }
  ipcMain.on(DROP_CHANNEL, (e, p: unknown) => {
    if (!trusted(e) || typeof p !== 'string' || p.length === 0 || p.length > 4096 || !path.isAbsolute(p)) return;
    // A folder (or the folder of a file) the user dropped on the window is theirs to read.
    guard.allow(/\.(fits?|fts)(\.fz)?$/i.test(p) ? path.dirname(p) : p);
  });
}
