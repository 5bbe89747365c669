import { positiveInteger } from '../../common/number-checks.js';
import type { MessageDraft } from './chat-events.js';

/**
 * How long a bus remembers the idempotency keys of a room (README, "Sending exactly once"): a
 * key is remembered for `windowMs` after its message was stored, and a room remembers at least
 * its newest `keysPerRoom` keys (the in-memory bus exactly those, the Redis bus up to twice as
 * many); a resend after either is stored as a new message.
 */
export interface IdempotencyWindow {
  /** Default 600000 (10 minutes). */
  windowMs?: number;
  /** Default 500. */
  keysPerRoom?: number;
}

export type ResolvedIdempotencyWindow = Required<IdempotencyWindow>;

export function resolveIdempotencyWindow(window: IdempotencyWindow = {}): ResolvedIdempotencyWindow {
  return {
    windowMs: positiveInteger(window.windowMs ?? 600_000, 'idempotency.windowMs'),
    keysPerRoom: positiveInteger(window.keysPerRoom ?? 500, 'idempotency.keysPerRoom'),
  };
}

/**
 * The key a draft is remembered by within its room: its sender's id and its `ref` (a string
 * and the number of the same digits are different keys), or undefined without a `ref`.
 */
export function idempotencyKeyOf(draft: Pick<MessageDraft, 'fromId' | 'ref'>): string | undefined {
  return draft.ref === undefined ? undefined : JSON.stringify([draft.fromId ?? '', draft.ref]);
}
