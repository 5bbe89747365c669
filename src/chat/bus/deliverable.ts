import type { MessageDraft } from './chat-events.js';

// With the u flag a paired surrogate is one code point; only a lone half matches \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a value survives every bus unchanged: a string of well-formed Unicode. Redis stores
 * message fields as UTF-8 (a lone surrogate would be delivered live as sent, then read back from
 * history as U+FFFD) and anything but a string cannot be stored and decoded at all.
 */
export function isWireString(value: unknown): value is string {
  return typeof value === 'string' && !LONE_SURROGATE.test(value);
}

/** The longest string idempotency key (`ref`). */
export const MAX_REF_LENGTH = 64;

/** An idempotency key every bus can store and give back: a finite number or a short wire string. */
export function isWireRef(value: unknown): value is string | number {
  return (
    (typeof value === 'number' && Number.isFinite(value)) || (isWireString(value) && value.length <= MAX_REF_LENGTH)
  );
}

/**
 * Why a draft cannot be both stored and delivered, or null. Every bus checks it before storing,
 * so a message is never acknowledged and kept while its live event is dropped as malformed.
 * The callers validate first (chat DTOs): a draft refused here is a bug in the caller.
 */
export function undeliverableDraft(draft: MessageDraft): string | null {
  for (const field of ['room', 'from', 'text'] as const) {
    if (!isWireString(draft[field])) return `${field} is not a string of well-formed Unicode`;
  }
  if (draft.fromId !== undefined && !isWireString(draft.fromId)) return 'fromId is not a string of well-formed Unicode';
  if (draft.ref !== undefined && !isWireRef(draft.ref)) return 'ref is neither a finite number nor a short string';
  return null;
}

/** Throws the TypeError for a draft no bus can carry. */
export function assertDeliverable(draft: MessageDraft): void {
  const problem = undeliverableDraft(draft);
  if (problem !== null) throw new TypeError(`the chat bus cannot carry this message: ${problem}`);
}

/** Checks a batch before anything of it is stored: every draft deliverable, all of one room. */
export function assertOneRoomBatch(drafts: readonly MessageDraft[]): void {
  for (const draft of drafts) {
    assertDeliverable(draft);
    if (draft.room !== drafts[0].room) throw new TypeError('the chat bus publishes a batch of one room only');
  }
}
