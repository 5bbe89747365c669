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

describe('WebSocketServer heartbeat (real sockets)', () => {
  const HEARTBEAT_MS = 80;
  const WAIT_MS = 3000;
  let httpServer: http.Server;
  let wss: WebSocketServer;
  let url: string;
  const clients: WebSocket[] = [];

  async function start(heartbeatMs: number): Promise<void> {
    wss = new WebSocketServer({ heartbeatMs });
    httpServer = http.createServer();
    httpServer.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/`;
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    httpServer.closeAllConnections();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
  });

  function open(options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
    const client = new WebSocket(url, options);
    clients.push(client);
    return new Promise((resolve, reject) => {
      client.once('open', () => resolve(client));
      client.once('error', reject);
    });
  }

  function closed(client: WebSocket, ms: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the connection was not dropped within ${ms} ms`)), ms);
      client.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  it('drops a peer that never answers, between two and three intervals after it went silent', async () => {
    await start(HEARTBEAT_MS);
    const connected = new Promise<WebSocketConnection>((resolve) => wss.once('connection', resolve));
    const silent = await open({ autoPong: false });
    const serverSide = await connected;
    const serverClosed = new Promise<number>((resolve) => serverSide.once('close', resolve));
    const pings: number[] = [];
    const started = Date.now();
    silent.on('ping', () => pings.push(Date.now() - started));
    const code = await closed(silent, WAIT_MS);
    const elapsed = Date.now() - started;
    expect(code).toBe(1006);
    expect(await serverClosed).toBe(1006);
    expect(pings).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS - 5);
    expect(elapsed).toBeLessThan(3 * HEARTBEAT_MS + 250);
    expect(wss.stats.heartbeatTimeouts).toBe(1);
    expect(wss.clients.size).toBe(0);
  });

  it('keeps a peer that answers pings', async () => {
    await start(HEARTBEAT_MS);
    const alive = await open();
    let pings = 0;
    alive.on('ping', () => pings++);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 8 * HEARTBEAT_MS);
      alive.once('close', () => {
        clearTimeout(timer);
        reject(new Error('an answering peer was dropped'));
      });
    });
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(wss.stats.heartbeatTimeouts).toBe(0);
  });

  it('counts messages as liveness: a chatty peer that ignores pings stays', async () => {
    await start(HEARTBEAT_MS);
    const chatty = await open({ autoPong: false });
    const talk = setInterval(() => chatty.send('still here'), HEARTBEAT_MS / 2);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 8 * HEARTBEAT_MS);
        chatty.once('close', () => {
          clearTimeout(timer);
          reject(new Error('a peer that keeps sending was dropped'));
        });
      });
    } finally {
      clearInterval(talk);
    }
    expect(wss.stats.heartbeatTimeouts).toBe(0);
  });

  it('does nothing with heartbeatMs 0', async () => {
    await start(0);
    const quiet = await open({ autoPong: false });
    let pinged = false;
    quiet.on('ping', () => (pinged = true));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, 300);
      quiet.once('close', () => {
        clearTimeout(timer);
        reject(new Error('dropped without a heartbeat'));
      });
    });
    expect(pinged).toBe(false);
  });
});
