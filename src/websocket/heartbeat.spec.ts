import { jest } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { WebSocketConnection } from './connection.js';
import { ReadyState } from './constants.js';
import { Heartbeat, type HeartbeatPeer } from './heartbeat.js';
import { WebSocketServer } from './server.js';

class FakePeer implements HeartbeatPeer {
  idleSweeps = 0;
  readyState: number = ReadyState.OPEN;
  pings = 0;
  terminated = false;

  ping(): void {
    this.pings++;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = ReadyState.CLOSED;
  }

  /** What the connection does whenever bytes arrive. */
  hear(): void {
    this.idleSweeps = 0;
  }
}

const INTERVAL = 1600;

describe('Heartbeat (one sweep timer, fake clock)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  function peers(count: number): FakePeer[] {
    return Array.from({ length: count }, () => new FakePeer());
  }

  it('uses one timer however many connections it watches, and none once they are gone', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const watched = peers(500);
    for (const peer of watched) heartbeat.add(peer);
    expect(jest.getTimerCount()).toBe(1);
    expect(heartbeat.watched).toBe(500);
    for (const peer of watched) heartbeat.remove(peer);
    expect(heartbeat.watched).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves a peer that was heard from alone', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const [peer] = peers(1);
    heartbeat.add(peer);
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(INTERVAL);
      peer.hear();
    }
    expect(peer.pings).toBe(0);
    expect(peer.terminated).toBe(false);
    heartbeat.stop();
  });

  it('pings a peer silent for a whole interval and drops it after a second silent one', () => {
    const dropped: FakePeer[] = [];
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL, (peer) => dropped.push(peer));
    const [peer] = peers(1);
    heartbeat.add(peer);
    // First sweep (somewhere in the first interval): just marks it.
    jest.advanceTimersByTime(INTERVAL);
    expect(peer.pings).toBe(0);
    jest.advanceTimersByTime(INTERVAL);
    expect(peer.pings).toBe(1);
    expect(peer.terminated).toBe(false);
    jest.advanceTimersByTime(INTERVAL);
    expect(peer.terminated).toBe(true);
    expect(dropped).toEqual([peer]);
    expect(heartbeat.watched).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts any inbound bytes as an answer to its ping', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const [peer] = peers(1);
    heartbeat.add(peer);
    jest.advanceTimersByTime(2 * INTERVAL);
    expect(peer.pings).toBe(1);
    peer.hear(); // a pong, or any frame
    jest.advanceTimersByTime(INTERVAL);
    expect(peer.terminated).toBe(false);
    heartbeat.stop();
  });

  it('never drops a peer earlier than two intervals after its last bytes', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const watched = peers(200);
    for (const peer of watched) heartbeat.add(peer);
    const step = INTERVAL / 32;
    let elapsed = 0;
    while (elapsed < 2 * INTERVAL - step) {
      jest.advanceTimersByTime(step);
      elapsed += step;
      expect(watched.filter((peer) => peer.terminated)).toEqual([]);
    }
    jest.advanceTimersByTime(INTERVAL + step);
    expect(watched.every((peer) => peer.terminated)).toBe(true);
  });

  it('spreads first pings over the interval instead of pinging everyone at once', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const watched = peers(320);
    for (const peer of watched) heartbeat.add(peer);
    // Each tick sweeps one slot: after half an interval about half the peers were swept.
    jest.advanceTimersByTime(INTERVAL / 2);
    const swept = watched.filter((peer) => peer.idleSweeps === 1).length;
    expect(swept).toBeGreaterThan(0);
    expect(swept).toBeLessThan(watched.length);
    // The pings of the second interval follow the same spread.
    jest.advanceTimersByTime(INTERVAL);
    const pinged = watched.filter((peer) => peer.pings === 1).length;
    expect(pinged).toBe(swept);
    jest.advanceTimersByTime(INTERVAL / 2);
    expect(watched.every((peer) => peer.pings === 1)).toBe(true);
    heartbeat.stop();
  });

  it('skips peers that are already closing', () => {
    const heartbeat = new Heartbeat<FakePeer>(INTERVAL);
    const [peer] = peers(1);
    heartbeat.add(peer);
    peer.readyState = ReadyState.CLOSING;
    jest.advanceTimersByTime(5 * INTERVAL);
    expect(peer.pings).toBe(0);
    expect(peer.terminated).toBe(false);
    heartbeat.stop();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses an interval that is not a positive number', () => {
    expect(() => new Heartbeat(0)).toThrow(RangeError);
    expect(() => new Heartbeat(-5)).toThrow(RangeError);
    expect(() => new Heartbeat(Number.NaN)).toThrow(RangeError);
  });
});

/**
 * Real sockets, fake clock: time moves only when the test advances it, and between advances
 * the test waits for the bytes the sweep sent (or the peer answered) to arrive, so no outcome
 * depends on how busy the machine is.
 */
