import { API_VERBS, checkPush, checkResult, type TileCompileApi } from '../../../shared/contract/api';
import type { ApiResult, Channel, PushOf, RequestOf, ResponseOf } from '../../../shared/contract/channels';

/**
 * The contract over the browser host's WebSocket. Builds the same verb object as the Electron
 * preload, so the renderer never knows which host it talks to. Reconnects after a dropped
 * connection; calls made while disconnected wait for the next connection.
 */
export function createWsApi(url: string): TileCompileApi {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let ready: Promise<WebSocket> | null = null;
  const pending = new Map<number, { channel: Channel; resolve: (r: ApiResult<unknown>) => void }>();
  const runListeners = new Set<(p: PushOf<'run:event'>) => void>();

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.onopen = () => {
        ws = socket;
        resolve(socket);
      };
      socket.onerror = () => reject(new Error('cannot reach the Tile Compile host'));
      socket.onclose = () => {
        ws = null;
        ready = null;
        for (const [id, p] of pending) {
          p.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'the connection to the host was lost' } });
          pending.delete(id);
        }
      };
      socket.onmessage = (m) => {
        let msg: { id?: number; result?: unknown; push?: string; payload?: unknown };
        try {
          msg = JSON.parse(String(m.data)) as typeof msg;
        } catch {
          return;
        }
        if (typeof msg.id === 'number') {
          const p = pending.get(msg.id);
          if (p) {
            pending.delete(msg.id);
            p.resolve(checkResult(p.channel, msg.result));
          }
        } else if (msg.push === 'run:event') {
          const payload = checkPush('run:event', msg.payload);
          if (payload) for (const l of runListeners) l(payload);
        }
      };
    });
    ready.catch(() => {
      ready = null;
    });
    return ready;
  };

  async function call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ApiResult<ResponseOf<C>>> {
    let socket: WebSocket;
    try {
      socket = ws ?? (await connect());
    } catch (err) {
      return { ok: false, error: { code: 'UNAVAILABLE', message: (err as Error).message } };
    }
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { channel, resolve: resolve as (r: ApiResult<unknown>) => void });
      socket.send(JSON.stringify({ id, channel, request }));
    });
  }

  const verbs = Object.fromEntries(
    Object.entries(API_VERBS).map(([verb, channel]) => [verb, (req: unknown) => call(channel, req as never)]),
  ) as unknown as Omit<TileCompileApi, 'onRunEvent' | 'onMenu' | 'pathForFile'>;

  return {
    ...verbs,
    onRunEvent(listener) {
      runListeners.add(listener);
      void connect().catch(() => undefined);
      return () => runListeners.delete(listener);
    },
    onMenu() {
      return () => undefined;
    },
    pathForFile() {
      return null;
    },
  };
}
