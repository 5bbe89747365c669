import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import WebSocket from 'ws';
import { WebSocketConnection } from './connection.js';
import { HandshakeRejection } from './errors.js';
import { computeAccept } from './handshake.js';
import { WebSocketServer, type WebSocketServerOptions } from './server.js';
import { eventually, within } from '../../test/helpers/waiting.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const next = <T extends unknown[]>(emitter: EventEmitter, event: string): Promise<T> =>
  within(new Promise<T>((resolve) => emitter.once(event, (...args) => resolve(args as T))), `waiting for '${event}'`);

interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The server closed the connection after answering. */
  closed: boolean;
  socket: net.Socket;
  /** Bytes after the response head (WebSocket frames after a 101). */
  rest: Buffer;
}

const sockets: net.Socket[] = [];

/** Sends a raw HTTP request; resolves at the end of the response head for a 101, else at close. */
function exchange(port: number, request: string, extra?: Buffer): Promise<Response> {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.write(extra ? Buffer.concat([Buffer.from(request), extra]) : request);
  return within(
    new Promise<Response>((resolve) => {
      let received = Buffer.alloc(0);
      let done = false;
      const finish = (closed: boolean): void => {
        const end = received.indexOf('\r\n\r\n');
        if (done || end === -1) return;
        const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(statusLine.split(' ')[1]);
        if (status !== 101 && !closed) return;
        done = true;
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const rest = received.subarray(end + 4);
        resolve({ status, headers, body: rest.toString(), closed, socket, rest });
      };
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        finish(false);
      });
      socket.on('error', () => {});
      socket.on('close', () => finish(true));
    }),
    'the HTTP response',
  );
}

function upgradeRequest(headers: Record<string, string | undefined> = {}, requestLine = 'GET /chat HTTP/1.1'): string {
  const all: Record<string, string | undefined> = {
    Host: 'localhost',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

interface Harness {
  wss: WebSocketServer;
  port: number;
  http: http.Server;
}

const harnesses: Harness[] = [];

async function start(options?: WebSocketServerOptions): Promise<Harness> {
  const wss = new WebSocketServer(options);
  const httpServer = http.createServer((_req, res) => res.end('plain http'));
  httpServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
  httpServer.listen(0, '127.0.0.1');
  await next(httpServer, 'listening');
  const harness = { wss, http: httpServer, port: (httpServer.address() as net.AddressInfo).port };
  harnesses.push(harness);
  return harness;
}

/** The server's end of the next upgrade request (its 'close' is what the server sees). */
async function serverSideOfNextUpgrade(httpServer: http.Server): Promise<net.Socket> {
  const [, socket] = await next<[http.IncomingMessage, net.Socket]>(httpServer, 'upgrade');
  return socket;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const { wss, http: httpServer } of harnesses.splice(0)) {
    for (const client of wss.clients) client.terminate();
    await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'the WebSocket server to close');
    httpServer.closeAllConnections();
    await within(new Promise<void>((resolve) => httpServer.close(() => resolve())), 'the HTTP server to close');
  }
});

function openClient(
  port: number,
  path = '/chat',
  protocols?: string[],
  options?: WebSocket.ClientOptions,
): Promise<WebSocket> {
  const client = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols, options);
  return within(
    new Promise<WebSocket>((resolve, reject) => {
      client.once('open', () => resolve(client));
      client.once('error', reject);
    }),
    'the ws client to open',
  );
}

