/**
 * Allows `burst` requests at once and `perSecond` on average: each request takes a token,
 * tokens come back continuously up to `burst`.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /**
   * Takes `cost` tokens if one is left; `now` in milliseconds from a monotonic clock. A cost
   * above what is left (a batch of messages) is admitted and leaves the bucket in debt, so the
   * average stays `perSecond` whatever the sizes, and a batch larger than `burst` is possible.
   */
  take(now: number, cost = 1): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= cost;
    return true;
  }

  /** Milliseconds until a token is back (0 when one is left). */
  msUntilToken(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.perSecond;
  }

  /** True when the bucket is as a new one would be: forgetting it changes nothing. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
      this.refilledAt = now;
    }
  }
}
