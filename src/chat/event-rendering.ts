import type { ChatEvent } from './bus/chat-events.js';
import type { ProtocolKind } from './chat-socket.js';
import { OutgoingFrame } from './outgoing-frame.js';
import { chatLine, welcomeLine } from './text-lines.js';
import { messageFragment } from './tornado-fragments.js';

/**
 * The frame text of a room event for a client of the given protocol; null: nothing to send.
 * `textEscapeHtml`: the plain-text protocol's CHAT_TEXT_ESCAPE_HTML.
 */
export function renderEvent(event: ChatEvent, kind: ProtocolKind, textEscapeHtml: boolean): string | null {
  if (kind === 'json') {
    return event.type === 'message'
      ? JSON.stringify({ event: 'message', data: event.message })
      : JSON.stringify({ event: 'presence', data: event.presence });
  }
  if (kind === 'tornado') {
    // The tutorial's room only ever showed messages.
    return event.type === 'message' ? messageFragment(event.message) : null;
  }
  if (event.type === 'message') return chatLine(event.message, textEscapeHtml);
  // Plain-text clients are greeted on joins; a leave has its own "Logout" line when it is a quit.
  return event.presence.event === 'join' ? welcomeLine(event.presence.name, textEscapeHtml) : null;
}

/** One event's frames, rendered and framed at most once per protocol, for all its recipients. */
export class EventFrames {
  // One field per protocol, not a map: read once per recipient on the fan-out's hot path.
  private json: OutgoingFrame | null | undefined = undefined;
  private text: OutgoingFrame | null | undefined = undefined;
  private tornado: OutgoingFrame | null | undefined = undefined;

  constructor(
    private readonly event: ChatEvent,
    private readonly textEscapeHtml: boolean,
  ) {}

  /** The frame for clients of `kind`; null when they get nothing. */
  for(kind: ProtocolKind): OutgoingFrame | null {
    if (kind === 'json') return this.json === undefined ? (this.json = this.render(kind)) : this.json;
    if (kind === 'text') return this.text === undefined ? (this.text = this.render(kind)) : this.text;
    return this.tornado === undefined ? (this.tornado = this.render(kind)) : this.tornado;
  }

  private render(kind: ProtocolKind): OutgoingFrame | null {
    const text = renderEvent(this.event, kind, this.textEscapeHtml);
    return text === null ? null : new OutgoingFrame(text);
  }
}
