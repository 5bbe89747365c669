import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createApp } from '../src/app.factory.js';
import { createAppLogger } from '../src/logging/index.js';
import { upgradeRequestText } from './helpers/adapter-raw-http.js';
import { JsonChatClient, within } from './helpers/chat-clients.js';
import { scrape, valueOf } from './helpers/hardening-app.js';
import { expectSlowlorisDropped, RawConnection, trickle } from './helpers/hardening-raw.js';
import { openSocket, startService, type ServiceApp } from './helpers/service-app.js';

function portOf(service: ServiceApp): number {
  return (service.app.getHttpServer().address() as AddressInfo).port;
}

/** Opens a `ws` client; resolves once open. */
const openWs = openSocket;

function closeOf(socket: WebSocket, ms: number): Promise<number> {
  return within(
    new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code))),
    'the close',
    ms,
  );
}

describe('upgrade request header size (WS_MAX_HEADER_BYTES)', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ WS_MAX_HEADER_BYTES: '2048' });
  });
  afterAll(() => service.close());

  it('answers 431 to headers over the limit and closes the connection', async () => {
    const raw = await RawConnection.open(portOf(service));
    try {
      raw.socket.write(upgradeRequestText({ path: '/chat', headers: { 'X-Padding': 'x'.repeat(3000) } }));
      await raw.waitClosed('the oversized request');
      expect(raw.status).toBe(431);
    } finally {
      raw.destroy();
    }
    const text = await scrape(service.httpUrl);
    expect(valueOf(text, 'http_rejected_requests_total', { status: '431' })).toBe(1);
  });

  it('upgrades a request under the limit', async () => {
    const raw = await RawConnection.open(portOf(service));
    try {
      raw.socket.write(upgradeRequestText({ path: '/chat', headers: { 'X-Padding': 'x'.repeat(1000) } }));
      await raw.waitFor(() => raw.status !== undefined, 'a response');
      expect(raw.status).toBe(101);
    } finally {
      raw.destroy();
    }
  });
});

describe('handshake timeout (WS_HANDSHAKE_TIMEOUT_MS): slowloris', () => {
  const TIMEOUT_MS = 1000;
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ WS_HANDSHAKE_TIMEOUT_MS: String(TIMEOUT_MS) });
  });
  afterAll(() => service.close());

  it('drops a client that sends its upgrade request one byte at a time, right after the timeout', async () => {
    await expectSlowlorisDropped(portOf(service), upgradeRequestText({ path: '/chat' }), TIMEOUT_MS);
    const text = await scrape(service.httpUrl);
    expect(valueOf(text, 'http_rejected_requests_total', { status: '408' })).toBeGreaterThanOrEqual(1);
  });

  it('drops a client that connects and sends nothing', async () => {
    const raw = await RawConnection.open(portOf(service));
    const started = Date.now();
    try {
      // Bounded by the wait (Node's own default would take 30 s and more), not tighter.
      await raw.waitClosed('the silent client', TIMEOUT_MS + 2000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    } finally {
      raw.destroy();
    }
  });

  it('upgrades a slow client that completes its request in time, and keeps it open after the timeout', async () => {
    const raw = await RawConnection.open(portOf(service));
    const stop = trickle(raw, upgradeRequestText({ path: '/chat' }), 1);
    try {
      await raw.waitFor(() => raw.status !== undefined, 'the 101', TIMEOUT_MS);
      expect(raw.status).toBe(101);
      // An upgraded connection is no longer an HTTP request: the head timeout does not apply.
      await expect(raw.waitClosed('the upgraded client', TIMEOUT_MS + 500)).rejects.toThrow(/did not close/);
    } finally {
      stop();
      raw.destroy();
    }
  });
});

describe('WebSocket attempts Node does not treat as upgrades', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  // fetch() refuses an Upgrade header: plain http.get sends what it is given.
  function statusOf(path: string, headers: Record<string, string>): Promise<number> {
    return within(
      new Promise<number>((resolve, reject) => {
        http
          .get(`${service.httpUrl}${path}`, { headers, agent: false }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
          .once('error', reject);
      }),
      `the answer to GET ${path}`,
    );
  }

  it('answers 400 on the WebSocket paths instead of handing them to the HTTP routes', async () => {
    const key = { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' };
    expect(await statusOf('/chat', { ...key, Upgrade: 'websocket' })).toBe(400);
    expect(await statusOf('/chat', key)).toBe(400);
    expect(await statusOf('/echo', { Upgrade: 'websocket' })).toBe(400);
    expect(await statusOf('/', key)).toBe(400);
  });

  it('leaves plain requests, and WebSocket headers on other paths, to the app', async () => {
    expect(await statusOf('/', {})).toBe(200);
    expect(await statusOf('/health', {})).toBe(200);
    expect(await statusOf('/api/rooms', { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' })).toBe(200);
  });
});

describe('message size (WS_MAX_PAYLOAD)', () => {
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ WS_MAX_PAYLOAD: '1024' });
  });
  afterAll(() => service.close());

  it('closes a connection that sends a larger message with 1009', async () => {
    const client = await JsonChatClient.connect(service.wsUrl);
    await client.welcome();
    client.send('message', { room: 'lobby', text: 'x'.repeat(2000) });
    expect((await client.closed).code).toBe(1009);
  });
});

