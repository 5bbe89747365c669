import { Redis } from 'ioredis';
import { resolveIdempotencyWindow } from '../src/chat/bus/idempotency-window.js';
import { compareMessageIds } from '../src/chat/bus/message-id.js';
import { RedisChatStore, type StoreLimits } from '../src/chat/bus/redis/redis-chat-store.js';
import { RedisKeys } from '../src/chat/bus/redis/redis-keys.js';
import { messageEnvelope } from '../src/chat/bus/redis/redis-wire.js';
import { describeWithRedisServer, RedisServerProcess } from './helpers/redis-server.js';
import { eventually } from './helpers/waiting.js';

const DAY_MS = 24 * 3600 * 1000;

describeWithRedisServer('the store script of the Redis bus (a redis-server of the test)', () => {
  let server: RedisServerProcess;
  let redis: Redis;
  let store: RedisChatStore;
  const keys = new RedisKeys('t:', false);
  const limits = (over: Partial<StoreLimits> = {}, keysPerRoom = 500, windowMs = 600_000): StoreLimits => ({
    maxLength: 100,
    ttlMs: DAY_MS,
    window: resolveIdempotencyWindow({ keysPerRoom, windowMs }),
    ...over,
  });
  const publish = (room: string, text: string, ref?: string, storeLimits = limits()) => {
    const draft = { room, from: 'ann', fromId: 'u-1', text, ...(ref === undefined ? {} : { ref }) };
    return store.publish(draft, messageEnvelope('node', draft), storeLimits);
  };
  const scriptCalls = async (): Promise<number> =>
    Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);

  beforeAll(async () => {
    server = await RedisServerProcess.create();
    redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    store = new RedisChatStore(redis, keys, 'node');
  });
  beforeEach(async () => {
    await redis.flushall();
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.kill();
  });

  it("stores a room's messages given in one turn with one call and one publication, in the order given", async () => {
    await publish('warm', 'loads the script');
    const subscriber = new Redis(server.url, { maxRetriesPerRequest: 0 });
    const publications: string[] = [];
    subscriber.on('message', (_channel: string, payload: string) => publications.push(payload));
    await subscriber.subscribe(keys.sharedChannel());
    const before = await scriptCalls();
    const stored = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => publish('a', `a${i}`, `ref-${i}`)),
      ...Array.from({ length: 5 }, (_, i) => publish('b', `b${i}`)),
    ]);
    expect((await scriptCalls()) - before).toBe(2);
    const ids = stored.slice(0, 10).map(({ message }) => message.id);
    expect(ids).toEqual([...ids].sort(compareMessageIds));
    expect(new Set(ids).size).toBe(10);
    const entries = await redis.xrange(keys.stream('a'), '-', '+');
    expect(entries.map(([id, fields]) => [id, fields[fields.indexOf('text') + 1]])).toEqual(
      ids.map((id, i) => [id, `a${i}`]),
    );
    await eventually(() => publications.length === 2, 'the two publications', 5000);
    subscriber.disconnect();
    expect(publications.map((payload) => payload.split('\n')[0])).toEqual([
      ids.join(','),
      stored
        .slice(10)
        .map(({ message }) => message.id)
        .join(','),
    ]);
  });

  it('answers a key given twice in one turn with the message stored for the first, stored once', async () => {
    const [first, second] = await Promise.all([publish('r', 'first', 'same'), publish('r', 'second', 'same')]);
    expect(first.replayed).toBe(false);
    expect(second).toEqual({ message: first.message, replayed: true });
    expect(await redis.xlen(keys.stream('r'))).toBe(1);
  });

  it('sets the expiry of the room keys when the stream is created, then only when it is more than 1% short', async () => {
    await publish('ttl', 'creates the stream and the keys', 'k1');
    for (const key of [keys.stream('ttl'), keys.sent('ttl')])
      expect(await redis.pttl(key)).toBeGreaterThan(DAY_MS - 60_000);
    // Less than 1% short: left as it is.
    await redis.pexpire(keys.stream('ttl'), DAY_MS - DAY_MS / 200);
    await redis.pexpire(keys.sent('ttl'), 3_600_000);
    await publish('ttl', 'no refresh', 'k2');
    expect(await redis.pttl(keys.stream('ttl'))).toBeLessThanOrEqual(DAY_MS - DAY_MS / 200);
    expect(await redis.pttl(keys.sent('ttl'))).toBeLessThanOrEqual(3_600_000);
    // More than 1% short: every key of the room gets the full TTL again.
    await redis.pexpire(keys.stream('ttl'), DAY_MS - DAY_MS / 50);
    await publish('ttl', 'refresh', 'k3');
    for (const key of [keys.stream('ttl'), keys.sent('ttl')])
      expect(await redis.pttl(key)).toBeGreaterThan(DAY_MS - 60_000);
  });

  it('gives a key generation created after the last refresh an expiry of its own, and none with a TTL of 0', async () => {
    await publish('later', 'no key yet');
    await publish('later', 'the first key', 'k1');
    expect(await redis.pttl(keys.sent('later'))).toBeGreaterThan(DAY_MS - 60_000);
    await publish('never', 'forever', 'k1', limits({ ttlMs: 0 }));
    expect(await redis.pttl(keys.stream('never'))).toBe(-1);
    expect(await redis.pttl(keys.sent('never'))).toBe(-1);
  });

  it('keeps at most twice keysPerRoom keys in two generations, each a hash table, the newest keysPerRoom always', async () => {
    const small = limits({}, 3);
    const stored: string[] = [];
    for (let i = 0; i < 10; i++) stored.push((await publish('cap', `m${i}`, `k${i}`, small)).message.id);
    const current = await redis.hgetall(keys.sent('cap'));
    const previous = await redis.hgetall(keys.sentPrev('cap'));
    // k9 began a new generation; k6..k8 are the one before; older ones are gone.
    expect(Object.values(current)).toContain(stored[9]);
    expect(Object.keys(previous).filter((key) => key.startsWith('['))).toHaveLength(3);
    expect(await redis.object('ENCODING', keys.sent('cap'))).toBe('hashtable');
    for (const i of [7, 8, 9]) expect((await publish('cap', 'again', `k${i}`, small)).replayed).toBe(true);
    expect((await publish('cap', 'again', 'k0', small)).replayed).toBe(false);
    expect(await redis.pttl(keys.sentPrev('cap'))).toBeGreaterThan(0);
  });

  it('forgets a key windowMs after its message, while its generation still holds it', async () => {
    const brief = limits({}, 500, 300);
    const first = await publish('window', 'first', 'k', brief);
    expect((await publish('window', 'resend', 'k', brief)).message.id).toBe(first.message.id);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const again = await publish('window', 'after the window', 'k', brief);
    expect(again.replayed).toBe(false);
    expect(again.message.id).not.toBe(first.message.id);
  });

  it('deletes both key generations, and what earlier versions kept, with the history of an idle room', async () => {
    const small = limits({}, 2);
    for (let i = 0; i < 5; i++) await publish('idle', `m${i}`, `k${i}`, small);
    await redis.zadd(keys.sentAt('idle'), 1, 'left by an earlier version');
    expect(await store.evictRoom('idle', Date.now() + 60_000)).toBe(true);
    for (const key of [keys.stream('idle'), keys.sent('idle'), keys.sentPrev('idle'), keys.sentAt('idle')])
      expect(await redis.exists(key)).toBe(0);
  });
});
