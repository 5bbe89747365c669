import { Redis } from 'ioredis';
import { ChatBusUnavailableError } from '../src/chat/bus/bus-errors.js';
import { compareMessageIds, type ChatMessage } from '../src/chat/index.js';
import { within } from './helpers/chat-clients.js';
import { BusNode } from './helpers/redis-bus-node.js';
import { isHistoryKey } from './helpers/redis-room-keys.js';
import {
  deleteKeys,
  describeWithRedis,
  keysUnder,
  TEST_REDIS_URL,
  uniquePrefix,
} from './helpers/redis-availability.js';

const ids = (messages: ChatMessage[]) => messages.map((message) => message.id);

describeWithRedis('the Redis bus against a real Redis', () => {
  const prefix = uniquePrefix('bus');
  const nodes: BusNode[] = [];
  let admin: Redis;

  async function node(name: string, options: { historySize?: number; presenceTtlMs?: number } = {}): Promise<BusNode> {
    const started = await BusNode.start(TEST_REDIS_URL, name, { prefix, ...options });
    nodes.push(started);
    return started;
  }

  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((started) => started.close()));
  });
  afterAll(async () => {
    await deleteKeys(TEST_REDIS_URL, prefix);
    admin.disconnect();
  });

  it('stores a message in its room stream and delivers it once to every instance, the publisher included', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const stored = await a.bus.publish({ room: 'r1', from: 'ann', text: 'hello "there" ✓' });
    expect(stored.id).toMatch(/^\d+-\d+$/);
    expect(stored.at).toBe(new Date(Number(stored.id.split('-')[0])).toISOString());
    await a.until(() => a.messages('r1').length === 1, 'its own message');
    await b.until(() => b.messages('r1').length === 1, 'the message of a');
    expect(a.messages('r1')).toEqual([stored]);
    expect(b.messages('r1')).toEqual([stored]);
    const entries = await admin.xrange(`${prefix}stream:r1`, '-', '+');
    expect(entries).toEqual([[stored.id, ['from', 'ann', 'text', 'hello "there" ✓']]]);
    // Nothing more arrives: a round trip through the channel comes back alone.
    const marker = await b.bus.publish({ room: 'r1', from: 'bob', text: 'marker' });
    await a.until(() => a.messages('r1').length === 2, 'the marker');
    expect(ids(a.messages('r1'))).toEqual([stored.id, marker.id]);
  });

  it('stores fromId in the stream and delivers it to every instance', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const stored = await a.bus.publish({ room: 'ids', from: 'Sam', fromId: 'user-42', text: 'hi' });
    expect(stored).toMatchObject({ from: 'Sam', fromId: 'user-42' });
    await b.until(() => b.messages('ids').length === 1, 'the message on the other instance');
    expect(b.messages('ids')).toEqual([stored]);
    expect((await b.bus.history('ids', { limit: 10 })).messages).toEqual([stored]);
    expect(await admin.xrange(`${prefix}stream:ids`, '-', '+')).toEqual([
      [stored.id, ['from', 'Sam', 'text', 'hi', 'fromId', 'user-42']],
    ]);
  });

  it('reads entries stored before messages carried fromId, with an empty one', async () => {
    const a = await node('a');
    // What the previous version's publish script wrote: no fromId field.
    const oldId = await admin.xadd(`${prefix}stream:legacy`, '*', 'from', 'Old', 'text', 'from the past');
    const fresh = await a.bus.publish({ room: 'legacy', from: 'New', fromId: 'user-1', text: 'from now' });
    const { messages } = await a.bus.history('legacy', { limit: 10 });
    expect(messages.map(({ id, from, fromId, text }) => ({ id, from, fromId, text }))).toEqual([
      { id: oldId, from: 'Old', fromId: '', text: 'from the past' },
      { id: fresh.id, from: 'New', fromId: 'user-1', text: 'from now' },
    ]);
    expect((await a.bus.history('legacy', { since: oldId!, limit: 10 })).messages).toEqual([fresh]);
  });

  it('says truncated only when messages after since were trimmed away, or the room has no stream left', async () => {
    const a = await node('a', { historySize: 3 });
    const sent: ChatMessage[] = [];
    // Approximate trimming drops whole stream nodes (100 entries by default): write well past one.
    for (let i = 0; i < 250; i++) sent.push(await a.bus.publish({ room: 'trim', from: 'a', text: `${i}` }));
    const length = await admin.xlen(`${prefix}stream:trim`);
    expect(length).toBeGreaterThanOrEqual(3);
    expect(length).toBeLessThan(250);
    const newest = await a.bus.history('trim', { limit: 3 });
    expect(newest).toEqual({ messages: sent.slice(-3), truncated: false });
    const fromStart = await a.bus.history('trim', { since: sent[0].id, limit: 500 });
    expect(fromStart.truncated).toBe(true);
    expect(fromStart.messages).toEqual(sent.slice(250 - length));
    expect(await a.bus.history('trim', { since: sent[247].id, limit: 10 })).toEqual({
      messages: sent.slice(248),
      truncated: false,
    });
    expect((await a.bus.history('never-written', { since: sent[0].id, limit: 10 })).truncated).toBe(true);
    expect((await a.bus.history('never-written', { since: '0-0', limit: 10 })).truncated).toBe(false);
  });

  it('announces presence to every instance with the roster as it is when published', async () => {
    const [a, b] = [await node('a'), await node('b')];
    await a.bus.presence.enter('lobby', { id: 'c1', name: 'ann' });
    await b.bus.presence.enter('lobby', { id: 'c2', name: 'bob' });
    // The caller's roster is stale on purpose: the notice carries Redis' current one.
    await a.bus.announce({ room: 'lobby', name: 'ann', event: 'join', members: ['ann'], count: 1 });
    const expected = { room: 'lobby', name: 'ann', event: 'join', members: ['ann', 'bob'], count: 2 };
    for (const started of [a, b]) await started.until(() => started.presence('lobby').length === 1, 'the join notice');
    expect(a.presence('lobby')).toEqual([expected]);
    expect(b.presence('lobby')).toEqual([expected]);
  });

  it('drops the members of an instance whose heartbeat stopped after the expiry, and announces their leaves', async () => {
    const a = await node('a', { presenceTtlMs: 600 });
    const b = await node('b', { presenceTtlMs: 600 });
    await a.bus.presence.enter('lobby', { id: 'c1', name: 'ann' });
    await b.bus.presence.enter('lobby', { id: 'c2', name: 'bob' });
    // b "dies": its connections are cut and never come back, so its heartbeats stop.
    b.connections.commands.disconnect();
    b.connections.subscriber?.disconnect();
    const gone = Date.now();
    await a.until(
      () => a.presence('lobby').some((notice) => notice.name === 'bob' && notice.event === 'leave'),
      'bob to expire',
      5000,
    );
    expect(Date.now() - gone).toBeGreaterThanOrEqual(300);
    expect(a.presence('lobby').at(-1)).toEqual({
      room: 'lobby',
      name: 'bob',
      event: 'leave',
      members: ['ann'],
      count: 1,
    });
    expect(await a.bus.presence.roster('lobby')).toEqual({ members: ['ann'], count: 1 });
    expect(await admin.zscore(`${prefix}nodes`, 'b')).toBeNull();
    expect(await admin.exists(`${prefix}node:b:rooms`)).toBe(0);
  });

  it('writes its members again, and announces them, when Redis forgot them', async () => {
    const a = await node('a', { presenceTtlMs: 600 });
    const b = await node('b', { presenceTtlMs: 600 });
    await a.bus.presence.enter('lobby', { id: 'c1', name: 'ann' });
    await a.bus.presence.enter('side', { id: 'c1', name: 'ann' });
    for (const key of [
      `${prefix}nodes`,
      `${prefix}members:lobby`,
      `${prefix}names:lobby`,
      `${prefix}members:side`,
      `${prefix}names:side`,
      `${prefix}rooms`,
    ]) {
      await admin.del(key);
    }
    await b.until(
      () => b.presence('lobby').some((notice) => notice.name === 'ann' && notice.event === 'join'),
      'ann to be written again',
    );
    await b.until(() => b.presence('side').length > 0, 'ann to be written again in side');
    expect(await b.bus.presence.roster('lobby')).toEqual({ members: ['ann'], count: 1 });
    expect(await b.bus.presence.rooms()).toEqual([
      { room: 'lobby', members: 1 },
      { room: 'side', members: 1 },
    ]);
  });

  it('catches up, once and in order, on messages published while its subscription was cut', async () => {
    const a = await node('a');
    const b = await node('b');
    // b has a member in the room, so it follows the room's stream.
    await b.bus.presence.enter('busy', { id: 'c2', name: 'bob' });
    const before = await a.bus.publish({ room: 'busy', from: 'ann', text: 'before' });
    await b.until(() => b.messages('busy').length === 1, 'the first message');
    const clients = await admin.client('LIST');
    const subscriber = String(clients)
      .split('\n')
      .find((line) => line.includes(` name=${prefix}b:subscriber `));
    expect(subscriber).toBeDefined();
    const id = /\bid=(\d+)/.exec(subscriber!)![1];
    await admin.client('KILL', 'ID', id);
    // Published after the kill: b's subscription is gone on the server, so it misses them live.
    const missed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => a.bus.publish({ room: 'busy', from: 'ann', text: `missed ${i}` })),
    );
    await b.until(() => b.messages('busy').length === 21, 'the missed messages', 8000);
    expect(b.bus.recoveredMessages).toBeGreaterThan(0);
    const after = await a.bus.publish({ room: 'busy', from: 'ann', text: 'after' });
    await b.until(() => b.messages('busy').length === 22, 'the message after the catch-up');
    await a.until(() => a.messages('busy').length === 22, 'its own 22 messages');
    expect(ids(b.messages('busy'))).toEqual([before.id, ...missed.map((m) => m.id).sort(compareMessageIds), after.id]);
    expect(ids(a.messages('busy'))).toEqual(ids(b.messages('busy')));
  });

  it('removes its members when closed, and leaves nothing but the room streams behind', async () => {
    const a = await node('a');
    const b = await node('b');
    await a.bus.presence.enter('tidy', { id: 'c1', name: 'ann' });
    await b.bus.presence.enter('tidy', { id: 'c2', name: 'bob' });
    await a.bus.publish({ room: 'tidy', from: 'ann', text: 'bye' });
    await a.close();
    nodes.splice(nodes.indexOf(a), 1);
    await b.until(
      () => b.presence('tidy').some((notice) => notice.name === 'ann' && notice.event === 'leave'),
      'ann to leave',
    );
    expect(await b.bus.presence.roster('tidy')).toEqual({ members: ['bob'], count: 1 });
    await b.close();
    nodes.splice(nodes.indexOf(b), 1);
    const left = (await keysUnder(TEST_REDIS_URL, prefix)).filter((key) => !isHistoryKey(prefix, key));
    expect(left).toEqual([]);
  });

  it('waits on close for a message still being stored: acknowledged, then in the history after the close', async () => {
    const a = await node('a');
    const settled: string[] = [];
    // Redis holds writes (scripts included) for a moment: the store is in flight when close() starts.
    await admin.call('CLIENT', 'PAUSE', '250', 'WRITE');
    const publishing = a.bus.publish({ room: 'drain', from: 'ann', text: 'last words' }).then((stored) => {
      settled.push('stored');
      return stored;
    });
    // Leaving presence is the first thing close() asks of Redis: it must wait for the store.
    const deregister = a.bus.presence.deregister.bind(a.bus.presence);
    a.bus.presence.deregister = () => {
      settled.push('leaving presence');
      return deregister();
    };
    const closing = a.close().then(() => settled.push('closed'));
    nodes.splice(nodes.indexOf(a), 1);
    const stored = await within(publishing, 'the message in flight to be stored');
    await within(closing, 'the close');
    expect(settled).toEqual(['stored', 'leaving presence', 'closed']);
    expect(await admin.xrange(`${prefix}stream:drain`, '-', '+')).toEqual([
      [stored.id, ['from', 'ann', 'text', 'last words']],
    ]);
  });

  it('waits on close for a store in flight no longer than drainTimeoutMs', async () => {
    const a = await BusNode.start(TEST_REDIS_URL, 'a', { prefix, drainTimeoutMs: 50 });
    const settled: string[] = [];
    await admin.call('CLIENT', 'PAUSE', '300', 'WRITE');
    const publishing = a.bus
      .publish({ room: 'drain-bound', from: 'ann', text: 'slow' })
      .then(() => settled.push('stored'));
    const deregister = a.bus.presence.deregister.bind(a.bus.presence);
    a.bus.presence.deregister = () => {
      settled.push('leaving presence');
      return deregister();
    };
    await within(a.close(), 'the close');
    await within(publishing, 'the store');
    expect(settled).toEqual(['leaving presence', 'stored']);
  });
});

describe('the Redis bus without a Redis', () => {
  it('rejects a publish at once with ChatBusUnavailableError, never acknowledging it', async () => {
    const { RedisConnections } = await import('../src/infrastructure/index.js');
    const { RedisChatBus } = await import('../src/chat/bus/redis/redis-chat-bus.js');
    const connections = new RedisConnections({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 });
    const bus = new RedisChatBus(connections, { prefix: 'nowhere:' });
    try {
      // At once: queued for a connection that never comes, it would wait out ioredis' retries
      // (many seconds), far beyond this wait.
      const outcome = await within(
        bus.publish({ room: 'r', from: 'a', text: 'x' }).catch((error: unknown) => error),
        'the publish to fail',
        3000,
      );
      expect(outcome).toBeInstanceOf(ChatBusUnavailableError);
      await expect(bus.history('r', { limit: 5 })).rejects.toBeInstanceOf(ChatBusUnavailableError);
      await expect(bus.presence.enter('r', { id: 'c', name: 'a' })).rejects.toBeInstanceOf(ChatBusUnavailableError);
      expect(connections.problem()).toMatch(/Redis commands connection is (connecting|reconnecting)/);
    } finally {
      await bus.close();
      await connections.close();
    }
  });
});