describe('chat limits (CHAT_MAX_ROOMS_PER_CONNECTION, CHAT_RATE_LIMIT_BURST, CHAT_RATE_LIMIT_PER_SECOND)', () => {
  it('applies the rooms per connection and the rate limit from the environment', async () => {
    const service = await startService({
      CHAT_MAX_ROOMS_PER_CONNECTION: '2',
      CHAT_RATE_LIMIT_BURST: '4',
      CHAT_RATE_LIMIT_PER_SECOND: '0.1',
    });
    const ann = await JsonChatClient.connect(service.wsUrl);
    try {
      await ann.welcome();
      await ann.join('env-1');
      await ann.join('env-2');
      ann.send('join', { room: 'env-3' });
      expect(await ann.waitFor('error')).toMatchObject({ code: 'too_many_rooms' });
      // Three joins spent three of the four tokens: one more frame passes, the next is refused.
      ann.send('history', { room: 'env-1', limit: 1 });
      await ann.next('history');
      ann.send('history', { room: 'env-1', limit: 1 });
      expect(await ann.next('error')).toMatchObject({ code: 'rate_limited' });
    } finally {
      await ann.close();
      await service.close();
    }
  });

  it('turns the rate limit off with CHAT_RATE_LIMIT_PER_SECOND=0', async () => {
    const service = await startService({ CHAT_RATE_LIMIT_BURST: '2', CHAT_RATE_LIMIT_PER_SECOND: '0' });
    const ann = await JsonChatClient.connect(service.wsUrl);
    try {
      await ann.welcome();
      await ann.join('free');
      await ann.next('presence');
      for (let i = 0; i < 10; i++) ann.send('history', { room: 'free', limit: 1 });
      for (let i = 0; i < 10; i++) await ann.next('history');
      expect(ann.unread).toEqual([]);
    } finally {
      await ann.close();
      await service.close();
    }
  });
});

describe('heartbeat (WS_HEARTBEAT_MS)', () => {
  // Long enough that a pong answered by this busy process arrives within an interval.
  const HEARTBEAT_MS = 300;
  let service: ServiceApp;
  beforeAll(async () => {
    service = await startService({ WS_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  });
  afterAll(() => service.close());

  it('drops a /chat peer that never answers pings within three intervals, and counts it', async () => {
    const silent = await openWs(`${service.wsUrl}/chat`, { autoPong: false });
    let pings = 0;
    silent.on('ping', () => pings++);
    const started = Date.now();
    const code = await closeOf(silent, 3 * HEARTBEAT_MS + 2000);
    expect(code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * HEARTBEAT_MS - 10);
    // Pinged once, then dropped for not answering (the timing is pinned by heartbeat.spec on a fake clock).
    expect(pings).toBe(1);
    const text = await scrape(service.httpUrl);
    expect(valueOf(text, 'ws_heartbeat_timeouts_total', { path: '/chat' })).toBe(1);
  });

  it('keeps peers that answer', async () => {
    const alive = await openWs(`${service.wsUrl}/chat`);
    let closedWith: number | undefined;
    alive.once('close', (code: number) => (closedWith = code));
    try {
      // Three pings answered: a peer that did not answer would have been dropped after the first.
      await within(
        new Promise<void>((resolve) => {
          let pings = 0;
          alive.on('ping', () => ++pings === 3 && resolve());
        }),
        'three pings',
        20 * HEARTBEAT_MS,
      );
      expect(closedWith).toBeUndefined();
      expect(alive.readyState).toBe(WebSocket.OPEN);
    } finally {
      alive.terminate();
    }
  });
});

describe('connection log (LOG_FORMAT=json)', () => {
  it('writes one JSON line per open and close, with peer, path, code and duration, and no tokens or text', async () => {
    const lines: string[] = [];
    // The service's logger as LOG_FORMAT=json builds it, writing here instead of to stdout.
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const app = await createApp({}, { logger: createAppLogger('json', 'info', destination) });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const client = await JsonChatClient.connect(`ws://127.0.0.1:${port}`, '/chat?access_token=top-secret-token');
      await client.welcome();
      await client.join('logged');
      client.send('message', { room: 'logged', text: 'a very private sentence' });
      await client.waitFor('ack');
      client.socket.close(4001);
      await within(client.closed, 'the close handshake');
      await within(
        (async () => {
          while (!lines.some((line) => line.includes('WebSocket closed'))) await new Promise((r) => setTimeout(r, 5));
        })(),
        'the close line',
      );
    } finally {
      await app.close();
    }
    const records = lines
      .join('')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line));
    const opened = records.filter((record) => record.message === 'WebSocket open');
    const closed = records.filter((record) => record.message === 'WebSocket closed');
    expect(opened).toEqual([
      expect.objectContaining({
        level: 'log',
        context: 'WebSocket',
        path: '/chat',
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      }),
    ]);
    expect(closed).toEqual([
      expect.objectContaining({ path: '/chat', peer: opened[0].peer, code: 4001, durationMs: expect.any(Number) }),
    ]);
    const everything = lines.join('');
    expect(everything).not.toContain('top-secret-token');
    expect(everything).not.toContain('a very private sentence');
  });
});
