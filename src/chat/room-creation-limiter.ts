import { TokenBucket } from './token-bucket.js';

/** REST clients remembered at once; beyond it the one seen first is forgotten (and starts afresh). */
const MAX_KEYED_CLIENTS = 10_000;

/**
 * How many new rooms each client may create: `perMinute` at once, then `perMinute` a minute.
 * A WebSocket connection is a client by itself (forgotten with it); a REST client is a key (its
 * principal or address), remembered for at most MAX_KEYED_CLIENTS keys.
 */
export class RoomCreationLimiter {
  private readonly connections = new WeakMap<object, TokenBucket>();
  private readonly keys = new Map<string, TokenBucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Seconds after which a refused client has a room to create again. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(60 / this.perMinute));
  }

  /** Takes one room creation from the client's allowance; false when it has none left. */
  take(client: object | string): boolean {
    return this.bucketOf(client).take(this.now());
  }

  private bucketOf(client: object | string): TokenBucket {
    let bucket = typeof client === 'string' ? this.keys.get(client) : this.connections.get(client);
    if (bucket !== undefined) return bucket;
    bucket = new TokenBucket(Math.max(1, Math.floor(this.perMinute)), this.perMinute / 60, this.now());
    if (typeof client !== 'string') {
      this.connections.set(client, bucket);
    } else {
      if (this.keys.size >= MAX_KEYED_CLIENTS) this.keys.delete(this.keys.keys().next().value as string);
      this.keys.set(client, bucket);
    }
    return bucket;
  }
}
