import type { TileCompileApi } from '../../../shared/contract/api';
import { createWsApi } from './ws-client';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a plain browser. */
    readonly tileCompile?: TileCompileApi;
  }
}

/** The API of whichever host loaded this page: Electron's preload, else the browser host's WebSocket. */
export function connectHost(): TileCompileApi | null {
  if (window.tileCompile) return window.tileCompile;
  const token = new URLSearchParams(window.location.search).get('token');
  if (token === null || window.location.protocol === 'file:') return null;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWsApi(`${scheme}//${window.location.host}/api?token=${encodeURIComponent(token)}`);
}
