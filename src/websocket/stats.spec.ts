import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { WebSocketConnection } from './connection.js';
import { WebSocketServer, type WebSocketServerOptions } from './server.js';
import { WebSocketStats } from './stats.js';
import { within } from '../../test/helpers/waiting.js';

describe('WebSocketStats', () => {
  it('counts rejections by status and closes by code', () => {
    const stats = new WebSocketStats();
    stats.recordRejection(403);
    stats.recordRejection(403);
    stats.recordRejection(503);
    stats.recordClose(1000);
    expect([...stats.upgradesRejected]).toEqual([
      [403, 2],
      [503, 1],
    ]);
    expect([...stats.closeCodes]).toEqual([[1000, 1]]);
  });
});

describe('WebSocketServer stats (real sockets)', () => {
  let httpServer: http.Server;
  let wss: WebSocketServer;
  let port: number;
  const clients: WebSocket[] = [];

  async function start(options: WebSocketServerOptions = {}): Promise<void> {
    wss = new WebSocketServer({ heartbeatMs: 0, ...options });
    httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    port = (httpServer.address() as AddressInfo).port;
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await within(new Promise<void>((resolve) => wss.close(() => resolve())), 'the server to close');
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });

  function connect(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, options);
    clients.push(client);
    return within(
      new Promise<WebSocket>((resolve, reject) => {
        client.once('open', () => resolve(client));
        client.once('error', reject);
      }),
      'the client to open',
    );
  }

  function refusedWith(options: WebSocket.ClientOptions): Promise<number> {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, options);
    // ws reports the refusal as an error too, once the response is consumed.
    client.on('error', () => undefined);
    return within(
      new Promise<number>((resolve, reject) => {
        client.once('unexpected-response', (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        client.once('open', () => reject(new Error('the upgrade was accepted')));
      }),
      'the refusal',
    );
  }

  it('counts accepted upgrades, messages and bytes both ways, and close codes', async () => {
    await start();
    wss.on('connection', (conn: WebSocketConnection) => {
      conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(data, { binary: isBinary }));
    });
    const client = await connect();
    const echoed = new Promise<void>((resolve) => {
      let count = 0;
      client.on('message', () => {
        if (++count === 3) resolve();
      });
    });
    client.send('hello');
    client.send(Buffer.alloc(200));
    client.send('x'.repeat(70_000));
    await within(echoed, 'three echoes');
    client.close(1000);
    await within(new Promise<void>((resolve) => client.once('close', () => resolve())), 'the close handshake');
    // Server side 'close' runs once the TCP socket is gone.
    await within(
      (async () => {
        while (wss.clients.size > 0) await new Promise((resolve) => setImmediate(resolve));
      })(),
      'the server to forget the client',
    );

    const { stats } = wss;
    expect(stats.upgradesAccepted).toBe(1);
    expect(stats.messagesIn).toBe(3);
    expect(stats.messagesOut).toBe(3);
    // Payloads plus headers: client frames are masked (+4), 70000 bytes needs the 64-bit form.
    const payload = 5 + 200 + 70_000;
    expect(stats.bytesOut).toBe(payload + 2 + 4 + 10);
    expect(stats.bytesIn).toBe(payload + (2 + 4) + (4 + 4) + (10 + 4) + (2 + 4 + 2));
    expect([...stats.closeCodes]).toEqual([[1000, 1]]);
    expect(stats.slowConsumerDrops).toBe(0);
  });

  it('counts refused upgrades by status', async () => {
    await start({ allowedOrigins: ['https://ok.example'], maxConnections: 1 });
    expect(await refusedWith({ origin: 'https://evil.example' })).toBe(403);
    expect(await refusedWith({ protocolVersion: 8 })).toBe(426);
    await connect({ origin: 'https://ok.example' });
    expect(await refusedWith({ origin: 'https://ok.example' })).toBe(503);
    expect([...wss.stats.upgradesRejected].sort()).toEqual([
      [403, 1],
      [426, 1],
      [503, 1],
    ]);
    expect(wss.stats.upgradesAccepted).toBe(1);
  });

  it('counts a slow consumer dropped with 1013', async () => {
    await start({ sendBufferLimit: 64 * 1024 });
    const connected = new Promise<WebSocketConnection>((resolve) => wss.once('connection', resolve));
    // A raw client that completes the handshake and then never reads.
    const socket = net.connect(port, '127.0.0.1');
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    try {
      const conn = await within(connected, 'the connection');
      socket.pause();
      const chunk = Buffer.alloc(16 * 1024);
      let maxQueued = 0;
      const closed = new Promise<number>((resolve) => conn.once('close', resolve));
      for (let i = 0; i < 100_000 && conn.readyState === 1; i++) {
        conn.send(chunk);
        maxQueued = Math.max(maxQueued, conn.bufferedAmount);
        if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      }
      expect(conn.readyState).not.toBe(1);
      // The queue never exceeded the limit (a frame always fits an empty queue).
      expect(maxQueued).toBeLessThanOrEqual(64 * 1024 + 16 * 1024 + 14);
      socket.destroy();
      expect(await within(closed, 'the server-side close')).toBe(1013);
      expect(wss.stats.slowConsumerDrops).toBe(1);
      expect(wss.stats.closeCodes.get(1013)).toBe(1);
    } finally {
      socket.destroy();
    }
  });
});
