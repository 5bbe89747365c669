import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import type { WebSocketConnection } from './connection.js';
import { WebSocketServer } from './server.js';
import { normalisePath, requestPath, UpgradeRouter } from './upgrade-router.js';
import { within } from '../../test/helpers/waiting.js';

const next = <T extends unknown[]>(emitter: EventEmitter, event: string): Promise<T> =>
  within(new Promise<T>((resolve) => emitter.once(event, (...args) => resolve(args as T))), `waiting for '${event}'`);

const httpServers: http.Server[] = [];
const wsServers: WebSocketServer[] = [];

async function listen(): Promise<{ httpServer: http.Server; port: number }> {
  const httpServer = http.createServer((_req, res) => res.end('ok'));
  httpServers.push(httpServer);
  httpServer.listen(0, '127.0.0.1');
  await next(httpServer, 'listening');
  return { httpServer, port: (httpServer.address() as net.AddressInfo).port };
}

function wsServer(): WebSocketServer {
  const server = new WebSocketServer();
  wsServers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of wsServers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await within(new Promise<void>((resolve) => server.close(() => resolve())), 'a WebSocket server to close');
  }
  for (const server of httpServers.splice(0)) {
    UpgradeRouter.for(server).detach();
    server.closeAllConnections();
    await within(new Promise<void>((resolve) => server.close(() => resolve())), 'the HTTP server to close');
  }
});

/** Sends a raw upgrade request and resolves with the status code of the answer. */
function statusOf(port: number, path: string, upgrade = 'websocket'): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: ${upgrade}\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  return within(
    new Promise<number>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          resolve(101);
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(Number(text.split(' ')[1])));
    }),
    `the answer for ${path}`,
  );
}

describe('UpgradeRouter', () => {
  describe('paths', () => {
    it.each([
      ['/chat', '/chat'],
      ['/chat?x=1', '/chat'],
      ['/chat/?x=1#frag', '/chat'],
      ['/chat#frag', '/chat'],
      ['/', '/'],
      ['/?token=abc', '/'],
      ['', '/'],
      ['//', '/'],
      ['/a/b/', '/a/b'],
      ['http://example.com/chat?x=1', '/chat'],
      ['ws://example.com', '/'],
      ['http://example.com?x', '/'],
    ])('routes the request target %j to %j', (url, path) => {
      expect(requestPath(url)).toBe(path);
    });

    it.each([
      ['chat', '/chat'],
      ['/chat/', '/chat'],
      ['/', '/'],
      ['', '/'],
    ])('normalises the route %j to %j', (path, expected) => {
      expect(normalisePath(path)).toBe(expected);
    });
  });

  it('keeps one router per HTTP server', async () => {
    const { httpServer } = await listen();
    const { httpServer: other } = await listen();
    expect(UpgradeRouter.for(httpServer)).toBe(UpgradeRouter.for(httpServer));
    expect(UpgradeRouter.for(other)).not.toBe(UpgradeRouter.for(httpServer));
    expect(httpServer.listenerCount('upgrade')).toBe(1);
  });

  it('routes upgrades to the server registered for the path, ignoring the query string', async () => {
    const { httpServer, port } = await listen();
    const chat = wsServer();
    const root = wsServer();
    const router = UpgradeRouter.for(httpServer);
    router.add('/chat', chat);
    router.add('/', root);
    const chatConnection = next<[WebSocketConnection]>(chat, 'connection');
    const rootConnection = next<[WebSocketConnection]>(root, 'connection');
    const clients = [
      new WebSocket(`ws://127.0.0.1:${port}/chat?x=1`),
      new WebSocket(`ws://127.0.0.1:${port}/?name=ada`),
    ];
    const opened = Promise.all(clients.map((client) => next(client, 'open')));
    await chatConnection;
    await rootConnection;
    await opened;
    expect(chat.clients.size).toBe(1);
    expect(root.clients.size).toBe(1);
    for (const client of clients) client.terminate();
  });

  it('answers 404 for a path without a server and never leaves the socket hanging', async () => {
    const { httpServer, port } = await listen();
    UpgradeRouter.for(httpServer).add('/chat', wsServer());
    expect(await statusOf(port, '/nope')).toBe(404);
    expect(await statusOf(port, '/chatroom')).toBe(404);
  });

  it('answers 400 for an upgrade to another protocol', async () => {
    const { httpServer, port } = await listen();
    UpgradeRouter.for(httpServer).add('/chat', wsServer());
    expect(await statusOf(port, '/chat', 'h2c')).toBe(400);
  });

  it('tells its refusal listener of every upgrade it refuses itself, with the status', async () => {
    const { httpServer, port } = await listen();
    const router = UpgradeRouter.for(httpServer);
    router.add('/chat', wsServerWith({ allowedOrigins: ['https://x.example'] }));
    const refused: Array<[number, string | undefined]> = [];
    router.onRefusal((status, request) => refused.push([status, request.url]));
    expect(await statusOf(port, '/nope')).toBe(404);
    expect(await statusOf(port, '/chat', 'h2c')).toBe(400);
    expect(await statusOf(port, '/chat')).toBe(403);
    expect(refused).toEqual([
      [404, '/nope'],
      [400, '/chat'],
    ]);
  });

  it('lets the WebSocket server answer bad handshakes on a known path', async () => {
    const { httpServer, port } = await listen();
    UpgradeRouter.for(httpServer).add('/chat', wsServerWith({ allowedOrigins: ['https://x.example'] }));
    expect(await statusOf(port, '/chat')).toBe(403);
  });

  it('refuses a second server on the same (normalised) path', async () => {
    const { httpServer } = await listen();
    const router = UpgradeRouter.for(httpServer);
    router.add('/chat', wsServer());
    expect(() => router.add('/chat/', wsServer())).toThrow(/already attached to \/chat/);
  });

  it('answers 404 after a path is removed, and accepts a new server there', async () => {
    const { httpServer, port } = await listen();
    const router = UpgradeRouter.for(httpServer);
    router.add('/chat', wsServer());
    expect(await statusOf(port, '/chat')).toBe(101);
    router.remove('/chat/');
    expect(await statusOf(port, '/chat')).toBe(404);
    router.add('/chat', wsServer());
    expect(await statusOf(port, '/chat')).toBe(101);
  });

  it('removes its upgrade listener on detach and hands out a fresh router afterwards', async () => {
    const { httpServer } = await listen();
    const router = UpgradeRouter.for(httpServer);
    router.add('/chat', wsServer());
    router.detach();
    expect(httpServer.listenerCount('upgrade')).toBe(0);
    const fresh = UpgradeRouter.for(httpServer);
    expect(fresh).not.toBe(router);
    expect(() => fresh.add('/chat', wsServer())).not.toThrow();
  });
});

function wsServerWith(options: ConstructorParameters<typeof WebSocketServer>[0]): WebSocketServer {
  const server = new WebSocketServer(options);
  wsServers.push(server);
  return server;
}
