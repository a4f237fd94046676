import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RunService } from '../../../shared/contract/api';
import type { RunEvent } from '../../../shared/contract/events';
import { CONTENT_SECURITY_POLICY } from '../../../shared/contract/csp';
import type { ApiHandlers } from '../api-handlers';
import { EventCoalescer } from '../api/event-coalescer';
import { readStatic, resolveStatic } from './static-files';

/**
 * `tile-compile serve`: the renderer over HTTP and the contract over one WebSocket (`/api`), for
 * machines without Electron or a display. Loopback only unless asked; the WebSocket needs the
 * random token printed with the URL, and requests pass through the same api-handlers (validation,
 * allowed roots) as Electron IPC. Wire format: client `{id, channel, request}`, server
 * `{id, result}` for answers and `{push, payload}` for run events.
 */
export interface BrowserHostOptions {
  readonly handlers: ApiHandlers;
  readonly runService: RunService | null;
  readonly staticDir: string;
  readonly host?: string;
  readonly port?: number;
  readonly token?: string;
}

export interface BrowserHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startBrowserHost(opts: BrowserHostOptions): Promise<BrowserHost> {
  const bindHost = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const loopbackOnly = LOOPBACK.has(bindHost);
  let port = 0;

  // DNS rebinding: a loopback host answers only to its own names, never to a foreign Host header.
  const hostAllowed = (header: string | undefined): boolean => {
    if (!loopbackOnly) return true;
    if (header === undefined) return false;
    return header === `127.0.0.1:${port}` || header === `localhost:${port}` || header === `[::1]:${port}`;
  };

  const server = createServer((req, res) => {
    void serveStatic(req, res);
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host)) return end(res, 421, 'Misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'Method not allowed');
    const url = new URL(req.url ?? '/', 'http://x');
    const found = await resolveStatic(opts.staticDir, url.pathname);
    if (found === null) return end(res, 404, 'Not found');
    const body = await readStatic(found.file);
    res.writeHead(200, {
      'Content-Type': found.type,
      'Content-Length': body.length,
      'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!hostAllowed(req.headers.host)) return refuse(421, 'Misdirected Request');
    // A page from another site must not drive the API even if it guessed the port.
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      void answer(ws, data.toString());
    });
  });

  async function answer(ws: WebSocket, text: string): Promise<void> {
    let msg: { id?: unknown; channel?: unknown; request?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return ws.close(1007, 'not JSON');
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') return ws.close(1008, 'malformed message');
    const result = await opts.handlers.handle(msg.channel, msg.request);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: msg.id, result }));
  }

  const coalescer = new EventCoalescer((batch) => {
    for (const client of wss.clients) {
      if (client.readyState !== client.OPEN) continue;
      for (const payload of batch) client.send(JSON.stringify({ push: 'run:event', payload }));
    }
  });
  const unsubscribe = opts.runService?.subscribe((runDir: string, event: RunEvent) => coalescer.push(runDir, event)) ?? (() => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    async close() {
      unsubscribe();
      coalescer.flush();
      coalescer.dispose();
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function end(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
