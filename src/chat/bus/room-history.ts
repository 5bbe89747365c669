import type { ChatMessage } from './chat-events.js';
import type { HistoryPage, HistoryQuery } from './chat-bus.js';
import { compareMessageIds } from './message-id.js';

/**
 * The last `capacity` messages of one room in a ring, oldest first. Ids only grow, so the ring is
 * sorted and lookups by id are binary searches.
 */
export class RoomHistory {
  private readonly ring: (ChatMessage | undefined)[];
  private start = 0;
  private count = 0;

  /**
   * @param horizon an id at or after which nothing has been lost: the newest dropped message,
   *   or, before any drop, an id older than anything this room can hold.
   */
  constructor(
    readonly capacity: number,
    private horizon: string,
  ) {
    this.ring = new Array<ChatMessage | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  get newest(): ChatMessage | undefined {
    return this.count === 0 ? undefined : this.at(this.count - 1);
  }

  append(message: ChatMessage): void {
    if (this.count < this.capacity) {
      this.ring[(this.start + this.count) % this.capacity] = message;
      this.count++;
      return;
    }
    this.horizon = (this.ring[this.start] as ChatMessage).id;
    this.ring[this.start] = message;
    this.start = (this.start + 1) % this.capacity;
  }

  /** The message with this id, if the ring still holds it. */
  find(id: string): ChatMessage | undefined {
    const index = this.firstNotOlderThan(id);
    const found = index < this.count ? this.at(index) : undefined;
    return found?.id === id ? found : undefined;
  }

  page({ since, before, limit }: HistoryQuery): HistoryPage {
    const low = since === undefined ? 0 : this.firstNewerThan(since);
    const high = before === undefined ? this.count : this.firstNotOlderThan(before);
    const from = since === undefined ? Math.max(low, high - limit) : low;
    const to = since === undefined ? high : Math.min(high, low + limit);
    const messages: ChatMessage[] = [];
    for (let i = from; i < to; i++) messages.push(this.at(i));
    return { messages, truncated: since !== undefined && compareMessageIds(since, this.horizon) < 0 };
  }

  private at(index: number): ChatMessage {
    return this.ring[(this.start + index) % this.capacity] as ChatMessage;
  }

  /** Index of the first message whose id is greater than `id` (count when none). */
  private firstNewerThan(id: string): number {
    return this.search((message) => compareMessageIds(message.id, id) > 0);
  }

  /** Index of the first message whose id is greater than or equal to `id`. */
  private firstNotOlderThan(id: string): number {
    return this.search((message) => compareMessageIds(message.id, id) >= 0);
  }

  private search(isPast: (message: ChatMessage) => boolean): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isPast(this.at(middle))) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
