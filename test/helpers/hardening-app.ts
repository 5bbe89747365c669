import type { INestApplication } from '@nestjs/common';
import { ApplicationConfig } from '@nestjs/core';
import { Rfc6455Adapter } from '../../src/adapter/index.js';
import type { WebSocketConnection, WebSocketServer } from '../../src/websocket/index.js';
import { eventually } from './waiting.js';

export { samplesOf, valueOf, type Sample } from './hardening-metrics-text.js';

/** The Rfc6455Adapter createApp() installed on `app`. */
export function adapterOf(app: INestApplication): Rfc6455Adapter {
  const adapter = app.get(ApplicationConfig).getIoAdapter();
  if (!(adapter instanceof Rfc6455Adapter)) throw new Error('the app has no Rfc6455Adapter');
  return adapter;
}

/** The WebSocketServer serving `path` on the app's port. */
export function gatewayServer(app: INestApplication, path: string): WebSocketServer {
  const found = adapterOf(app)
    .gatewayServers()
    .find((gateway) => gateway.port === 0 && gateway.path === path);
  if (found === undefined) throw new Error(`no gateway on ${path}`);
  return found.server;
}

/** The server-side connection of the client whose local port is `clientPort`. */
export function serverSideOf(server: WebSocketServer, clientPort: number): WebSocketConnection {
  for (const connection of server.clients) {
    const socket = (connection as unknown as { socket: { remotePort?: number } }).socket;
    if (socket.remotePort === clientPort) return connection;
  }
  throw new Error(`no server-side connection for client port ${clientPort}`);
}

export { eventually };

export async function scrape(httpUrl: string): Promise<string> {
  const response = await fetch(`${httpUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}
