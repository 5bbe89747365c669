import type { ClusterOptions, RedisOptions } from 'ioredis';
import { positiveInteger } from '../../common/number-checks.js';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Longest wait for one command's reply before it fails. Default 2000. */
  commandTimeoutMs?: number;
  /** Longest wait for a TCP connection and the server's readiness. Default 5000. */
  connectTimeoutMs?: number;
  /** Upper bound of the reconnect backoff. Default 2000. */
  maxReconnectDelayMs?: number;
  /** Shown by `CLIENT LIST`; the role of each connection is appended. Default `chat-gateway`. */
  connectionName?: string;
  /**
   * Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); when given the bus runs on the
   * cluster, and `url` only supplies credentials and TLS (`rediss://`). Default none.
   */
  clusterNodes?: ReadonlyArray<{ host: string; port: number }>;
}

export type ResolvedRedisConnectionOptions = Required<RedisConnectionOptions>;

/** `host:port,host:port,...` (REDIS_CLUSTER_NODES) as seed nodes; RangeError naming a bad entry. */
export function parseClusterNodes(list: string): Array<{ host: string; port: number }> {
  const nodes: Array<{ host: string; port: number }> = [];
  for (const entry of list.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(trimmed);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65535) {
      throw new RangeError(`a Redis Cluster node must be host:port, got ${JSON.stringify(trimmed)}`);
    }
    nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return nodes;
}

export function resolveRedisConnectionOptions(options: RedisConnectionOptions): ResolvedRedisConnectionOptions {
  if (!/^rediss?:\/\/\S+$/.test(options.url)) {
    throw new RangeError(`the Redis url must start with redis:// or rediss://, got ${JSON.stringify(options.url)}`);
  }
  return {
    url: options.url,
    commandTimeoutMs: positiveInteger(options.commandTimeoutMs ?? 2000, 'commandTimeoutMs'),
    connectTimeoutMs: positiveInteger(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs'),
    maxReconnectDelayMs: positiveInteger(options.maxReconnectDelayMs ?? 2000, 'maxReconnectDelayMs'),
    connectionName: options.connectionName ?? 'chat-gateway',
    clusterNodes: options.clusterNodes ?? [],
  };
}

/**
 * Exponential backoff from 50 ms up to the cap, with up to 20% jitter so that the instances of a
 * deployment do not all reconnect in the same millisecond after Redis comes back. Never gives
 * up: the gateway keeps serving its connections and recovers whenever Redis returns.
 */
export function reconnectDelay(attempt: number, maxDelayMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxDelayMs, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(base * (0.8 + 0.2 * random()));
}

export type ConnectionRole = 'commands' | 'subscriber';

/**
 * ioredis options per connection role. Commands never wait in an offline queue and are not
 * resent after a reconnect: a message that cannot be stored now must fail now (the sender gets
 * an error, never a late or false ack). The subscriber re-subscribes itself on every `ready`
 * (see RedisSubscription) so that the bus knows exactly when its feed was interrupted.
 */
export function ioredisOptionsFor(role: ConnectionRole, options: ResolvedRedisConnectionOptions): RedisOptions {
  return {
    connectionName: `${options.connectionName}:${role}`,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (attempt: number) => reconnectDelay(attempt, options.maxReconnectDelayMs),
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    // Fail what is in flight as soon as the connection drops instead of after N reconnects.
    maxRetriesPerRequest: 0,
    lazyConnect: false,
  };
}

/**
 * ioredis options of the cluster client: the same no-queue, bounded-command policy as a single
 * Redis, topology refreshed every 2 s (a failover is noticed without waiting for an error), and
 * sharded subscribers (one connection per primary) for the rooms' channels. Credentials and TLS
 * come from the url.
 */
export function ioredisClusterOptionsFor(options: ResolvedRedisConnectionOptions): ClusterOptions {
  const url = new URL(options.url);
  return {
    enableOfflineQueue: false,
    shardedSubscribers: true,
    clusterRetryStrategy: (attempt: number) => reconnectDelay(attempt, options.maxReconnectDelayMs),
    slotsRefreshTimeout: options.connectTimeoutMs,
    slotsRefreshInterval: 2000,
    redisOptions: {
      connectionName: `${options.connectionName}:cluster`,
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      maxRetriesPerRequest: 0,
      username: url.username === '' ? undefined : decodeURIComponent(url.username),
      password: url.password === '' ? undefined : decodeURIComponent(url.password),
      tls: url.protocol === 'rediss:' ? {} : undefined,
    },
  };
}
