import type { Cluster } from 'ioredis';
import type { SubscriptionListener } from './redis-subscription.js';

/** Longest wait for the shards to confirm the channels again, and the pause before a retry. */
const RESUME_TIMEOUT_MS = 5000;
const RESUME_RETRY_MS = 500;

/**
 * Keeps a changing set of sharded channels (SSUBSCRIBE, Redis 7) subscribed on a Redis Cluster,
 * each on the shard that owns its slot, and says when the feed was interrupted and when it is
 * whole again, like RedisSubscription does for one channel.
 *
 * ioredis' sharded subscribers (one connection per primary) re-subscribe by themselves after a
 * failover, without saying when that is done; so any lost node counts as an interruption, and
 * the feed is whole again once every channel has been confirmed by its shard (SSUBSCRIBE
 * answered), at which point the owner catches up on what it missed.
 */
export class ShardedSubscription {
  private readonly channels = new Set<string>();
  private active = false;
  private everActive = false;
  private closed = false;
  private resuming: Promise<void> | undefined;
  /** Counts interruptions, so that a resumption overtaken by one does not report. */
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly whenReady: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    private readonly cluster: Cluster,
    private readonly listener: SubscriptionListener,
    private readonly onClosed: (subscription: ShardedSubscription) => void = () => undefined,
  ) {
    this.whenReady = new Promise((resolve) => (this.resolveReady = resolve));
    cluster.on('smessage', this.onMessage);
    cluster.on('-node', this.onLost);
    cluster.on('subscribersReady', this.onBack);
    cluster.on('ready', this.onBack);
    if (cluster.status === 'ready') this.resume();
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Sharded channels followed now (for /health and tests). */
  get size(): number {
    return this.channels.size;
  }

  ready(): Promise<void> {
    return this.whenReady;
  }

  /**
   * Follows the channel. Resolves once its shard has confirmed it, or once it is known that it
   * could not (the feed is then interrupted, and `subscribed` follows when it is whole again).
   */
  async follow(channel: string): Promise<void> {
    if (this.closed || this.channels.has(channel)) return;
    this.channels.add(channel);
    if (!this.active) return;
    try {
      await this.cluster.ssubscribe(channel);
    } catch {
      this.interrupt();
    }
  }

  unfollow(channel: string): void {
    if (!this.channels.delete(channel) || !this.active) return;
    this.cluster.sunsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    clearTimeout(this.retryTimer);
    this.cluster.off('smessage', this.onMessage);
    this.cluster.off('-node', this.onLost);
    this.cluster.off('subscribersReady', this.onBack);
    this.cluster.off('ready', this.onBack);
    const channels = [...this.channels];
    this.channels.clear();
    this.active = false;
    await Promise.all(channels.map((channel) => this.cluster.sunsubscribe(channel).catch(() => undefined)));
  }

  private interrupt(): void {
    if (this.closed) return;
    this.generation++;
    if (this.active) {
      this.active = false;
      this.listener.interrupted();
    }
    this.scheduleResume(RESUME_RETRY_MS);
  }

  private scheduleResume(delayMs: number): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.resume(), delayMs);
    this.retryTimer.unref();
  }

  /** Has every channel confirmed by its shard, then reports the feed whole. */
  private resume(): void {
    if (this.closed || this.active) return;
    const generation = this.generation;
    this.resuming ??= (async () => {
      const confirmed = new Set<string>();
      // Channels followed while this runs are confirmed too before the feed counts as whole.
      for (let pending = [...this.channels]; pending.length > 0;) {
        await within(Promise.all(pending.map((channel) => this.cluster.ssubscribe(channel))), RESUME_TIMEOUT_MS);
        for (const channel of pending) confirmed.add(channel);
        pending = [...this.channels].filter((channel) => !confirmed.has(channel));
      }
      if (this.closed || this.active) return;
      // A node was lost again meanwhile: try again.
      if (generation !== this.generation) throw new Error('interrupted again');
      this.active = true;
      const resumed = this.everActive;
      this.everActive = true;
      this.listener.subscribed(resumed);
      this.resolveReady();
    })()
      .catch(() => this.scheduleResume(RESUME_RETRY_MS))
      .finally(() => (this.resuming = undefined));
  }

  private readonly onLost = (): void => {
    this.interrupt();
  };

  private readonly onBack = (): void => {
    if (!this.active) this.resume();
  };

  private readonly onMessage = (channel: string, payload: string): void => {
    // Not gated on `active`: a publication may arrive in the same read as the SSUBSCRIBE reply.
    if (this.channels.has(channel)) this.listener.message(payload);
  };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the shards did not confirm the channels within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}
