import { Logger } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import {
  ioredisClusterOptionsFor,
  ioredisOptionsFor,
  resolveRedisConnectionOptions,
  type ConnectionRole,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
} from './redis-options.js';
import { RedisSubscription, type SubscriptionListener } from './redis-subscription.js';
import { ShardedSubscription } from './sharded-subscription.js';

/**
 * The Redis connections of one gateway instance. On a single Redis (`url`): `commands` for
 * requests and `subscriber` for pub/sub (a subscribed connection can run nothing else). On a
 * Redis Cluster (`clusterNodes`): `commands` is the cluster client, which also keeps one
 * sharded subscriber connection per primary. All reconnect by themselves with backoff;
 * `problem()` says why the instance is not fully connected, for /health.
 */
export class RedisConnections {
  readonly options: ResolvedRedisConnectionOptions;
  readonly commands: Redis | Cluster;
  /** The cluster client when running on a Redis Cluster (the same object as `commands`). */
  readonly cluster: Cluster | undefined;
  /** The pub/sub connection on a single Redis; undefined on a cluster. */
  readonly subscriber: Redis | undefined;
  private readonly logger = new Logger('Redis');
  private readonly lastError = new Map<ConnectionRole, string>();
  private readonly subscriptions = new Set<RedisSubscription | ShardedSubscription>();
  private closing: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.options = resolveRedisConnectionOptions(options);
    if (this.options.clusterNodes.length > 0) {
      this.cluster = this.watch(
        'commands',
        new Cluster([...this.options.clusterNodes], ioredisClusterOptionsFor(this.options)),
      );
      this.commands = this.cluster;
    } else {
      this.commands = this.open('commands');
      this.subscriber = this.open('subscriber');
    }
  }

  /**
   * Keeps `channel` subscribed on the subscriber connection until the subscription is closed
   * (single Redis only: a cluster's channels are sharded, see `subscribeSharded`).
   */
  subscribe(channel: string, listener: SubscriptionListener): RedisSubscription {
    if (this.subscriber === undefined) throw new Error('on a Redis Cluster, channels are sharded: subscribeSharded()');
    const subscription = new RedisSubscription(this.subscriber, channel, listener, (closed) =>
      this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Keeps the sharded channels it is told to follow subscribed (Redis Cluster only). */
  subscribeSharded(listener: SubscriptionListener): ShardedSubscription {
    if (this.cluster === undefined) throw new Error('sharded channels need a Redis Cluster (clusterNodes)');
    const subscription = new ShardedSubscription(this.cluster, listener, (closed) => this.subscriptions.delete(closed));
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Undefined when every connection is ready and every subscription is in place. */
  problem(): string | undefined {
    if (this.closing !== undefined) return 'the Redis connections are closed';
    const connections: Array<[ConnectionRole, Redis | Cluster]> = [['commands', this.commands]];
    if (this.subscriber !== undefined) connections.push(['subscriber', this.subscriber]);
    for (const [role, connection] of connections) {
      if (connection.status !== 'ready') {
        const cause = this.lastError.get(role);
        return `Redis ${role} connection is ${connection.status}${cause === undefined ? '' : ` (${cause})`}`;
      }
    }
    for (const subscription of this.subscriptions) {
      if (subscription.isActive) continue;
      return subscription instanceof RedisSubscription
        ? `Redis channel ${subscription.channel} is not subscribed yet`
        : `Redis Cluster sharded channels (${subscription.size}) are not all subscribed yet`;
    }
    return undefined;
  }

  /**
   * Why the cluster cannot serve every slot now, for /health: its state is not ok (a primary is
   * down and no replica has taken over yet), fewer primaries are connected than serve slots, or
   * a primary does not answer PING. Undefined when all is well, and on a single Redis.
   */
  async clusterProblem(): Promise<string | undefined> {
    const cluster = this.cluster;
    if (cluster === undefined) return undefined;
    const info = String(await cluster.call('CLUSTER', 'INFO'));
    const state = /cluster_state:(\w+)/.exec(info)?.[1];
    if (state !== 'ok') return `Redis Cluster state is ${state ?? 'unknown'}: a primary is down and not replaced yet`;
    const primaries = cluster.nodes('master');
    const serving = Number(/cluster_size:(\d+)/.exec(info)?.[1] ?? primaries.length);
    if (primaries.length < serving) return `Redis Cluster: ${primaries.length} of ${serving} primaries connected`;
    const silent = await Promise.all(
      primaries.map((node) =>
        node.ping().then(
          () => undefined,
          (error: Error) => `${node.options.host}:${node.options.port} (${error.message || String(error)})`,
        ),
      ),
    );
    const down = silent.filter((answer) => answer !== undefined);
    return down.length > 0 ? `Redis Cluster primary does not answer PING: ${down.join(', ')}` : undefined;
  }

  /** Resolves once both connections are ready (or rejects after `timeoutMs`). */
  async ready(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    const connections = this.subscriber === undefined ? [this.commands] : [this.commands, this.subscriber];
    await Promise.all(connections.map((connection) => waitReady(connection, timeoutMs)));
  }

  /** QUIT on both connections (bounded by the command timeout), then drops them. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      this.lastError.clear();
      await Promise.all([this.quit(this.commands), this.subscriber && this.quit(this.subscriber)]);
    })();
    return this.closing;
  }

  private open(role: ConnectionRole): Redis {
    return this.watch(role, new Redis(this.options.url, ioredisOptionsFor(role, this.options)));
  }

  private watch<T extends Redis | Cluster>(role: ConnectionRole, connection: T): T {
    // Without an 'error' listener ioredis prints every failed reconnect attempt.
    connection.on('error', (error: Error) => {
      const message = error.message || String(error);
      if (!this.lastError.has(role) && this.closing === undefined) {
        this.logger.warn(`${role} connection: ${message}; reconnecting in the background`);
      }
      this.lastError.set(role, message);
    });
    connection.on('ready', () => {
      if (this.lastError.delete(role)) this.logger.log(`${role} connection is back`);
    });
    return connection;
  }

  private async quit(connection: Redis | Cluster): Promise<void> {
    if (connection.status === 'end') return;
    if (connection.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.commandTimeoutMs)));
      await Promise.race([connection.quit().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    connection.disconnect();
  }
}

function waitReady(connection: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (connection.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms (${connection.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    connection.once('ready', onReady);
  });
}
