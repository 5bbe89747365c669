import { CloseCode } from '../websocket/index.js';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError } from './chat-error.js';

/*
 * What the one-room protocols (plain text on `/`, the Tornado chat room) tell a client when the
 * chat refuses it. They have no error events: the text is shown as a line or a fragment.
 */

const UNAVAILABLE = 'the chat is temporarily unavailable, try again shortly';
// No ref on these protocols to resend safely: the client is told the line may still appear.
const MAYBE_STORED = 'the chat did not answer in time; your line may still appear';

export interface LobbyRefusal {
  /** What the client is told before the close. */
  text: string;
  code: number;
  reason: string;
}

/**
 * Why a client could not enter the lobby, and the close that follows (it has no other room,
 * and no way to ask again but reconnecting); undefined when the error is not a refusal.
 */
export function lobbyRefusal(error: unknown): LobbyRefusal | undefined {
  // This protocol has no other room and no other name: kept out of the lobby, it is done here.
  if (error instanceof ChatError && (error.code === 'forbidden' || error.code === 'name_taken')) {
    return { text: error.message, code: CloseCode.POLICY_VIOLATION, reason: error.code };
  }
  if (error instanceof ChatBusUnavailableError) {
    return { text: UNAVAILABLE, code: CloseCode.TRY_AGAIN_LATER, reason: 'chat unavailable' };
  }
  return undefined;
}

/**
 * What a client is told when its message was not posted; the connection stays. null: nothing
 * (a message that raced the connection's own quit or close); undefined: not a refusal.
 */
export function postRefusal(error: unknown): string | null | undefined {
  if (error instanceof ChatError) {
    if (error.code === 'not_in_room') return null;
    // `canPost` said no, or the chat keeps as many rooms as it may (lobby has no history yet).
    if (error.code === 'forbidden' || error.code === 'too_many_rooms') return error.message;
  }
  if (error instanceof ChatBusUnavailableError) return error.maybeDone ? MAYBE_STORED : UNAVAILABLE;
  return undefined;
}
