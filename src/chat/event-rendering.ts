import type { ChatEvent } from './bus/chat-events.js';
import type { ProtocolKind } from './chat-socket.js';
import { messageFor } from './own-ref.js';
import { chatLine, welcomeLine } from './text-lines.js';

/**
 * The frame text of a room event for a client of the given protocol; null: nothing to send.
 * `viewerId`, the recipient's sender id, decides whether a message carries its `ref`
 * (own-ref.ts): without it, it does not.
 */
export function renderEvent(event: ChatEvent, kind: ProtocolKind, viewerId?: string): string | null {
  if (kind === 'json') {
    return event.type === 'message'
      ? JSON.stringify({ event: 'message', data: messageFor(event.message, viewerId) })
      : JSON.stringify({ event: 'presence', data: event.presence });
  }
  if (event.type === 'message') return chatLine(event.message);
  // Plain-text clients are greeted on joins; a leave has its own "Logout" line when it is a quit.
  return event.presence.event === 'join' ? welcomeLine(event.presence.name) : null;
}

/** The sender id whose clients get a message event with its `ref` (rendered for them apart), if any. */
export function ownerOf(event: ChatEvent): string | undefined {
  return event.type === 'message' && event.message.ref !== undefined ? event.message.fromId : undefined;
}
