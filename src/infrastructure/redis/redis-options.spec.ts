import {
  ioredisClusterOptionsFor,
  ioredisOptionsFor,
  parseClusterNodes,
  reconnectDelay,
  resolveRedisConnectionOptions,
} from './redis-options.js';

describe('Redis connection options', () => {
  it('applies the defaults and refuses what is not a Redis url or a positive integer', () => {
    expect(resolveRedisConnectionOptions({ url: 'redis://127.0.0.1:6379' })).toEqual({
      url: 'redis://127.0.0.1:6379',
      commandTimeoutMs: 2000,
      connectTimeoutMs: 5000,
      maxReconnectDelayMs: 2000,
      connectionName: 'chat-gateway',
      clusterNodes: [],
    });
    expect(() => resolveRedisConnectionOptions({ url: 'http://x' })).toThrow(RangeError);
    expect(() => resolveRedisConnectionOptions({ url: 'redis://x', commandTimeoutMs: 0 })).toThrow(RangeError);
  });

  it('reads cluster seed nodes as host:port, and names a bad one', () => {
    expect(parseClusterNodes(' 10.0.0.1:7000, redis-b:7001,[::1]:7002 ,')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(() => parseClusterNodes('10.0.0.1')).toThrow('"10.0.0.1"');
    expect(() => parseClusterNodes('h:70000')).toThrow(RangeError);
  });

  it('gives the cluster client the same no-queue, bounded policy, with credentials and TLS from the url', () => {
    const options = ioredisClusterOptionsFor(
      resolveRedisConnectionOptions({ url: 'rediss://u:p%40ss@x:1', clusterNodes: [{ host: 'a', port: 1 }] }),
    );
    expect(options).toMatchObject({ enableOfflineQueue: false, shardedSubscribers: true });
    expect(options.redisOptions).toMatchObject({
      username: 'u',
      password: 'p@ss',
      tls: {},
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
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
