import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket from 'ws';
import { WebSocketServer, type WebSocketConnection, type WebSocketServerOptions } from '../../src/websocket/index.js';
import { within as withinMs } from './waiting.js';

export const WAIT_MS = 5000;

export interface DeflateEchoServer {
  readonly url: string;
  readonly wss: WebSocketServer;
  readonly http: Server;
  /** The upgraded TCP sockets, to count what really went over the wire. */
  readonly sockets: Socket[];
  close(): Promise<void>;
}

/**
 * The protocol library alone (no Nest) on 127.0.0.1, port 0: every message is echoed with
 * its type. Compression tests need the server's own objects (its pool, its connections),
 * which the Nest app hides.
 */
export async function startDeflateEchoServer(options: WebSocketServerOptions): Promise<DeflateEchoServer> {
  const http = createServer();
  const wss = new WebSocketServer(options);
  const sockets: Socket[] = [];
  http.on('upgrade', (req, socket, head) => {
    sockets.push(socket as Socket);
    wss.handleUpgrade(req, socket, head);
  });
  wss.on('connection', (conn: WebSocketConnection) => {
    conn.on('error', () => undefined);
    conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://127.0.0.1:${port}`,
    wss,
    http,
    sockets,
    close: () =>
      (closing ??= (async () => {
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })()),
  };
}

/** Resolves with `promise`, or fails naming `what` after `ms` (compression under load is slower). */
export const within = <T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> => withinMs(promise, what, ms);

export interface OpenedClient {
  ws: WebSocket;
  /** The 101's Sec-WebSocket-Extensions, or undefined when none was selected. */
  extensions: string | undefined;
}

/** A `ws` client (the reference implementation) with the given permessage-deflate offer. */
export async function openWsClient(
  url: string,
  perMessageDeflate: WebSocket.ClientOptions['perMessageDeflate'],
): Promise<OpenedClient> {
  const ws = new WebSocket(url, { perMessageDeflate });
  let extensions: string | undefined;
  ws.on('upgrade', (res) => {
    const value = res.headers['sec-websocket-extensions'];
    extensions = Array.isArray(value) ? value.join(', ') : value;
  });
  await within(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    `the upgrade to ${url}`,
  );
  return { ws, extensions };
}

/** Collects the next `count` messages of a `ws` client. */
export function nextMessages(
  ws: WebSocket,
  count: number,
  what = `${count} messages`,
  ms?: number,
): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
  const got: Array<{ data: Buffer; isBinary: boolean }> = [];
  return within(
    new Promise((resolve) => {
      const onMessage = (data: WebSocket.RawData, isBinary: boolean) => {
        got.push({ data: data as Buffer, isBinary });
        if (got.length === count) {
          ws.off('message', onMessage);
          resolve(got);
        }
      };
      ws.on('message', onMessage);
    }),
    `${what} (received ${got.length})`,
    ms,
  );
}

/** Resolves with the close code a `ws` client saw. */
export function closeCode(ws: WebSocket): Promise<number> {
  return within(new Promise((resolve) => ws.once('close', (code: number) => resolve(code))), 'the close');
}