describe('WebSocketServer heartbeat (real sockets, fake clock)', () => {
  const HEARTBEAT_MS = 1600;
  /** The sweep runs 16 times an interval; the test steps through time one sweep at a time. */
  const TICK_MS = HEARTBEAT_MS / 16;
  let httpServer: http.Server;
  let wss: WebSocketServer;
  let url: string;
  const clients: WebSocket[] = [];

  beforeEach(() => {
    // Sockets and streams run on nextTick and setImmediate: only the timers are faked.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
  });

  async function start(heartbeatMs: number): Promise<void> {
    wss = new WebSocketServer({ heartbeatMs });
    httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`;
  }

  afterEach(async () => {
    jest.useRealTimers();
    for (const client of clients.splice(0)) client.terminate();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });

  /** A client and the server's side of it. */
  async function open(options: WebSocket.ClientOptions = {}): Promise<[WebSocket, WebSocketConnection]> {
    const connected = new Promise<WebSocketConnection>((resolve) => wss.once('connection', resolve));
    const client = new WebSocket(url, options);
    clients.push(client);
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    return [client, await connected];
  }

  /** Resolves with the next `event` of `emitter` (real I/O: the fake clock stands still meanwhile). */
  const next = <T>(emitter: { once(event: string, listener: (value: T) => void): unknown }, event: string) =>
    new Promise<T>((resolve) => emitter.once(event, resolve));

  it('pings a silent peer, then drops it with 1006 between two and three intervals after it went silent', async () => {
    await start(HEARTBEAT_MS);
    const [silent, serverSide] = await open({ autoPong: false });
    const serverClosed = next<number>(serverSide, 'close');
    const clientClosed = next<number>(silent, 'close');
    let pings = 0;
    silent.on('ping', () => pings++);
    let elapsed = 0;
    let pingedAt = -1;
    while (serverSide.readyState === ReadyState.OPEN && elapsed < 4 * HEARTBEAT_MS) {
      jest.advanceTimersByTime(TICK_MS);
      elapsed += TICK_MS;
      if (pingedAt === -1 && serverSide.idleSweeps === 2) {
        pingedAt = elapsed;
        await next(silent, 'ping');
      }
    }
    expect(pingedAt).toBeGreaterThan(HEARTBEAT_MS);
    expect(pingedAt).toBeLessThanOrEqual(2 * HEARTBEAT_MS);
    expect(elapsed).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS);
    expect(elapsed).toBeLessThanOrEqual(3 * HEARTBEAT_MS);
    expect(await clientClosed).toBe(1006);
    expect(await serverClosed).toBe(1006);
    expect(pings).toBe(1);
    expect(wss.stats.heartbeatTimeouts).toBe(1);
    expect(wss.clients.size).toBe(0);
  });

  it('keeps a peer that answers pings', async () => {
    await start(HEARTBEAT_MS);
    const [alive, serverSide] = await open();
    let pings = 0;
    alive.on('ping', () => pings++);
    for (let elapsed = 0; elapsed < 8 * HEARTBEAT_MS; elapsed += TICK_MS) {
      jest.advanceTimersByTime(TICK_MS);
      // Just pinged: the pong (sent by the ws client on its own) comes back before time moves on.
      if (serverSide.idleSweeps === 2) await Promise.race([next(serverSide, 'pong'), next(serverSide, 'close')]);
      expect(serverSide.readyState).toBe(ReadyState.OPEN);
    }
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(wss.stats.heartbeatTimeouts).toBe(0);
  });

  it('counts messages as liveness: a chatty peer that ignores pings stays', async () => {
    await start(HEARTBEAT_MS);
    const [chatty, serverSide] = await open({ autoPong: false });
    for (let elapsed = 0; elapsed < 8 * HEARTBEAT_MS; elapsed += HEARTBEAT_MS / 2) {
      const heard = next(serverSide, 'message');
      chatty.send('still here');
      await heard;
      jest.advanceTimersByTime(HEARTBEAT_MS / 2);
      expect(serverSide.readyState).toBe(ReadyState.OPEN);
    }
    expect(wss.stats.heartbeatTimeouts).toBe(0);
  });

  it('does nothing with heartbeatMs 0', async () => {
    await start(0);
    const [quiet, serverSide] = await open({ autoPong: false });
    let pinged = false;
    quiet.on('ping', () => (pinged = true));
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(10 * HEARTBEAT_MS);
    expect(serverSide.idleSweeps).toBe(0);
    expect(serverSide.readyState).toBe(ReadyState.OPEN);
    // A ping, had one been sent, would arrive before a round trip the client starts now.
    const echoed = next(quiet, 'pong');
    quiet.ping();
    await echoed;
    expect(pinged).toBe(false);
  });
});
