import type { ChatEvent } from './bus/chat-events.js';
import type { ProtocolKind } from './chat-socket.js';
import { chatLine, welcomeLine } from './text-lines.js';

/** The frame text of a room event for a client of the given protocol; null: nothing to send. */
export function renderEvent(event: ChatEvent, kind: ProtocolKind): string | null {
  if (kind === 'json') {
    return event.type === 'message'
      ? JSON.stringify({ event: 'message', data: event.message })
      : JSON.stringify({ event: 'presence', data: event.presence });
  }
  if (event.type === 'message') return chatLine(event.message);
  // Plain-text clients are greeted on joins; a leave has its own "Logout" line when it is a quit.
  return event.presence.event === 'join' ? welcomeLine(event.presence.name) : null;
}
