import type { Redis } from 'ioredis';

export interface SubscriptionListener {
  /** A message published on the channel. */
  message(payload: string): void;
  /**
   * The subscription is in place. `resumed` is true after an interruption: whatever was
   * published on the channel in between has been missed.
   */
  subscribed(resumed: boolean): void;
  /** The subscription is gone until the next `subscribed`; publications are missed meanwhile. */
  interrupted(): void;
}

/**
 * Keeps one channel subscribed on a subscriber connection across reconnects, and says exactly
 * when the feed was interrupted and when it is back, so that the owner can catch up on what it
 * missed (ioredis' own auto-resubscribe is silent about both).
 */
export class RedisSubscription {
  private active = false;
  private everActive = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly whenReady: Promise<void>;
  private resolveReady!: () => void;

  constructor(
    private readonly connection: Redis,
    readonly channel: string,
    private readonly listener: SubscriptionListener,
    private readonly onClosed: (subscription: RedisSubscription) => void = () => undefined,
    private readonly retryDelayMs = 500,
  ) {
    this.whenReady = new Promise((resolve) => (this.resolveReady = resolve));
    connection.on('ready', this.onReady);
    connection.on('close', this.onClose);
    connection.on('message', this.onMessage);
    if (connection.status === 'ready') this.subscribe();
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Resolves once the channel is subscribed for the first time. */
  ready(): Promise<void> {
    return this.whenReady;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed(this);
    clearTimeout(this.retryTimer);
    this.connection.off('ready', this.onReady);
    this.connection.off('close', this.onClose);
    this.connection.off('message', this.onMessage);
    const wasActive = this.active;
    this.active = false;
    if (wasActive && this.connection.status === 'ready') {
      await this.connection.unsubscribe(this.channel).catch(() => undefined);
    }
  }

  private subscribe(): void {
    if (this.closed) return;
    this.connection.subscribe(this.channel).then(
      () => {
        // The connection may have dropped and come back while the reply was on its way: the
        // next `ready` subscribes again and reports then.
        if (this.closed || this.active || this.connection.status !== 'ready') return;
        this.active = true;
        const resumed = this.everActive;
        this.everActive = true;
        this.listener.subscribed(resumed);
        this.resolveReady();
      },
      () => {
        // Timed out or refused while the connection stayed up: try again; a dropped connection
        // subscribes again on its next `ready` instead.
        if (this.closed || this.connection.status !== 'ready') return;
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.subscribe(), this.retryDelayMs);
        this.retryTimer.unref();
      },
    );
  }

  private readonly onReady = (): void => {
    this.subscribe();
  };

  private readonly onClose = (): void => {
    if (!this.active) return;
    this.active = false;
    this.listener.interrupted();
  };

  private readonly onMessage = (channel: string, payload: string): void => {
    // Not gated on `active`: a publication may arrive in the same read as the SUBSCRIBE reply,
    // before the reply's promise has settled.
    if (channel === this.channel) this.listener.message(payload);
  };
}
