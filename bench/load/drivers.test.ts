import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import type { Endpoint } from '../messages.js';
import { createRawEchoServer } from '../targets/raw-echo-server.js';
import type { Driver } from './driver.js';
import { EchoDriver } from './echo-driver.js';
import { HandshakeDriver } from './handshake-driver.js';
import { IdleDriver } from './idle-driver.js';
import { ReceiverDriver } from './receiver-driver.js';
import { SenderDriver } from './sender-driver.js';

/** Polls `condition` until it holds; fails with `message` after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(message());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const base = { localAddress: '127.0.0.1', connectTimeoutMs: 5000 };

describe('load drivers against a raw echo server', () => {
  let server: Server;
  let endpoint: Endpoint;
  const drivers: Driver[] = [];

  before(async () => {
    server = createRawEchoServer();
    endpoint = { host: '127.0.0.1', port: await listen(server), path: '/echo' };
  });

  after(async () => {
    for (const driver of drivers) driver.close();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const json of [true, false]) {
    it(`keeps ${json ? 'JSON text' : 'binary'} echoes in flight and verifies the first reply`, async () => {
      const driver = new EchoDriver({
        ...base,
        kind: 'echo',
        endpoint,
        connections: 4,
        inFlight: 8,
        size: 1024,
        json,
        deflate: false,
      });
      drivers.push(driver);
      await driver.prepare();
      driver.start();
      await until(
        () => driver.messages >= 2000,
        10_000,
        () => `only ${driver.messages} echoes`,
      );
      driver.mark();
      await until(
        () => driver.report().window.messages >= 500,
        10_000,
        () => 'no echoes after mark',
      );
      const report = driver.report();
      assert.equal(report.total.errors, 0, report.lastError);
      assert.equal(report.open, 4);
      assert.equal(report.total.bytes, report.total.messages * 1024);
      assert.ok(report.histogram.length > 0, 'latencies recorded');
      // Never more than inFlight outstanding per connection.
      assert.ok(report.total.sent - report.total.messages <= 4 * 8);
      driver.close();
    });
  }

  it('fails a +deflate echo when the server does not negotiate permessage-deflate', async () => {
    const driver = new EchoDriver({
      ...base,
      kind: 'echo',
      endpoint,
      connections: 1,
      inFlight: 1,
      size: 32,
      json: false,
      deflate: true,
    });
    drivers.push(driver);
    await assert.rejects(driver.prepare(), /did not negotiate permessage-deflate/);
    driver.close();
  });

  it('opens idle connections and counts them', async () => {
    const driver = new IdleDriver({ ...base, kind: 'idle', endpoint, connections: 50, concurrency: 8 });
    drivers.push(driver);
    await driver.prepare();
    assert.equal(driver.report().open, 50);
    assert.equal(driver.messages, 50);
    driver.close();
    assert.equal(driver.report().open, 0);
  });

  it('loops connect, upgrade and close handshake', async () => {
    const driver = new HandshakeDriver({ ...base, kind: 'handshake', endpoint, concurrency: 4 });
    drivers.push(driver);
    await driver.prepare();
    driver.start();
    await until(
      () => driver.messages >= 100,
      10_000,
      () => `only ${driver.messages} handshakes, last error ${driver.lastError}`,
    );
    driver.stopSending();
    assert.equal(driver.errors, 0, driver.lastError);
  });
});

describe('echo driver with permessage-deflate against a ws echo', () => {
  let server: WebSocketServer;
  let endpoint: Endpoint;
  /** The compressed flag of every message the server got. */
  const compressedIn: boolean[] = [];

  before(async () => {
    // threshold 0: ws compresses every reply, so the driver must inflate the one it verifies.
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (ws) => {
      const socket = (ws as unknown as { _socket: { on(event: 'data', listener: (chunk: Buffer) => void): void } })
        ._socket;
      socket.on('data', (chunk: Buffer) => compressedIn.push((chunk[0] & 0x40) !== 0));
      ws.on('message', (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    });
    endpoint = { host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/' };
  });

  after(async () => {
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  for (const json of [true, false]) {
    it(`sends ${json ? 'JSON text' : 'binary'} messages compressed and verifies the compressed reply`, async () => {
      const driver = new EchoDriver({
        ...base,
        kind: 'echo',
        endpoint,
        connections: 1,
        inFlight: 1,
        size: 1024,
        json,
        deflate: true,
      });
      await driver.prepare();
      driver.start();
      await until(
        () => driver.messages >= 50,
        10_000,
        () => `only ${driver.messages} echoes, last error ${driver.lastError}`,
      );
      driver.close();
      assert.equal(driver.errors, 0, driver.lastError);
      assert.ok(compressedIn.length > 0 && compressedIn.every(Boolean), 'every message sent with RSV1');
      compressedIn.length = 0;
    });
  }
});

describe('broadcast drivers against a ws relay', () => {
  let relay: WebSocketServer;
  let endpoint: Endpoint;
  const drivers: Driver[] = [];

  before(async () => {
    relay = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => relay.once('listening', resolve));
    relay.on('connection', (ws) =>
      ws.on('message', (data: Buffer) => {
        const { data: payload } = JSON.parse(data.toString()) as { data: unknown };
        const text = JSON.stringify({ event: 'broadcast', data: payload });
        for (const client of relay.clients) if (client.readyState === WebSocket.OPEN) client.send(text);
      }),
    );
    endpoint = { host: '127.0.0.1', port: (relay.address() as AddressInfo).port, path: '/' };
  });

  after(async () => {
    for (const driver of drivers) driver.close();
    await new Promise((resolve) => relay.close(resolve));
  });

  it('delivers every broadcast to every receiver, at max rate then at a fixed rate, with latencies', async () => {
    const receivers = new ReceiverDriver({ ...base, kind: 'receivers', endpoint, connections: 10 });
    const sender = new SenderDriver({ ...base, kind: 'sender', endpoint, size: 64 });
    drivers.push(receivers, sender);
    await receivers.prepare();
    await sender.prepare();

    receivers.start(undefined, 20);
    sender.start({ mode: 'max', window: 4 }, 0);
    await until(
      () => sender.messages >= 200,
      10_000,
      () => `only ${sender.messages} acknowledgements`,
    );
    sender.stopSending();
    await until(
      () => receivers.messages === sender.sent * 10,
      5000,
      () => `${receivers.messages} of ${sender.sent * 10} delivered`,
    );
    assert.ok(sender.sent - sender.messages <= 4, 'at most `window` unacknowledged');

    receivers.start(undefined, 0);
    receivers.mark();
    const sentBefore = sender.sent;
    sender.start({ mode: 'rate', perSecond: 200 }, 0);
    await until(
      () => sender.sent - sentBefore >= 40,
      5000,
      () => `fixed rate sent only ${sender.sent - sentBefore}`,
    );
    sender.stopSending();
    await until(
      () => receivers.messages === sender.sent * 10,
      5000,
      () => `${receivers.messages} of ${sender.sent * 10} delivered`,
    );
    const report = receivers.report();
    assert.equal(report.total.errors, 0, report.lastError);
    assert.equal(report.window.messages, (sender.sent - sentBefore) * 10);
    assert.equal(
      report.histogram.reduce((n, [, count]) => n + count, 0),
      report.window.messages,
      'one latency per delivery',
    );
  });
});
