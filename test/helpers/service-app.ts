import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createApp } from '../../src/app.factory.js';
import { within } from './waiting.js';

export interface ServiceApp {
  app: INestApplication;
  httpUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

/** The service exactly as `npm start` builds it, from the given environment, on port 0. */
export async function startService(env: Record<string, string> = {}): Promise<ServiceApp> {
  const app = await createApp(env, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}

/** Resolves with the upgrade's outcome: 'open' (then closed again), or the refusal's HTTP status. */
export function upgradeOutcome(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 3000,
): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no upgrade outcome for ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    // 'open' is reported once the close handshake is over, so the server no longer counts it.
    socket.once('open', () => {
      socket.once('close', () => {
        clearTimeout(timer);
        resolve('open');
      });
      socket.close(1000);
    });
    socket.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The first message the server sends on a fresh connection to `url`, parsed as JSON. */
export function firstJsonMessage(url: string, timeoutMs = 3000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no message from ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('message', (data) => {
      clearTimeout(timer);
      socket.close(1000);
      resolve(JSON.parse(String(data)));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A `ws` client to `url`, resolved once open (bounded). */
export function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  const socket = new WebSocket(url, options);
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    }),
    `a connection to ${url}`,
  );
}
