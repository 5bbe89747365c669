import http from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { JsonChatClient, within } from './helpers/chat-clients.js';
import { eventually, gatewayServer, scrape, serverSideOf, valueOf } from './helpers/hardening-app.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

const LIMIT = 64 * 1024;
const ROOM = 'flood';
/** Chat messages are near the 2000-character limit, 3 bytes a character: about 6 KB a frame. */
const FRAME_BYTES = 6000;

/** Compresses to almost nothing: without compression the kernel buffers fill fast. */
const repetitive = (): string => '\u20ac'.repeat(1900);

/** CJK characters at random: deflate keeps about two thirds, so compressed frames stay large. */
function incompressible(): string {
  let text = '';
  for (let i = 0; i < 1900; i++) text += String.fromCharCode(0x4e00 + Math.floor(Math.random() * 0x5000));
  return text;
}
/** The flood gives up (and fails the test) after this many messages without a drop. */
const MAX_MESSAGES = 15_000;
const AFTER_DROP = 300;

interface Stored {
  id: string;
}

/** A member that records the id of every room message it reads. */
class Receiver {
  readonly arrivals = new Set<string>();
  /** The close code if the server dropped this member (it must not). */
  closedWith: number | undefined;

  constructor(readonly client: JsonChatClient) {
    client.socket.once('close', (code: number) => (this.closedWith = code));
    client.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { event: string; data: { id: string; room: string } };
      if (frame.event === 'message' && frame.data.room === ROOM) this.arrivals.add(frame.data.id);
    });
  }
}

// With compression the reading members (ws clients in this test's process) inflate every
// frame through zlib's thread pool and read far slower than the server publishes on a busy
// 2-core machine; flooding them unpaced would make them real slow consumers too. So that
// variant posts each batch once the readers have the previous one: the server still runs
// ahead of the paused peer, which is what is under test.
describe.each([
  ['plain frames', 'false', repetitive, false],
  ['permessage-deflate negotiated', 'true', incompressible, true],
])('a slow consumer in a busy room (WS_SEND_BUFFER_LIMIT), %s', (_variant, deflate, text, paced) => {
  let service: ServiceApp;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const clients: JsonChatClient[] = [];

  beforeAll(async () => {
    service = await startService({
      WS_SEND_BUFFER_LIMIT: String(LIMIT),
      CHAT_HISTORY_SIZE: '20000',
      // One publisher posts as fast as the server takes it.
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
      WS_PERMESSAGE_DEFLATE: deflate,
      // The slow peer reads again only after the others were checked, which on a loaded machine
      // can take longer than the default 5 s the server waits before dropping a peer it closed.
      WS_CLOSE_TIMEOUT_MS: '60000',
    });
  });
  afterAll(async () => {
    for (const client of clients) client.socket.terminate();
    agent.destroy();
    await service.close();
  });

  async function member(): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(service.wsUrl);
    clients.push(client);
    await client.welcome();
    await client.join(ROOM);
    return client;
  }

  function post(text: string): Promise<Stored> {
    const body = JSON.stringify({ from: 'publisher', text });
    return new Promise((resolve, reject) => {
      const request = http.request(
        `${service.httpUrl}/api/rooms/${ROOM}/messages`,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 201) reject(new Error(`POST answered ${response.statusCode}`));
            else resolve(JSON.parse(Buffer.concat(chunks).toString()) as Stored);
          });
        },
      );
      request.once('error', reject);
      request.end(body);
    });
  }

  it('drops only the peer that stopped reading, with 1013, without slowing the others; it resumes with since', async () => {
    const fast = await Promise.all([member(), member(), member()]).then((all) => all.map((c) => new Receiver(c)));
    const slow = await member();
    expect(slow.socket.extensions).toBe(deflate === 'true' ? 'permessage-deflate' : '');
    const chatServer = gatewayServer(service.app, '/chat');
    const slowSocket = (slow.socket as unknown as { _socket: Socket })._socket;
    const slowServerSide = serverSideOf(chatServer, slowSocket.localPort!);
    const slowClosedOnServer = new Promise<number>((resolve) => slowServerSide.once('close', resolve));

    // The slow peer stops reading: its kernel buffers fill, then the server's queue.
    slowSocket.pause();
    let maxQueued = 0;
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, slowServerSide.bufferedAmount);
    }, 1);

    const posted: Stored[] = [];
    let droppedAfter = -1;
    try {
      while (posted.length < MAX_MESSAGES) {
        const batch = await Promise.all(Array.from({ length: 8 }, (_, i) => post(`${posted.length + i} ${text()}`)));
        for (const stored of batch) posted.push({ id: stored.id });
        if (paced) {
          const lastOfBatch = posted[posted.length - 1].id;
          await eventually(
            () => fast.every((receiver) => receiver.arrivals.has(lastOfBatch)),
            'the reading members to get the batch',
            5000,
          );
        }
        maxQueued = Math.max(maxQueued, slowServerSide.bufferedAmount);
        if (droppedAfter === -1 && slowServerSide.readyState !== WebSocket.OPEN) droppedAfter = posted.length;
        if (droppedAfter !== -1 && posted.length >= droppedAfter + AFTER_DROP) break;
      }
    } finally {
      clearInterval(sampler);
    }
    expect(droppedAfter).toBeGreaterThan(0);

    // Bounded: never more than the limit queued for the slow peer (plus the frame that
    // may always go out on an empty queue).
    expect(maxQueued).toBeLessThanOrEqual(LIMIT + FRAME_BYTES);

    // The others are still connected and got everything while the slow one is still paused:
    // had its queue held the room back, they would wait for it to read again.
    expect(fast.map((receiver) => receiver.closedWith)).toEqual([undefined, undefined, undefined]);
    const last = posted[posted.length - 1];
    for (const receiver of fast) {
      await eventually(() => receiver.arrivals.has(last.id), 'the fast members to get the last message', 5000);
      const missing = posted.filter(({ id }) => !receiver.arrivals.has(id));
      expect(missing).toEqual([]);
    }

    // The slow peer reads again: what was queued, then the close frame with 1013.
    slowSocket.resume();
    expect((await within(slow.closed, 'the slow peer to see its close frame', 5000)).code).toBe(1013);
    expect(await within(slowClosedOnServer, 'the server-side close')).toBe(1013);
    const seen = slow.unread
      .map((frame) => JSON.parse(frame) as { event: string; data: { id: string } })
      .filter((frame) => frame.event === 'message')
      .map((frame) => frame.data.id);
    expect(seen.length).toBeLessThan(posted.length);
    expect(seen).toEqual(posted.slice(0, seen.length).map(({ id }) => id));

    // Resuming with since delivers exactly what it missed.
    const again = await JsonChatClient.connect(service.wsUrl);
    clients.push(again);
    await again.welcome();
    const joined = await again.join(ROOM, { since: seen[seen.length - 1] });
    expect(joined.truncated).toBe(false);
    expect(joined.history.map((message: Stored) => message.id)).toEqual(posted.slice(seen.length).map(({ id }) => id));

    const metrics = await scrape(service.httpUrl);
    expect(valueOf(metrics, 'ws_slow_consumer_drops_total', { path: '/chat' })).toBe(1);
    expect(valueOf(metrics, 'ws_closes_total', { path: '/chat', code: '1013' })).toBe(1);
  }, 30_000);
});
