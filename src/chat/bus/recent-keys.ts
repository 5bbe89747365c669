import type { ChatMessage } from './chat-events.js';
import type { ResolvedIdempotencyWindow } from './idempotency-window.js';

/**
 * The idempotency keys one room of the in-memory bus remembers, each with the message stored
 * under it: at most `keysPerRoom`, none older than `windowMs`. A Map keeps insertion order, so
 * the oldest keys are the first ones.
 */
export class RecentKeys {
  private readonly stored = new Map<string, { message: ChatMessage; at: number }>();

  constructor(private readonly window: ResolvedIdempotencyWindow) {}

  /** The message stored under `key`, if it is still remembered at `now`. */
  find(key: string, now: number): ChatMessage | undefined {
    const entry = this.stored.get(key);
    return entry !== undefined && entry.at > now - this.window.windowMs ? entry.message : undefined;
  }

  remember(key: string, message: ChatMessage, now: number): void {
    this.stored.set(key, { message, at: now });
    const expired = now - this.window.windowMs;
    for (const [oldest, { at }] of this.stored) {
      if (this.stored.size <= this.window.keysPerRoom && at > expired) break;
      this.stored.delete(oldest);
    }
  }
}
