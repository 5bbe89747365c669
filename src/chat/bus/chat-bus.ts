import type { Observable } from 'rxjs';
import type { RoomPresence } from '../presence/room-presence.js';
import type { ChatEvent, ChatMessage, MessageDraft, PresenceNotice } from './chat-events.js';

/** Injection token of the bus in use. */
export const CHAT_BUS = Symbol('CHAT_BUS');

export interface HistoryQuery {
  /** Only messages newer than this id, oldest first: the first `limit` of them. */
  since?: string;
  /** Only messages older than this id. Without `since`: the newest `limit` of them. */
  before?: string;
  limit: number;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /**
   * True when `since` is older than what the bus still keeps for the room, i.e. some
   * messages after `since` are gone and the page cannot be the complete continuation.
   */
  truncated: boolean;
}

/**
 * Carries chat traffic between the instances of the service and keeps room history.
 * The in-memory bus serves one instance; a Redis bus (pub/sub for fan-out, one stream per room
 * for history, stream ids as message ids) implements the same contract for several.
 *
 * Delivery contract: every event published or announced on any instance reaches `events$` on
 * every instance (its own included), in publication order per room, never synchronously from
 * inside `publish`/`announce`. `publish` resolves only once the message is stored; when the
 * store cannot be reached it rejects with ChatBusUnavailableError.
 *
 * Bounded state: a bus keeps the history of at most its `maxRooms` rooms. A message to a room
 * without history beyond that drops the history of the room idle the longest (no members on
 * any instance, no message for the bus's minimum idle time); when there is none, `publish`
 * rejects with RoomLimitError. A resume (`since`) across a dropped history says `truncated`.
 */
export interface ChatBus {
  /** Stores the message (assigning `id` and `at`) and delivers it to every instance. */
  publish(draft: MessageDraft): Promise<ChatMessage>;
  /**
   * Publishes the drafts, all of one room, in one go (one round trip to the store): resolves
   * with the stored messages in the order of the drafts, which is also their id and delivery
   * order; a draft whose `ref` the room remembers (an earlier draft of the same batch
   * included) resolves with the message stored first, as `publish` does. A draft no bus can
   * carry, or drafts of several rooms, reject before anything is stored. When the store cannot
   * be reached it rejects with ChatBusUnavailableError, `maybeDone` when any draft may have
   * been stored (a resend of the whole batch with the same refs stores each at most once).
   * Optional: without it the chat publishes the drafts one by one.
   */
  publishMany?(drafts: MessageDraft[]): Promise<ChatMessage[]>;
  /** Delivers a presence change to every instance; presence is not stored. */
  announce(presence: PresenceNotice): Promise<void>;
  /** Every event of every room, as it arrives. */
  readonly events$: Observable<ChatEvent>;
  history(room: string, query: HistoryQuery): Promise<HistoryPage>;
  /**
   * Presence shared by every instance, when the bus has it (Redis); without it the module uses
   * this instance's connection registry.
   */
  readonly presence?: RoomPresence;
  /** Releases connections and timers; later `announce` calls are ignored. */
  close?(): Promise<void>;
}
