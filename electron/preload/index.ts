import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { API_VERBS, checkPush, checkRequest, type TileCompileApi } from '../../shared/contract/api';
import type { PushChannel, PushOf } from '../../shared/contract/channels';

/**
 * The preload exposes verbs, never ipcRenderer (STYLE.md 4): one function per contract channel,
 * each validating its request before it leaves the page, plus event subscriptions that return
 * their own unsubscribe. Same shape as the browser host's WebSocket client.
 */
const DROP_CHANNEL = 'drop:allow';

const verbs = Object.fromEntries(
  Object.entries(API_VERBS).map(([verb, channel]) => [
    verb,
    async (request: unknown) => {
      const checked = checkRequest(channel, request);
      if (!checked.ok) return { ok: false, error: checked.error };
      return ipcRenderer.invoke(channel, checked.request);
    },
  ]),
);

function subscribe<C extends PushChannel>(channel: C, listener: (payload: PushOf<C>) => void): () => void {
  const handler = (_e: IpcRendererEvent, payload: unknown) => {
    const checked = checkPush(channel, payload);
    if (checked) listener(checked);
  };
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const api: TileCompileApi = {
  ...(verbs as unknown as Omit<TileCompileApi, 'onRunEvent' | 'onMenu' | 'pathForFile'>),
  onRunEvent: (listener) => subscribe('run:event', listener),
  onMenu: (listener) => subscribe('app:menu', listener),
  pathForFile(file: unknown) {
    if (!(file instanceof File)) return null;
    const p = webUtils.getPathForFile(file);
    if (!p) return null;
    ipcRenderer.send(DROP_CHANNEL, p);
    return p;
  },
};

contextBridge.exposeInMainWorld('tileCompile', api);
