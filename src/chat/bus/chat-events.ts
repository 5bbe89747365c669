/** A stored chat message, exactly as clients receive it (the `message` event; README, "JSON protocol on /chat"). */
export interface ChatMessage {
  /** Orders messages within a room; see message-id.ts. */
  id: string;
  room: string;
  /** The sender's display name. */
  from: string;
  /**
   * The sender's stable id: the principal's id when authenticated, the connection id (from
   * `welcome`) for anonymous WebSocket clients, a fixed marker for server-side posts
   * (see sender-id.ts); '' when unknown (published without one, or stored in Redis before
   * messages carried it).
   */
  fromId: string;
  text: string;
  /** ISO-8601 time the bus stored the message. */
  at: string;
  /**
   * The sender's idempotency key (`ref` of the `message` event, `Idempotency-Key` of REST),
   * when it sent one. Clients see it only on their own messages (see own-ref.ts).
   */
  ref?: MessageRef;
}

/** An idempotency key: what `isWireRef` accepts (deliverable.ts). */
export type MessageRef = string | number;

/** What a sender hands to the bus; the bus adds `id` and `at`. */
export interface MessageDraft {
  room: string;
  from: string;
  /** Stored as '' when omitted (a message of unknown origin). */
  fromId?: string;
  text: string;
  /**
   * The sender's idempotency key: a draft with the same `fromId`, room and key as one the bus
   * still remembers (bus `idempotency` options) is not stored again; `publish` resolves with the
   * message stored first.
   */
  ref?: MessageRef;
}

/** Someone entered or left a room (the `presence` event; README, "JSON protocol on /chat"). */
export interface PresenceNotice {
  room: string;
  name: string;
  event: 'join' | 'leave';
  /** Names in the room after the change, at most the configured member list limit. */
  members: string[];
  /** How many are in the room after the change (may exceed `members.length`). */
  count: number;
  /**
   * Only on a notice summing up several changes of a busy room (README, "Presence in busy
   * rooms"): how many joins and leaves it stands for; `name` and `event` are the last of them.
   */
  joins?: number;
  leaves?: number;
}

/** Everything that travels over the bus to the instances that have members in the room. */
export type ChatEvent =
  | { readonly type: 'message'; readonly message: ChatMessage }
  | { readonly type: 'presence'; readonly presence: PresenceNotice };

export function roomOf(event: ChatEvent): string {
  return event.type === 'message' ? event.message.room : event.presence.room;
}
