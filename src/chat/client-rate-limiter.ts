import { isIPv4, isIPv6 } from 'node:net';
import type { RestRateLimit } from './chat-options.js';
import { TokenBucket } from './token-bucket.js';

/** Below this many clients the buckets are never swept. */
const MIN_SWEEP_SIZE = 1024;

/**
 * A token bucket per client key. Memory follows the clients seen recently: when the map has
 * doubled since the last sweep, buckets that have refilled to the burst are dropped (a new
 * bucket would be the same), so the sweeps cost O(1) per new client.
 */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private sweepAtSize = MIN_SWEEP_SIZE;

  constructor(
    private readonly limit: RestRateLimit,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Takes `cost` tokens for the client (see TokenBucket): 0 when admitted, otherwise milliseconds until it may retry. */
  take(client: string, cost = 1): number {
    const now = this.clock();
    let bucket = this.buckets.get(client);
    if (bucket === undefined) {
      if (this.buckets.size >= this.sweepAtSize) this.sweep(now);
      bucket = new TokenBucket(this.limit.burst, this.limit.perSecond, now);
      this.buckets.set(client, bucket);
    }
    return bucket.take(now, cost) ? 0 : bucket.msUntilToken(now);
  }

  /** Clients currently remembered. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(client);
    }
    this.sweepAtSize = Math.max(MIN_SWEEP_SIZE, 2 * this.buckets.size);
  }
}

/**
 * The key of a client address: IPv4 as is (also when mapped into IPv6), IPv6 by its /64, the
 * block one subscriber usually gets (a client must not escape the limit by changing address
 * within it).
 */
export function addressKey(address: string): string {
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  const unzoned = address.split('%')[0];
  if (!isIPv6(unzoned)) return address;
  const [head, tail] = unzoned.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A dotted IPv4 tail stands for two groups.
  const groups = (parts: string[]) => parts.reduce((count, part) => count + (part.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : new Array<string>(8 - groups(left) - groups(right)).fill('0');
  const prefix = [...left, ...zeros, ...right].slice(0, 4).map((group) => parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
