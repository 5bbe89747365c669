import { isWireRef } from './bus/deliverable.js';

export type ChatErrorCode =
  | 'invalid_payload'
  | 'unknown_event'
  | 'not_in_room'
  | 'too_many_rooms'
  | 'name_locked'
  | 'name_taken'
  | 'forbidden'
  | 'rate_limited'
  | 'unavailable'
  | 'maybe_stored'
  | 'internal_error';

/**
 * What `maybe_stored` tells a client: the chat store did not answer in time, and may still
 * store the message (README, "Sending exactly once").
 */
export const MAYBE_STORED =
  'the chat store did not answer in time and may have stored the message; resend it with the same ref to find out';

/** The `error` event of the JSON protocol. */
export interface ChatErrorPayload {
  code: ChatErrorCode;
  message: string;
  ref?: string | number;
}

/** A refused client request; the gateway's filter turns it into an `error` event. */
export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    /** When retrying may succeed (REST sends it as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ChatError';
  }
}

/** The `ref` a client attached to a request, if it is one a client can correlate. */
export function refOf(data: unknown): string | number | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const ref = (data as { ref?: unknown }).ref;
  return isWireRef(ref) ? ref : undefined;
}

/** Someone else (another identity, README "One name per person in a room") holds the name there. */
export function nameTaken(name: string, room: string): ChatError {
  return new ChatError(
    'name_taken',
    `the name ${JSON.stringify(name)} is taken in room ${JSON.stringify(room)} by someone else; choose another`,
  );
}
