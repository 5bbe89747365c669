import { Redis } from 'ioredis';
import { RoomLimitError } from '../src/chat/bus/bus-errors.js';
import type { RedisChatBusOptions } from '../src/chat/bus/redis/redis-chat-bus.js';
import type { ChatMessage } from '../src/chat/index.js';
import { BusNode } from './helpers/redis-bus-node.js';
import {
  deleteKeys,
  describeWithRedis,
  keysUnder,
  TEST_REDIS_URL,
  uniquePrefix,
} from './helpers/redis-availability.js';
import { startService } from './helpers/service-app.js';
import { eventually } from './helpers/waiting.js';

const texts = (messages: ChatMessage[]) => messages.map((message) => message.text);

describeWithRedis('the Redis bus keeps a bounded number of rooms', () => {
  const nodes: BusNode[] = [];
  let admin: Redis;
  let prefix: string;

  async function node(options: Omit<RedisChatBusOptions, 'prefix'>): Promise<BusNode> {
    const started = await BusNode.start(TEST_REDIS_URL, `n${nodes.length}`, { prefix, ...options });
    nodes.push(started);
    return started;
  }
  const stream = (room: string) => `${prefix}stream:${room}`;
  const index = () => `${prefix}room-activity`;
  const streams = async () =>
    (await keysUnder(TEST_REDIS_URL, prefix)).filter((key) => key.startsWith(`${prefix}stream:`));

  beforeAll(() => {
    admin = new Redis(TEST_REDIS_URL, { commandTimeout: 5000 });
  });
  beforeEach(() => {
    prefix = uniquePrefix('rooms');
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((started) => started.close()));
    await deleteKeys(TEST_REDIS_URL, prefix);
  });
  afterAll(() => admin.disconnect());

  it('lets one REST client create 10 rooms a minute, each expiring, instead of 3,000 streams that never do (BUS=redis)', async () => {
    // The REST write limit (its own test) is off, so every refusal here is the room creation limit's.
    const service = await startService({
      BUS: 'redis',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      ECHO_ENABLED: 'false',
      CHAT_REST_RATE_LIMIT_PER_SECOND: '0',
    });
    try {
      const statuses: number[] = [];
      const started = Date.now();
      for (let batch = 0; batch < 12; batch++) {
        const responses = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            fetch(`${service.httpUrl}/api/rooms/new-${batch * 50 + i}/messages`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ from: 'x', text: 'x'.repeat(2000) }),
            }),
          ),
        );
        for (const response of responses) {
          statuses.push(response.status);
          if (response.status === 429) expect(response.headers.get('retry-after')).toBe('6');
          await response.arrayBuffer();
        }
      }
      // 10 at once, then one more every 6 s while the attack lasts (seconds on a loaded machine).
      const created = statuses.filter((status) => status === 201).length;
      expect(created).toBeGreaterThanOrEqual(10);
      expect(created).toBeLessThanOrEqual(10 + Math.floor((Date.now() - started) / 6000));
      expect(statuses.filter((status) => status === 429)).toHaveLength(600 - created);
      const kept = await streams();
      expect(kept).toHaveLength(created);
      for (const key of kept) expect(await admin.pttl(key)).toBeGreaterThan(604_000_000);
      expect(await admin.zcard(index())).toBe(created);
    } finally {
      await service.close();
    }
  }, 30_000);

  it('refreshes the expiry of a room stream with every message, and leaves it alone with a TTL of 0', async () => {
    const a = await node({ roomTtlMs: 60_000 });
    await a.bus.publish({ room: 'r', from: 'ann', text: 'one' });
    expect(await admin.pttl(stream('r'))).toBeGreaterThan(59_000);
    await admin.pexpire(stream('r'), 5000);
    await a.bus.publish({ room: 'r', from: 'ann', text: 'two' });
    expect(await admin.pttl(stream('r'))).toBeGreaterThan(59_000);
    const never = await node({ roomTtlMs: 0 });
    await never.bus.publish({ room: 'forever', from: 'ann', text: 'x' });
    expect(await admin.pttl(stream('forever'))).toBe(-1);
  });

  it('answers an expired room like one never written to, and says truncated to resumes from before it', async () => {
    const a = await node({ roomTtlMs: 300 });
    const first = await a.bus.publish({ room: 'brief', from: 'ann', text: 'm1' });
    const second = await a.bus.publish({ room: 'brief', from: 'ann', text: 'm2' });
    let exists = 1;
    const poll = setInterval(() => void admin.exists(stream('brief')).then((n) => (exists = n)), 20);
    try {
      await eventually(() => exists === 0, 'the idle stream to expire', 5000);
    } finally {
      clearInterval(poll);
    }
    expect(await a.bus.history('brief', { limit: 10 })).toEqual({ messages: [], truncated: false });
    expect(await a.bus.history('brief', { since: first.id, limit: 10 })).toEqual({ messages: [], truncated: true });
    expect((await a.bus.history('brief', { since: '0-0', limit: 10 })).truncated).toBe(false);
    // Written again: a new stream, and a resume from the old one still knows it lost messages.
    const third = await a.bus.publish({ room: 'brief', from: 'ann', text: 'm3' });
    const resumed = await a.bus.history('brief', { since: second.id, limit: 10 });
    expect(texts(resumed.messages)).toEqual(['m3']);
    expect(resumed.truncated).toBe(true);
    expect(await a.bus.history('brief', { since: third.id, limit: 10 })).toEqual({ messages: [], truncated: false });
  });

  it('refuses new rooms past maxRooms while every room is in use, keeping every history (the 3,000-room attack)', async () => {
    const a = await node({ maxRooms: 5, roomMinIdleMs: 60_000 });
    await a.bus.presence.enter('lobby', { id: 'c1', name: 'ann' });
    const kept = await a.bus.publish({ room: 'lobby', from: 'ann', text: 'keep me' });
    for (let i = 0; i < 4; i++) await a.bus.publish({ room: `room-${i}`, from: 'bob', text: 'recent' });
    const attempts = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => a.bus.publish({ room: `spam-${i}`, from: 'x', text: 'x'.repeat(2000) })),
    );
    const refusals = attempts.filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    expect(refusals).toHaveLength(300);
    for (const { reason } of refusals) expect(reason).toBeInstanceOf(RoomLimitError);
    expect((refusals[0].reason as RoomLimitError).retryAfterSeconds).toBeGreaterThan(50);
    expect(await a.bus.history('lobby', { since: '0-0', limit: 10 })).toEqual({ messages: [kept], truncated: false });
    expect(await streams()).toHaveLength(5);
    expect(await admin.zcard(index())).toBe(5);
  });

  it('makes way for a new room by dropping the room idle the longest, never one with members', async () => {
    const a = await node({ maxRooms: 3, roomMinIdleMs: 0 });
    const b = await node({ maxRooms: 3, roomMinIdleMs: 0 });
    // Members on the other instance: presence is shared.
    await b.bus.presence.enter('occupied', { id: 'c1', name: 'ann' });
    await a.bus.publish({ room: 'occupied', from: 'ann', text: 'oldest, but ann is here' });
    const idle = [
      await a.bus.publish({ room: 'idle', from: 'bob', text: 'i1' }),
      await a.bus.publish({ room: 'idle', from: 'bob', text: 'i2' }),
    ];
    await a.bus.publish({ room: 'newer', from: 'bob', text: 'n1' });
    await a.bus.publish({ room: 'new', from: 'cy', text: 'hello' });
    expect(texts((await a.bus.history('occupied', { limit: 10 })).messages)).toEqual(['oldest, but ann is here']);
    expect(await a.bus.history('idle', { since: idle[0].id, limit: 10 })).toEqual({ messages: [], truncated: true });
    expect(texts((await a.bus.history('newer', { limit: 10 })).messages)).toEqual(['n1']);
    expect((await admin.zrange(index(), '0', '-1')).sort()).toEqual(['new', 'newer', 'occupied']);
    expect(await streams()).toHaveLength(3);
  });

  it('never drops a room with a recent message, even when the index says it is old', async () => {
    const a = await node({ maxRooms: 2, roomMinIdleMs: 60_000, roomTtlMs: 0 });
    await a.bus.publish({ room: 'recent', from: 'ann', text: 'just now' });
    // A room whose last message is from 1970, and both look idle in the index.
    await admin.xadd(stream('ancient'), '1000-0', 'from', 'old', 'text', 'long ago');
    await admin.zadd(index(), 1000, 'ancient', 1000, 'recent');
    await a.bus.publish({ room: 'fresh', from: 'cy', text: 'made way' });
    expect(await admin.exists(stream('ancient'))).toBe(0);
    expect(texts((await a.bus.history('recent', { limit: 10 })).messages)).toEqual(['just now']);
    await expect(a.bus.publish({ room: 'one-more', from: 'cy', text: 'x' })).rejects.toBeInstanceOf(RoomLimitError);
    expect((await admin.zrange(index(), '0', '-1')).sort()).toEqual(['fresh', 'recent']);
  });

  it('keeps the room index bounded: rooms whose streams expired leave it', async () => {
    const a = await node({ maxRooms: 3, roomMinIdleMs: 60_000, roomTtlMs: 200 });
    for (const room of ['a', 'b', 'c']) await a.bus.publish({ room, from: 'x', text: room });
    await expect(a.bus.publish({ room: 'd', from: 'x', text: 'd' })).rejects.toBeInstanceOf(RoomLimitError);
    let left = 3;
    const poll = setInterval(() => void streams().then((keys) => (left = keys.length)), 20);
    try {
      await eventually(() => left === 0, 'the three streams to expire', 5000);
    } finally {
      clearInterval(poll);
    }
    for (const room of ['d', 'e', 'f']) await a.bus.publish({ room, from: 'x', text: room });
    expect((await admin.zrange(index(), '0', '-1')).sort()).toEqual(['d', 'e', 'f']);
    expect(await admin.pttl(index())).toBe(-1);
  });
});