describe('WebSocketServer', () => {
  describe('options', () => {
    it('fills in the defaults', () => {
      expect(new WebSocketServer().options).toEqual({
        maxPayload: 1_048_576,
        allowedOrigins: [],
        maxConnections: 0,
        maxHeaderBytes: 0,
        closeTimeoutMs: 5000,
        sendBufferLimit: 4_194_304,
        heartbeatMs: 30_000,
        perMessageDeflate: false,
        handleProtocols: undefined,
        authorize: undefined,
      });
    });

    it.each(['maxPayload', 'maxConnections', 'maxHeaderBytes', 'closeTimeoutMs', 'sendBufferLimit', 'heartbeatMs'])(
      'refuses a negative %s',
      (name) => {
        expect(() => new WebSocketServer({ [name]: -1 })).toThrow(RangeError);
      },
    );
  });

  describe('accepting', () => {
    it('answers a valid handshake with 101 and the accept value', async () => {
      const { port, wss } = await start();
      const connected = next<[WebSocketConnection, http.IncomingMessage]>(wss, 'connection');
      const response = await exchange(port, upgradeRequest());
      expect(response.status).toBe(101);
      expect(response.headers).toEqual({
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      });
      const [conn, req] = await connected;
      expect(conn).toBeInstanceOf(WebSocketConnection);
      expect(req.url).toBe('/chat');
      expect(wss.clients.has(conn)).toBe(true);
    });

    it('calls the handleUpgrade callback with the connection and the request', async () => {
      const wss = new WebSocketServer();
      const httpServer = http.createServer();
      harnesses.push({ wss, http: httpServer, port: 0 });
      const upgraded = new Promise<[WebSocketConnection, http.IncomingMessage]>((resolve) =>
        httpServer.on('upgrade', (req, socket, head) =>
          wss.handleUpgrade(req, socket, head, (c, r) => resolve([c, r])),
        ),
      );
      httpServer.listen(0, '127.0.0.1');
      await next(httpServer, 'listening');
      const client = await openClient((httpServer.address() as net.AddressInfo).port);
      const [conn, req] = await within(upgraded, 'the upgrade callback');
      expect(conn.readyState).toBe(WebSocketConnection.OPEN);
      expect(req.headers['sec-websocket-version']).toBe('13');
      client.terminate();
    });

    it('talks to a ws client: text, binary, ping and the closing handshake', async () => {
      const { port, wss } = await start();
      wss.on('connection', (conn: WebSocketConnection) => {
        conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(isBinary ? data : data.toString()));
      });
      const client = await openClient(port);
      const replies: Array<[string, boolean]> = [];
      const got = new Promise<void>((resolve) =>
        client.on('message', (data: Buffer, isBinary: boolean) => {
          replies.push([isBinary ? data.toString('hex') : data.toString(), isBinary]);
          if (replies.length === 2) resolve();
        }),
      );
      client.send('héllo');
      client.send(Buffer.from([1, 2, 3]));
      await within(got, 'two echoes');
      expect(replies).toEqual([
        ['héllo', false],
        ['010203', true],
      ]);
      const pong = next<[Buffer]>(client, 'pong');
      client.ping('are you there');
      expect((await pong)[0].toString()).toBe('are you there');
      const serverConn = [...wss.clients][0];
      const serverClosed = next<[number, Buffer]>(serverConn, 'close');
      const clientClosed = next<[number, Buffer]>(client, 'close');
      client.close(4001, 'done');
      expect((await clientClosed)[0]).toBe(4001);
      const [code, reason] = await serverClosed;
      expect([code, reason.toString()]).toEqual([4001, 'done']);
      expect(wss.clients.size).toBe(0);
    });

    it('delivers a frame that arrived in the same packet as the upgrade request', async () => {
      const { port, wss } = await start();
      // Listeners attached synchronously in the 'connection' handler see every message.
      const message = within(
        new Promise<Buffer>((resolve) =>
          wss.on('connection', (conn: WebSocketConnection) => conn.on('message', resolve)),
        ),
        'the early message',
      );
      const response = exchange(port, upgradeRequest(), hex('81 82 00 00 00 00 68 69'));
      expect((await message).toString()).toBe('hi');
      expect((await response).status).toBe(101);
    });

    it('declines extensions, permessage-deflate included, by leaving them out of the 101', async () => {
      const { port } = await start();
      const response = await exchange(
        port,
        upgradeRequest({ 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' }),
      );
      expect(response.status).toBe(101);
      expect(response.headers['sec-websocket-extensions']).toBeUndefined();
    });

    it('gives the connection the remote address', async () => {
      const { port, wss } = await start();
      const connected = next<[WebSocketConnection]>(wss, 'connection');
      await exchange(port, upgradeRequest());
      expect((await connected)[0].remoteAddress).toBe('127.0.0.1');
    });
  });

  describe('refusing bad handshakes', () => {
    // Requests without "Connection: upgrade" never reach an 'upgrade' listener (Node's HTTP
    // parser serves them as plain requests); handshake.spec.ts covers that header.
    it.each<[string, number, string, Record<string, string>]>([
      ['a POST request', 400, upgradeRequest({}, 'POST /chat HTTP/1.1'), {}],
      ['an HTTP/1.0 request', 400, upgradeRequest({}, 'GET /chat HTTP/1.0'), {}],
      ['an Upgrade for another protocol', 400, upgradeRequest({ Upgrade: 'h2c' }), {}],
      ['a missing Host', 400, upgradeRequest({ Host: undefined }), {}],
      ['a missing Sec-WebSocket-Key', 400, upgradeRequest({ 'Sec-WebSocket-Key': undefined }), {}],
      ['a key of the wrong length', 400, upgradeRequest({ 'Sec-WebSocket-Key': 'c2hvcnQ=' }), {}],
      ['a missing version', 400, upgradeRequest({ 'Sec-WebSocket-Version': undefined }), {}],
      ['version 8', 426, upgradeRequest({ 'Sec-WebSocket-Version': '8' }), { 'sec-websocket-version': '13' }],
      ['a bad subprotocol list', 400, upgradeRequest({ 'Sec-WebSocket-Protocol': 'a b' }), {}],
      ['a bad extension list', 400, upgradeRequest({ 'Sec-WebSocket-Extensions': 'a;;' }), {}],
    ])('answers %s with %i and closes the socket', async (_name, status, request, headers) => {
      const { port, wss } = await start();
      let connected = false;
      wss.on('connection', () => (connected = true));
      const response = await exchange(port, request);
      expect(response.status).toBe(status);
      expect(response.closed).toBe(true);
      expect(response.headers).toMatchObject({
        connection: 'close',
        'content-type': 'text/plain; charset=utf-8',
        'content-length': String(Buffer.byteLength(response.body)),
        ...headers,
      });
      expect(response.body.length).toBeGreaterThan(0);
      expect(connected).toBe(false);
      expect(wss.clients.size).toBe(0);
    });
  });

  describe('allowedOrigins', () => {
    it('accepts a listed origin', async () => {
      const { port } = await start({ allowedOrigins: ['https://chat.example.com'] });
      expect((await exchange(port, upgradeRequest({ Origin: 'https://chat.example.com' }))).status).toBe(101);
    });

    it('answers 403 for an origin that is not listed', async () => {
      const { port } = await start({ allowedOrigins: ['https://chat.example.com'] });
      const response = await exchange(port, upgradeRequest({ Origin: 'https://evil.example.com' }));
      expect([response.status, response.closed]).toEqual([403, true]);
    });

    it('answers 403 for a request without Origin', async () => {
      const { port } = await start({ allowedOrigins: ['https://chat.example.com'] });
      expect((await exchange(port, upgradeRequest())).status).toBe(403);
    });
  });

  describe('maxHeaderBytes', () => {
    it('answers 431 to an upgrade whose head is larger, and counts it', async () => {
      const { port, wss } = await start({ maxHeaderBytes: 1024 });
      const response = await exchange(port, upgradeRequest({ Cookie: 'c'.repeat(1024) }));
      expect([response.status, response.closed]).toEqual([431, true]);
      expect(wss.clients.size).toBe(0);
      expect(wss.stats.upgradesRejected.get(431)).toBe(1);
    });

    it('accepts a head of exactly the limit', async () => {
      const small = upgradeRequest();
      const { port } = await start({ maxHeaderBytes: Buffer.byteLength(small) });
      expect((await exchange(port, small)).status).toBe(101);
    });
  });

  describe('maxConnections', () => {
    it('answers 503 beyond the limit and accepts again once a client left', async () => {
      const { port, wss } = await start({ maxConnections: 1 });
      const first = await openClient(port);
      const refused = await exchange(port, upgradeRequest());
      expect([refused.status, refused.closed]).toEqual([503, true]);
      const serverConn = [...wss.clients][0];
      const gone = next(serverConn, 'close');
      first.terminate();
      await gone;
      expect((await exchange(port, upgradeRequest())).status).toBe(101);
    });

    it('counts upgrades still waiting for authorize against the limit', async () => {
      let release: ((value: unknown) => void) | undefined;
      const { port } = await start({
        maxConnections: 1,
        authorize: () => new Promise((resolve) => (release = resolve)),
      });
      const waiting = exchange(port, upgradeRequest());
      await eventually(() => release !== undefined, 'authorize to be called');
      expect((await exchange(port, upgradeRequest())).status).toBe(503);
      release!({ user: 'a' });
      expect((await waiting).status).toBe(101);
    });
  });

  describe('authorize', () => {
    it('puts what authorize returned on the connection as principal', async () => {
      const { port, wss } = await start({ authorize: (req) => ({ name: req.headers['x-user'] }) });
      const connected = next<[WebSocketConnection]>(wss, 'connection');
      expect((await exchange(port, upgradeRequest({ 'X-User': 'ada' }))).status).toBe(101);
      expect((await connected)[0].principal).toEqual({ name: 'ada' });
    });

    it('waits for an async authorize', async () => {
      const { port, wss } = await start({ authorize: async () => 'token-owner' });
      const connected = next<[WebSocketConnection]>(wss, 'connection');
      expect((await exchange(port, upgradeRequest())).status).toBe(101);
      expect((await connected)[0].principal).toBe('token-owner');
    });

    it.each([
      ['false', () => false],
      ['undefined', () => undefined],
      ['a promise of false', async () => false],
    ])('answers 401 when authorize returns %s', async (_name, authorize) => {
      const { port } = await start({ authorize });
      const response = await exchange(port, upgradeRequest());
      expect([response.status, response.closed]).toEqual([401, true]);
    });

    it('answers with the status and headers of a HandshakeRejection', async () => {
      const { port } = await start({
        authorize: async () => {
          throw new HandshakeRejection(429, 'Slow down', { 'Retry-After': '5' });
        },
      });
      const response = await exchange(port, upgradeRequest());
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body).toBe('Slow down');
    });

    it('answers 500 for a HandshakeRejection without an error status', async () => {
      const { port } = await start({
        authorize: () => {
          throw new HandshakeRejection(200, 'not an error');
        },
      });
      expect((await exchange(port, upgradeRequest())).status).toBe(500);
    });

    it('answers 500 and emits error when authorize throws something else', async () => {
      const failure = new Error('database down');
      const { port, wss } = await start({
        authorize: () => {
          throw failure;
        },
      });
      const errored = next<[Error]>(wss, 'error');
      expect((await exchange(port, upgradeRequest())).status).toBe(500);
      expect((await errored)[0]).toBe(failure);
    });

    it('abandons the upgrade quietly when the socket dies during an async authorize', async () => {
      let release: ((value: unknown) => void) | undefined;
      let called!: () => void;
      const authorizeCalled = new Promise<void>((resolve) => (called = resolve));
      const {
        port,
        wss,
        http: httpServer,
      } = await start({
        maxConnections: 1,
        // The first call waits for release(); later ones accept at once.
        authorize: () =>
          release === undefined
            ? new Promise((resolve) => {
                release = resolve;
                called();
              })
            : { user: 'next' },
      });
      let connected = false;
      wss.on('connection', () => (connected = true));
      const upgrading = serverSideOfNextUpgrade(httpServer);
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.write(upgradeRequest());
      await within(authorizeCalled, 'authorize to be called');
      const serverClosed = next(await upgrading, 'close');
      socket.destroy();
      await serverClosed;
      release!({ user: 'late' });
      await within(new Promise((resolve) => setImmediate(resolve)), 'a turn of the event loop');
      expect(connected).toBe(false);
      expect(wss.clients.size).toBe(0);
      // The pending slot was given back.
      expect((await exchange(port, upgradeRequest())).status).toBe(101);
    });
    it('replays frames the client sent while authorize was still running', async () => {
      let release: ((value: unknown) => void) | undefined;
      const {
        port,
        wss,
        http: httpServer,
      } = await start({
        authorize: () => new Promise((resolve) => (release = resolve)),
      });
      const upgrading = serverSideOfNextUpgrade(httpServer);
      const message = within(
        new Promise<Buffer>((resolve) =>
          wss.on('connection', (conn: WebSocketConnection) => conn.on('message', resolve)),
        ),
        'the early message',
      );
      const response = exchange(port, upgradeRequest());
      await eventually(() => release !== undefined, 'authorize to be called');
      const serverSide = await upgrading;
      const readBefore = serverSide.bytesRead;
      sockets.at(-1)!.write(hex('81 82 00 00 00 00 68 69'));
      await eventually(() => serverSide.bytesRead === readBefore + 8, 'the frame to reach the server');
      release!('ok');
      expect((await response).status).toBe(101);
      expect((await message).toString()).toBe('hi');
    });

    it('does not answer a socket that died before authorize rejected', async () => {
      let reject: ((reason: unknown) => void) | undefined;
      const {
        port,
        wss,
        http: httpServer,
      } = await start({
        authorize: () => new Promise((_, no) => (reject = no)),
      });
      const upgrading = serverSideOfNextUpgrade(httpServer);
      const errors: unknown[] = [];
      wss.on('error', (error: unknown) => errors.push(error));
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.write(upgradeRequest());
      await eventually(() => reject !== undefined, 'authorize to be called');
      const serverClosed = next(await upgrading, 'close');
      socket.resetAndDestroy();
      await serverClosed;
      reject!(new Error('too late'));
      // The rejection is handled on the microtask queue, before the next macrotask.
      await new Promise((resolve) => setImmediate(resolve));
      expect(errors).toEqual([]);
    });
  });

  describe('handleProtocols', () => {
    it('selects the subprotocol handleProtocols picks', async () => {
      const { port, wss } = await start({ handleProtocols: (offered) => offered.find((p) => p === 'v2') ?? false });
      const connected = next<[WebSocketConnection]>(wss, 'connection');
      const response = await exchange(port, upgradeRequest({ 'Sec-WebSocket-Protocol': 'v1, v2' }));
      expect(response.headers['sec-websocket-protocol']).toBe('v2');
      expect((await connected)[0].protocol).toBe('v2');
    });

    it('selects nothing when handleProtocols returns false', async () => {
      const { port } = await start({ handleProtocols: () => false });
      const response = await exchange(port, upgradeRequest({ 'Sec-WebSocket-Protocol': 'v1' }));
      expect(response.status).toBe(101);
      expect(response.headers['sec-websocket-protocol']).toBeUndefined();
    });

    it('never selects a protocol the client did not offer', async () => {
      const { port } = await start({ handleProtocols: () => 'v9' });
      const response = await exchange(port, upgradeRequest({ 'Sec-WebSocket-Protocol': 'v1' }));
      expect(response.headers['sec-websocket-protocol']).toBeUndefined();
    });

    it('selects nothing without handleProtocols', async () => {
      const { port } = await start();
      const response = await exchange(port, upgradeRequest({ 'Sec-WebSocket-Protocol': 'v1' }));
      expect(response.headers['sec-websocket-protocol']).toBeUndefined();
    });

    it('lets a ws client see the negotiated protocol', async () => {
      const { port } = await start({ handleProtocols: (offered) => offered[0] });
      const client = await openClient(port, '/chat', ['chat.v1', 'chat.v0']);
      expect(client.protocol).toBe('chat.v1');
      client.terminate();
    });
  });

  describe('close', () => {
    it('closes every client with 1001 and calls back once they are gone', async () => {
      const { port, wss } = await start();
      const clients = await Promise.all([openClient(port), openClient(port)]);
      const codes = clients.map((client) => next<[number]>(client, 'close'));
      const closed = within(new Promise<void>((resolve) => wss.close(() => resolve())), 'close callback');
      expect((await Promise.all(codes)).map(([code]) => code)).toEqual([1001, 1001]);
      await closed;
      expect(wss.clients.size).toBe(0);
    });

    it('answers 503 to upgrades after close', async () => {
      const { port, wss } = await start();
      await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'close callback');
      expect((await exchange(port, upgradeRequest())).status).toBe(503);
    });

    it('calls back at once when there are no clients, and again on a second close', async () => {
      const wss = new WebSocketServer();
      await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'first close callback');
      await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'second close callback');
    });

    it('does not wait longer than closeTimeoutMs for clients that never answer', async () => {
      const { port, wss } = await start({ closeTimeoutMs: 100 });
      const connected = next<[WebSocketConnection]>(wss, 'connection');
      const raw = await exchange(port, upgradeRequest());
      expect(raw.status).toBe(101);
      const [conn] = await connected;
      const code = next<[number]>(conn, 'close');
      await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'close callback');
      expect((await code)[0]).toBe(1006);
    });
  });

  it('computes the same accept value as the handshake module', async () => {
    const { port } = await start();
    const key = 'AQIDBAUGBwgJCgsMDQ4PEA==';
    const response = await exchange(port, upgradeRequest({ 'Sec-WebSocket-Key': key }));
    expect(response.headers['sec-websocket-accept']).toBe(computeAccept(key));
  });
});
