import { ioredisOptionsFor, reconnectDelay, resolveRedisConnectionOptions } from './redis-options.js';

describe('Redis connection options', () => {
  it('applies the defaults and refuses what is not a Redis url or a positive integer', () => {
    expect(resolveRedisConnectionOptions({ url: 'redis://127.0.0.1:6379' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 2000,
      connectTimeoutMs: 5000,
      maxReconnectDelayMs: 2000,
      connectionName: 'chat-gateway',
    });
    expect(() => resolveRedisConnectionOptions({ url: 'http://x' })).toThrow(RangeError);
    expect(() => resolveRedisConnectionOptions({ url: 'redis://x', commandTimeoutMs: 0 })).toThrow(RangeError);
  });

  it('backs off exponentially from 50 ms to the cap, with at most 20% jitter', () => {
    const low = (attempt: number) => reconnectDelay(attempt, 2000, () => 0);
    const high = (attempt: number) => reconnectDelay(attempt, 2000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7].map(high)).toEqual([50, 100, 200, 400, 800, 1600, 2000]);
    expect(low(1)).toBe(40);
    expect(high(1000)).toBe(2000);
    expect(low(1000)).toBe(1600);
  });

  it('never queues or resends commands, and bounds every one of them', () => {
    const options = ioredisOptionsFor(
      'commands',
      resolveRedisConnectionOptions({ url: 'redis://h:1', commandTimeoutMs: 750 }),
    );
    expect(options).toMatchObject({
      connectionName: 'chat-gateway:commands',
      commandTimeout: 750,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
    });
    expect(typeof options.retryStrategy).toBe('function');
    expect(options.retryStrategy!(3)).toBeLessThanOrEqual(200);
  });
});
