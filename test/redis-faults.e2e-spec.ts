import request from 'supertest';
import { RedisConnections } from '../src/infrastructure/index.js';
import { JsonChatClient, LineChatClient, within } from './helpers/chat-clients.js';
import { BusNode } from './helpers/redis-bus-node.js';
import { describeWithRedisServer, RedisServerProcess } from './helpers/redis-server.js';
import { startService, type ServiceApp } from './helpers/service-app.js';

const TEST_MS = 30_000;

/** GET /health until it answers `status` (it has no push notification), bounded. */
async function healthBecomes(url: string, status: number, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: unknown } | undefined;
  while (Date.now() < deadline) {
    const res = await request(url).get('/health');
    if (res.status === status) return res.body;
    last = { status: res.status, body: res.body };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/health of ${url} did not answer ${status} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
}

/** GET /api/rooms until it lists `expected` (presence is repaired in the background), bounded. */
async function roomsBecome(url: string, expected: unknown, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await request(url).get('/api/rooms');
    last = res.body;
    if (res.status === 200 && JSON.stringify(res.body) === JSON.stringify(expected)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `/api/rooms of ${url} did not become ${JSON.stringify(expected)} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
  );
}

/** Resolves with the pong of a ping: the WebSocket connection is alive end to end. */
function pong(client: JsonChatClient | LineChatClient): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      client.socket.once('pong', () => resolve());
      client.socket.ping('alive?');
    }),
    'a pong',
  );
}

describeWithRedisServer('the service when Redis goes away and comes back (BUS=redis)', () => {
  let redis: RedisServerProcess;
  const services: ServiceApp[] = [];
  const clients: Array<JsonChatClient | LineChatClient> = [];

  async function service(): Promise<ServiceApp> {
    const started = await startService({ BUS: 'redis', REDIS_URL: redis.url, ECHO_ENABLED: 'false' });
    services.push(started);
    return started;
  }

  async function json(on: ServiceApp): Promise<JsonChatClient> {
    const client = await JsonChatClient.connect(on.wsUrl);
    clients.push(client);
    await client.welcome();
    return client;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(services.splice(0).map((started) => started.close()));
    await redis?.kill();
  });

  it(
    'keeps its WebSocket connections, reports 503 with the reason, refuses to ack, and recovers by itself',
    async () => {
      redis = await RedisServerProcess.create();
      const [a, b] = [await service(), await service()];
      await healthBecomes(a.httpUrl, 200);
      await healthBecomes(b.httpUrl, 200);
      const ann = await json(a);
      await ann.join('ops', { name: 'ann' });
      await ann.next('presence');
      const bob = await json(b);
      await bob.join('ops', { name: 'bob' });
      await ann.next('presence');
      await bob.next('presence');
      const line = await LineChatClient.connect(a.wsUrl);
      clients.push(line);
      await line.waitForLine((text) => text.startsWith('Welcome,'), 'the welcome line');

      // Redis crashes.
      const lost = new Promise((resolve) => a.app.get(RedisConnections).commands.once('close', resolve));
      await redis.kill();
      await within(lost, 'instance a to notice that Redis is gone');
      const down = await healthBecomes(a.httpUrl, 503);
      expect(down.status).toBe('error');
      expect(down.error.redis).toMatchObject({
        status: 'down',
        reason: expect.stringMatching(/Redis (commands|subscriber) connection is/),
      });
      await healthBecomes(b.httpUrl, 503);

      // A message that cannot be stored gets an error, never an ack; the connections stay.
      ann.send('message', { room: 'ops', text: 'lost?', ref: 'm1' });
      expect(await ann.next('error')).toEqual({ code: 'unavailable', message: expect.any(String), ref: 'm1' });
      line.sendText('a line while Redis is down');
      expect(await line.nextLine('the error line')).toBe(
        'Error: the chat is temporarily unavailable, try again shortly',
      );
      await request(a.httpUrl)
        .post('/api/rooms/ops/messages')
        .send({ from: 'srv', text: 'x' })
        .expect(503)
        .expect('retry-after', '1');
      await request(b.httpUrl).get('/api/rooms/ops/messages').expect(503);
      ann.send('join', { room: 'elsewhere', ref: 'j1' });
      expect(await ann.next('error')).toMatchObject({ code: 'unavailable', ref: 'j1' });
      await Promise.all([pong(ann), pong(bob), pong(line)]);
      expect(ann.unread).toEqual([]);
      expect(bob.unread).toEqual([]);

      // Redis comes back, empty (no persistence): everything recovers without a restart.
      await redis.start();
      await healthBecomes(a.httpUrl, 200);
      await healthBecomes(b.httpUrl, 200);
      ann.send('message', { room: 'ops', text: 'back again', ref: 'm2' });
      const ack = await ann.waitFor('ack', (data) => data.ref === 'm2');
      expect(await bob.waitFor('message', (message) => message.text === 'back again')).toMatchObject({
        id: ack.id,
        from: 'ann',
      });
      line.sendText('a line after the outage');
      expect(await line.waitForLine((text) => text.includes('after the outage'), 'its own line')).toMatch(
        / say: a line after the outage$/,
      );
      // Presence was written again from what each instance knows (Redis came back empty).
      expect(
        await roomsBecome(b.httpUrl, [
          { room: 'lobby', members: 1 },
          { room: 'ops', members: 2 },
        ]),
      ).toBe(true);
    },
    TEST_MS,
  );

  it(
    'starts without Redis, reports 503, and works as soon as Redis is up',
    async () => {
      redis = await RedisServerProcess.create(false);
      const a = await service();
      const down = await healthBecomes(a.httpUrl, 503);
      expect(down.error.redis.reason).toMatch(/ECONNREFUSED|connecting|reconnecting/);
      const ann = await json(a);
      ann.send('join', { room: 'early', name: 'ann', ref: 'j' });
      expect(await ann.next('error')).toMatchObject({ code: 'unavailable', ref: 'j' });

      await redis.start();
      await healthBecomes(a.httpUrl, 200);
      const joined = await ann.join('early', { name: 'ann' });
      expect(joined).toMatchObject({ members: ['ann'], count: 1, history: [] });
      ann.send('message', { room: 'early', text: 'first', ref: 1 });
      expect(await ann.waitFor('message')).toMatchObject({ text: 'first', from: 'ann' });
    },
    TEST_MS,
  );

  it(
    'repairs and announces presence changes that could not be written while Redis hung',
    async () => {
      redis = await RedisServerProcess.create();
      const fast = { commandTimeoutMs: 300 };
      const a = await BusNode.start(redis.url, 'a', { prefix: 'hang:', presenceTtlMs: 5000 }, fast);
      const b = await BusNode.start(redis.url, 'b', { prefix: 'hang:', presenceTtlMs: 5000 }, fast);
      try {
        await a.bus.presence.enter('r', { id: 'c1', name: 'ann' });
        await a.bus.presence.enter('r', { id: 'c2', name: 'cid' });
        await b.bus.presence.enter('r', { id: 'c3', name: 'bob' });

        redis.freeze();
        // Neither hangs nor throws: the changes are kept here and written once Redis answers.
        expect(await within(a.bus.presence.exit('r', 'c1'), 'the exit on a hung Redis', 5000)).toBeUndefined();
        await within(a.bus.presence.rename('c2', 'carl', ['r']), 'the rename on a hung Redis', 5000);
        expect(a.bus.presence.pendingRepairs).toBe(1);
        redis.thaw();

        await b.until(
          () => b.presence('r').some((notice) => notice.name === 'ann' && notice.event === 'leave'),
          'the leave of ann',
        );
        await b.until(() => a.bus.presence.pendingRepairs === 0, 'the repair to finish');
        expect(await b.bus.presence.roster('r')).toEqual({ members: ['carl', 'bob'], count: 2 });
        expect(b.presence('r').filter((notice) => notice.name === 'ann')).toHaveLength(1);
      } finally {
        await a.close();
        await b.close();
      }
    },
    TEST_MS,
  );
});
