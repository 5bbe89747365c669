import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  ioredisOptionsFor,
  resolveRedisConnectionOptions,
  type ConnectionRole,
  type RedisConnectionOptions,
  type ResolvedRedisConnectionOptions,
} from './redis-options.js';
import { RedisSubscription, type SubscriptionListener } from './redis-subscription.js';

/**
 * The two Redis connections of one gateway instance: `commands` for requests and `subscriber`
 * for pub/sub (a subscribed connection can run nothing else). Both reconnect by themselves
 * with backoff; `problem()` says why the instance is not fully connected, for /health.
 */
export class RedisConnections {
  readonly options: ResolvedRedisConnectionOptions;
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly logger = new Logger('Redis');
  private readonly lastError = new Map<ConnectionRole, string>();
  private readonly subscriptions = new Set<RedisSubscription>();
  private closing: Promise<void> | undefined;

  constructor(options: RedisConnectionOptions) {
    this.options = resolveRedisConnectionOptions(options);
    this.commands = this.open('commands');
    this.subscriber = this.open('subscriber');
  }

  /** Keeps `channel` subscribed on the subscriber connection until the subscription is closed. */
  subscribe(channel: string, listener: SubscriptionListener): RedisSubscription {
    const subscription = new RedisSubscription(this.subscriber, channel, listener, (closed) =>
      this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Undefined when both connections are ready and every subscription is in place. */
  problem(): string | undefined {
    if (this.closing !== undefined) return 'the Redis connections are closed';
    for (const [role, connection] of [
      ['commands', this.commands],
      ['subscriber', this.subscriber],
    ] as const) {
      if (connection.status !== 'ready') {
        const cause = this.lastError.get(role);
        return `Redis ${role} connection is ${connection.status}${cause === undefined ? '' : ` (${cause})`}`;
      }
    }
    for (const subscription of this.subscriptions) {
      if (!subscription.isActive) return `Redis channel ${subscription.channel} is not subscribed yet`;
    }
    return undefined;
  }

  /** Resolves once both connections are ready (or rejects after `timeoutMs`). */
  async ready(timeoutMs = this.options.connectTimeoutMs): Promise<void> {
    await Promise.all([waitReady(this.commands, timeoutMs), waitReady(this.subscriber, timeoutMs)]);
  }

  /** QUIT on both connections (bounded by the command timeout), then drops them. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      this.lastError.clear();
      await Promise.all([this.quit(this.commands), this.quit(this.subscriber)]);
    })();
    return this.closing;
  }

  private open(role: ConnectionRole): Redis {
    const connection = new Redis(this.options.url, ioredisOptionsFor(role, this.options));
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

  private async quit(connection: Redis): Promise<void> {
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

function waitReady(connection: Redis, timeoutMs: number): Promise<void> {
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
