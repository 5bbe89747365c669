import { connect } from 'node:net';
import { Redis } from 'ioredis';

const SCAN_COUNT = 500;

/** Host and port of a redis:// URL. */
function address(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
}

/**
 * Whether Redis answers PING within `timeoutMs`; resolves with the reason it does not
 * (an unprotected server answers +PONG, a protected one -NOAUTH: both are up).
 */
export function redisProblem(url: string, timeoutMs: number): Promise<string | undefined> {
  const { host, port } = address(url);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const finish = (problem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => finish(`no answer from ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (text: string) => {
      reply += text;
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') ? undefined : `Redis answered ${reply.trim()}`);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(`${host}:${port}: ${error.code ?? error.message}`));
  });
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
