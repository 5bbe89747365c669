import 'reflect-metadata';
import { Logger, type WsMessageHandler } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClient } from '../../test/helpers/adapter-client.js';
import { findFreePort } from '../../test/helpers/adapter-ports.js';
import { closedByServer, sendRaw, upgradeRequestText } from '../../test/helpers/adapter-raw-http.js';
import { type WebSocketConnection, WebSocketServer } from '../websocket/index.js';
import { ConnectionLog } from '../logging/connection-log.js';
import { Rfc6455Adapter } from './rfc6455.adapter.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function upgradeStatus(port: number, path: string): Promise<number> {
  const response = await sendRaw(port, upgradeRequestText({ path }));
  response.socket.destroy();
  return response.status;
}

describe('Rfc6455Adapter', () => {
  let appServer: Server;
  let appPort: number;
  let adapter: Rfc6455Adapter;

  beforeAll(() => {
    // The adapter logs the configuration errors these tests provoke on purpose
    // (Jest gives each test file its own copy of the Logger class).
    Logger.overrideLogger(false);
  });

  beforeEach(async () => {
    appServer = createServer((_request, response) => response.end('http'));
    appPort = await listen(appServer);
    adapter = new Rfc6455Adapter(appServer, { maxPayload: 4096 });
  });

  afterEach(async () => {
    await adapter.dispose();
    await new Promise((resolve) => appServer.close(resolve));
  });

  describe('gateways on the app server (port 0)', () => {
    it('routes each path to its server without an upgrade listener per gateway', async () => {
      adapter.create(0, { path: '/a' });
      const listeners = appServer.listenerCount('upgrade');
      adapter.create(0, { path: 'b/' });
      expect(appServer.listenerCount('upgrade')).toBe(listeners);
      expect(await upgradeStatus(appPort, '/a')).toBe(101);
      expect(await upgradeStatus(appPort, '/b')).toBe(101);
      expect(await upgradeStatus(appPort, '/c')).toBe(404);
    });

    it('serves "/" for a gateway without a path', async () => {
      adapter.create(0, {});
      expect(await upgradeStatus(appPort, '/')).toBe(101);
      expect(await upgradeStatus(appPort, '/other')).toBe(404);
    });

    it('refuses a second gateway on the same path and keeps the first', async () => {
      adapter.create(0, { path: '/a' });
      expect(() => adapter.create(0, { path: '/a/' })).toThrow('port 0 and path "/a"');
      expect(await upgradeStatus(appPort, '/a')).toBe(101);
    });

    it('refuses namespaces, which only socket.io has', () => {
      expect(() => adapter.create(0, { path: '/a', namespace: '/chat' })).toThrow(/namespaces/);
    });

    it('hands back a server passed in the options', () => {
      const existing = new WebSocketServer();
      expect(adapter.create(0, { server: existing })).toBe(existing);
    });

    it('gives each server the adapter options with the gateway overrides', () => {
      const plain = adapter.create(0, { path: '/plain' });
      const small = adapter.create(0, { path: '/small', maxPayload: 64, maxConnections: 2, cors: true });
      expect(plain.options).toMatchObject({ maxPayload: 4096, maxConnections: 0 });
      expect(small.options).toMatchObject({ maxPayload: 64, maxConnections: 2 });
    });

    it('stops routing to a server once it is closed', async () => {
      const server = adapter.create(0, { path: '/a' });
      const closed = new Promise((resolve) => server.once('close', resolve));
      await adapter.close(server);
      await closed;
      expect(await upgradeStatus(appPort, '/a')).toBe(404);
      adapter.create(0, { path: '/a' });
      expect(await upgradeStatus(appPort, '/a')).toBe(101);
    });

    it('leaves the app server without its listener and with empty registries on dispose', async () => {
      adapter.create(0, { path: '/a' });
      await adapter.dispose();
      expect(appServer.listenerCount('upgrade')).toBe(0);
      expect(appServer.listening).toBe(true);
      adapter.create(0, { path: '/a' });
      expect(await upgradeStatus(appPort, '/a')).toBe(101);
    });
  });

  describe('closing clients', () => {
    it('closes clients with 1001 by default', async () => {
      const server = adapter.create(0, { path: '/a' });
      const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/a`);
      await adapter.close(server);
      expect((await client.closed()).code).toBe(1001);
    });

    it('drops clients without a closing handshake when the app force-closes connections', async () => {
      const server = adapter.create(0, { path: '/a' });
      const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/a`);
      adapter.forceCloseConnections = true;
      await adapter.close(server);
      expect((await client.closed()).code).toBe(1006);
    });
  });

  describe('a gateway on a port of its own', () => {
    it('listens on that port, answers plain HTTP with 426 and closes on dispose', async () => {
      const port = await findFreePort();
      adapter.create(port, { path: '/own' });
      expect(await upgradeStatus(port, '/own')).toBe(101);
      expect(await upgradeStatus(port, '/elsewhere')).toBe(404);
      const plain = await sendRaw(port, 'GET /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(plain.status).toBe(426);
      expect(plain.headers.upgrade).toBe('websocket');
      await closedByServer(plain.socket);
      await adapter.dispose();
      await expect(sendRaw(port, upgradeRequestText({ path: '/own' }))).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    });

    it('shares the port between gateways with paths', async () => {
      const port = await findFreePort();
      adapter.create(port, { path: '/one' });
      adapter.create(port, { path: '/two' });
      expect(await upgradeStatus(port, '/one')).toBe(101);
      expect(await upgradeStatus(port, '/two')).toBe(101);
    });

    it('gives a gateway without a path every path, as a standalone ws server does', async () => {
      const port = await findFreePort();
      adapter.create(port, {});
      expect(await upgradeStatus(port, '/')).toBe(101);
      expect(await upgradeStatus(port, '/any/path?x=1')).toBe(101);
      expect(() => adapter.create(port, { path: '/x' })).toThrow(/without a path takes every path/);
    });
  });

  describe('message handlers', () => {
    const handler: WsMessageHandler = {
      message: 'ping',
      callback: async () => 'pong',
      isAckHandledManually: false,
    };

    it('listens for messages only when the gateway has handlers', async () => {
      const server = adapter.create(0, { path: '/a' });
      const connected = new Promise<WebSocketConnection>((resolve) => server.once('connection', resolve));
      const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/a`);
      const connection = await connected;
      adapter.bindMessageHandlers(connection, [], () => {
        throw new Error('unused');
      });
      expect(connection.listenerCount('message')).toBe(0);
      adapter.bindMessageHandlers(connection, [handler], () => {
        throw new Error('unused');
      });
      expect(connection.listenerCount('message')).toBe(1);
      expect(await client.request('ping')).toBe('pong');
      await client.close();
    });

    it('drops frames nested deeper than maxJsonDepth before the handler, and carries on', async () => {
      const shallow = new Rfc6455Adapter(appServer, { maxJsonDepth: 3 });
      try {
        const server = shallow.create(0, { path: '/depth' });
        const seen: unknown[] = [];
        const echoData: WsMessageHandler = {
          message: 'ping',
          callback: async (data: unknown) => {
            seen.push(data);
            return 'pong';
          },
          isAckHandledManually: false,
        };
        server.on('connection', (connection: WebSocketConnection) =>
          shallow.bindMessageHandlers(connection, [echoData], () => {
            throw new Error('unused');
          }),
        );
        const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/depth`);
        client.emit('ping', [[1]]);
        client.emit('ping', [[[1]]]);
        client.emit('ping', 'last');
        expect(await client.nextJson()).toBe('pong');
        expect(await client.nextJson()).toBe('pong');
        expect(seen).toEqual([[[1]], 'last']);
        await client.close();
      } finally {
        await shallow.dispose();
      }
    });

    it('reports a disconnect on close, with the close code', async () => {
      const server = adapter.create(0, { path: '/a' });
      const connected = new Promise<WebSocketConnection>((resolve) => server.once('connection', resolve));
      const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/a`);
      const connection = await connected;
      const disconnected = new Promise((resolve) => adapter.bindClientDisconnect(connection, resolve));
      await client.close(4000);
      expect(await disconnected).toBe(4000);
    });
  });

  describe('hardening', () => {
    const wsHeaders = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

    it('lists the servers it created with their port and path', () => {
      const a = adapter.create(0, { path: '/a' });
      const b = adapter.create(0, { path: 'b/' });
      expect(adapter.gatewayServers()).toEqual([
        { port: 0, path: '/a', server: a },
        { port: 0, path: '/b', server: b },
      ]);
    });

    it('answers 400 to a WebSocket attempt Node did not treat as an upgrade, on gateway paths only', async () => {
      adapter.create(0, { path: '/a' });
      const attempt = await sendRaw(
        appPort,
        `GET /a?token=x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n${wsHeaders}\r\n`,
      );
      expect(attempt.status).toBe(400);
      await closedByServer(attempt.socket);
      const elsewhere = await sendRaw(appPort, `GET /b HTTP/1.1\r\nHost: x\r\n${wsHeaders}Connection: close\r\n\r\n`);
      expect(elsewhere.status).toBe(200);
      elsewhere.socket.destroy();
      const plain = await sendRaw(appPort, 'GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(plain.status).toBe(200);
      plain.socket.destroy();
    });

    it('gives the app its request listeners back on dispose', async () => {
      const listener = appServer.listeners('request')[0];
      adapter.create(0, { path: '/a' });
      expect(appServer.listeners('request')).not.toContain(listener);
      await adapter.dispose();
      expect(appServer.listeners('request')).toEqual([listener]);
    });

    it('answers 400 to such an attempt on a port of its own, 426 to plain HTTP', async () => {
      const port = await findFreePort();
      adapter.create(port, { path: '/own' });
      const attempt = await sendRaw(port, `GET /own HTTP/1.1\r\nHost: x\r\n${wsHeaders}\r\n`);
      expect(attempt.status).toBe(400);
      await closedByServer(attempt.socket);
      const plain = await sendRaw(port, 'GET /own HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(plain.status).toBe(426);
      plain.socket.destroy();
    });

    it('counts refusals no gateway server saw, by status', async () => {
      adapter.create(0, { path: '/a' });
      expect(await upgradeStatus(appPort, '/nowhere')).toBe(404);
      const h2c = await sendRaw(appPort, upgradeRequestText({ path: '/a', headers: { Upgrade: 'h2c' } }));
      expect(h2c.status).toBe(400);
      h2c.socket.destroy();
      const attempt = await sendRaw(appPort, `GET /a HTTP/1.1\r\nHost: x\r\n${wsHeaders}\r\n`);
      attempt.socket.destroy();
      expect([...adapter.routingStats.upgradesRejected].sort()).toEqual([
        [400, 2],
        [404, 1],
      ]);
    });

    it('answers upgrades with 503 while a closing server waits for its clients', async () => {
      const server = adapter.create(0, { path: '/a', closeTimeoutMs: 300 });
      // A raw client: it never answers the close frame, so the server waits for it.
      const silent = await sendRaw(appPort, upgradeRequestText({ path: '/a' }));
      expect(silent.status).toBe(101);
      const closing = adapter.close(server);
      expect(await upgradeStatus(appPort, '/a')).toBe(503);
      await closing;
      await closedByServer(silent.socket);
      expect(await upgradeStatus(appPort, '/a')).toBe(404);
    });

    it('logs one line per open and close with peer, path, code and duration, never the query', async () => {
      const lines: Array<[string, Record<string, unknown>]> = [];
      const log = new ConnectionLog({
        log: (message: string, fields: Record<string, unknown>) => lines.push([message, fields]),
        error: () => undefined,
        warn: () => undefined,
      });
      const logged = new Rfc6455Adapter(appServer, { connectionLog: log });
      try {
        logged.create(0, { path: '/logged' });
        const client = await TestClient.connect(`ws://127.0.0.1:${appPort}/logged?access_token=secret`);
        await client.close(4001);
        await new Promise<void>((resolve, reject) => {
          const deadline = setTimeout(() => reject(new Error('no close line within 2 s')), 2000);
          const poll = (): void => {
            if (log.openCount === 0) {
              clearTimeout(deadline);
              resolve();
            } else setImmediate(poll);
          };
          poll();
        });
      } finally {
        await logged.dispose();
      }
      expect(lines).toHaveLength(2);
      const [[opened, openFields], [closed, closeFields]] = lines;
      expect(opened).toBe('WebSocket open');
      expect(openFields).toEqual({ peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), path: '/logged' });
      expect(closed).toBe('WebSocket closed');
      expect(closeFields).toEqual({
        peer: openFields.peer,
        path: '/logged',
        code: 4001,
        durationMs: expect.any(Number),
      });
      expect(JSON.stringify(lines)).not.toContain('secret');
    });
  });
});
