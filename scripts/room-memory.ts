/**
 * What one room's history costs, for README "Operating it":
 *   tsc -p scripts/tsconfig.json && node --expose-gc scripts/.build/scripts/room-memory.js [redis://127.0.0.1:6379]
 * In memory: the heap growth of an InMemoryChatBus holding N full rooms, per room. In Redis:
 * `MEMORY USAGE` of a full room's stream written through the Redis bus (under a throw-away prefix,
 * deleted afterwards), and of the room index per entry. Then what a remembered idempotency key
 * costs (a sender id of 36 characters, a ref of 12), in memory and in Redis.
 */
import { randomBytes } from 'node:crypto';
import { InMemoryChatBus } from '../src/chat/bus/in-memory-chat-bus.js';
import { RedisChatBus } from '../src/chat/bus/redis/redis-chat-bus.js';
import { RedisConnections } from '../src/infrastructure/index.js';

const HISTORY = 100;
const ROOMS = 500;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

/** A fresh flat string, as a message parsed off the wire is. */
const textOf = (room: number, i: number, length: number, fill: string) =>
  JSON.parse(JSON.stringify(`${room}:${i}:`.padEnd(length, fill).slice(0, length))) as string;

const shapes = [
  { label: '100 x 2,000-character messages', length: 2000, fill: 'lorem ipsum dolor sit amet ' },
  { label: '100 x 2,000-character messages of CJK text', length: 2000, fill: '漢字かな交じり文' },
  { label: '100 x 20-character messages', length: 20, fill: 'lorem ipsum dolor sit amet ' },
];

async function inMemory(length: number, fill: string): Promise<number> {
  gc!();
  const before = process.memoryUsage().heapUsed;
  const bus = new InMemoryChatBus({ historySize: HISTORY, maxRooms: ROOMS });
  for (let room = 0; room < ROOMS; room++) {
    for (let i = 0; i < HISTORY; i++)
      await bus.publish({ room: `room-${room}`, from: `user-${i % 7}`, text: textOf(room, i, length, fill) });
  }
  gc!();
  const perRoom = (process.memoryUsage().heapUsed - before) / ROOMS;
  await bus.close();
  return perRoom;
}

/**
 * Streams trim in whole nodes (`MAXLEN ~`): a room written to for long holds 100 to about 200
 * entries. Writes 3 x HISTORY messages to each of a few rooms and reports the largest stream;
 * and 1,000 one-message rooms for the index (a skip list beyond 128 entries).
 */
async function inRedis(
  url: string,
  length: number,
  fill: string,
): Promise<{ stream: number; entries: number; indexPerRoom: number }> {
  const prefix = `measure:${process.pid}-${randomBytes(3).toString('hex')}:`;
  const connections = new RedisConnections({ url, connectionName: `${prefix}measure` });
  const bus = new RedisChatBus(connections, { prefix, historySize: HISTORY, node: 'measure' });
  const redis = connections.commands;
  try {
    await bus.ready();
    let stream = 0;
    let entries = 0;
    for (let room = 0; room < 5; room++) {
      for (let i = 0; i < 3 * HISTORY; i++) {
        await bus.publish({ room: `room-${room}`, from: `user-${i % 7}`, text: textOf(room, i, length, fill) });
        if (i >= HISTORY) {
          const usage = Number(await redis.call('MEMORY', 'USAGE', `${prefix}stream:room-${room}`, 'SAMPLES', '0'));
          if (usage > stream) [stream, entries] = [usage, await redis.xlen(`${prefix}stream:room-${room}`)];
        }
      }
    }
    const rooms = 1000;
    for (let room = 5; room < rooms; room++) await bus.publish({ room: `room-${room}`, from: 'u', text: 'x' });
    const index = Number(await redis.call('MEMORY', 'USAGE', `${prefix}room-activity`, 'SAMPLES', '0'));
    return { stream, entries, indexPerRoom: index / rooms };
  } finally {
    await bus.close();
    const redis = connections.commands;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await connections.close();
  }
}

const KEYS = 1000;
const senderOf = (i: number) => `${i % 10}`.padStart(36, 'f');
const refOf = (i: number) => `m${(1_700_000_000 + i).toString(36)}.${i}`;

/** Heap per remembered key: rooms keeping one message of history and KEYS keys each. */
async function keysInMemory(): Promise<number> {
  const rooms = 50;
  const bus = new InMemoryChatBus({ historySize: 1, maxRooms: rooms, idempotency: { keysPerRoom: KEYS } });
  for (let room = 0; room < rooms; room++) await bus.publish({ room: `room-${room}`, from: 'u', text: 'x' });
  gc!();
  const before = process.memoryUsage().heapUsed;
  for (let room = 0; room < rooms; room++) {
    for (let i = 0; i < KEYS; i++)
      await bus.publish({ room: `room-${room}`, from: 'u', fromId: senderOf(i), text: 'x', ref: refOf(i) });
  }
  gc!();
  const perKey = (process.memoryUsage().heapUsed - before) / (rooms * KEYS);
  await bus.close();
  return perKey;
}

/** `MEMORY USAGE` of a room's two generations of keys (sent, sent-prev) holding KEYS keys, per key. */
async function keysInRedis(url: string): Promise<number> {
  const prefix = `measure:${process.pid}-${randomBytes(3).toString('hex')}:`;
  const connections = new RedisConnections({ url, connectionName: `${prefix}measure` });
  const bus = new RedisChatBus(connections, { prefix, historySize: 1, node: 'measure' });
  const redis = connections.commands;
  try {
    await bus.ready();
    for (let i = 0; i < KEYS; i++)
      await bus.publish({ room: 'keys', from: 'u', fromId: senderOf(i), text: 'x', ref: refOf(i) });
    let total = 0;
    for (const key of ['sent:keys', 'sent-prev:keys'])
      total += Number(await redis.call('MEMORY', 'USAGE', `${prefix}${key}`, 'SAMPLES', '0'));
    return total / KEYS;
  } finally {
    await bus.close();
    for (const key of ['stream:keys', 'sent:keys', 'sent-prev:keys', 'room-activity'])
      await redis.unlink(`${prefix}${key}`);
    await connections.close();
  }
}

const url = process.argv[2] ?? 'redis://127.0.0.1:6379';
console.log(
  `idempotency keys: ${Math.round(await keysInMemory())} B each in memory, ${Math.round(await keysInRedis(url))} B each in Redis`,
);
for (const { label, length, fill } of shapes) {
  const memory = await inMemory(length, fill);
  console.log(`in memory, ${label}: ${Math.round(memory / 1024)} KiB per room (${ROOMS} rooms)`);
  const redis = await inRedis(url, length, fill);
  console.log(
    `Redis, ${label}: stream up to ${Math.round(redis.stream / 1024)} KiB (MEMORY USAGE, ${redis.entries} entries), index ${Math.round(redis.indexPerRoom)} B per room`,
  );
}
