import type { ResolvedIdempotencyWindow } from './idempotency-window.js';

/**
 * The idempotency keys one room of the in-memory bus remembers, each with the id of the
 * message stored under it (not the message: keys outlive the room's history, and a key costs
 * a few hundred bytes whatever the text): at most `keysPerRoom`, none older than `windowMs`.
 * A Map keeps insertion order, so the oldest keys are the first ones.
 */
export class RecentKeys {
  private readonly stored = new Map<string, { id: string; at: number }>();

  constructor(private readonly window: ResolvedIdempotencyWindow) {}

  /** The id and time (ms) of the message stored under `key`, if it is still remembered at `now`. */
  find(key: string, now: number): { id: string; at: number } | undefined {
    const entry = this.stored.get(key);
    return entry !== undefined && entry.at > now - this.window.windowMs ? entry : undefined;
  }

  remember(key: string, id: string, now: number): void {
    this.stored.set(key, { id, at: now });
    const expired = now - this.window.windowMs;
    for (const [oldest, { at }] of this.stored) {
      if (this.stored.size <= this.window.keysPerRoom && at > expired) break;
      this.stored.delete(oldest);
    }
  }
}
