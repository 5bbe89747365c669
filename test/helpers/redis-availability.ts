import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Redis } from 'ioredis';

/** The shared Redis the Redis-backed suites run against (CI starts one on 127.0.0.1:6379). */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when a Redis server answers PING at `url` within `timeoutMs`. */
export function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    let reply = '';
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

const sharedRedisUp = await redisAnswers(TEST_REDIS_URL);

/**
 * `describe` when the shared Redis answers. Without it the suite fails under CI (a missing
 * Redis must not look like a pass there) and is skipped with a visible notice elsewhere.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (sharedRedisUp) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () => {
      it('needs Redis', () => {
        throw new Error(`no Redis answers at ${TEST_REDIS_URL} (start redis-server or set TEST_REDIS_URL)`);
      });
    });
  } else {
    console.warn(`SKIPPED "${name}": no Redis answers at ${TEST_REDIS_URL}; start redis-server or set TEST_REDIS_URL.`);
    describe.skip(name, body);
  }
}

/** A key prefix of its own for one test run, so runs never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** Removes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', () => undefined);
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Every key under `prefix`, sorted (for tests that check what is left behind). */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 5000 });
  redis.on('error', () => undefined);
  await redis.connect();
  const found: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return found.sort();
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
