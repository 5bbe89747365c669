import type { ChatEvent } from './bus/chat-events.js';
import type { ProtocolKind } from './chat-socket.js';
import { OutgoingFrame } from './outgoing-frame.js';
import { messageFor } from './own-ref.js';
import { chatLine, welcomeLine } from './text-lines.js';
import { messageFragment } from './tornado-fragments.js';

/**
 * The frame text of a room event for a client of the given protocol; null: nothing to send.
 * `textEscapeHtml`: the plain-text protocol's CHAT_TEXT_ESCAPE_HTML. `viewerId`, the recipient's
 * sender id, decides whether a message carries its `ref` (own-ref.ts): without it, it does not.
 */
export function renderEvent(
  event: ChatEvent,
  kind: ProtocolKind,
  textEscapeHtml: boolean,
  viewerId?: string,
): string | null {
  if (kind === 'json') {
    return event.type === 'message'
      ? JSON.stringify({ event: 'message', data: messageFor(event.message, viewerId) })
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
  // A message sent with a ref: its sender's own JSON connections get a copy with the ref.
  private own: OutgoingFrame | null | undefined = undefined;
  private readonly owner: string | undefined;

  constructor(
    private readonly event: ChatEvent,
    private readonly textEscapeHtml: boolean,
  ) {
    this.owner = ownerOf(event);
  }

  /** The frame for clients of `kind` whose sender id is `senderId`; null when they get nothing. */
  for(kind: ProtocolKind, senderId: string): OutgoingFrame | null {
    if (kind === 'json') {
      if (this.owner !== undefined && senderId === this.owner) {
        return this.own === undefined ? (this.own = this.render(kind, this.owner)) : this.own;
      }
      return this.json === undefined ? (this.json = this.render(kind)) : this.json;
    }
    if (kind === 'text') return this.text === undefined ? (this.text = this.render(kind)) : this.text;
    return this.tornado === undefined ? (this.tornado = this.render(kind)) : this.tornado;
  }

  private render(kind: ProtocolKind, viewerId?: string): OutgoingFrame | null {
    const text = renderEvent(this.event, kind, this.textEscapeHtml, viewerId);
    return text === null ? null : new OutgoingFrame(text);
  }
}

/** The sender id whose clients get a message event with its `ref` (rendered for them apart), if any. */
export function ownerOf(event: ChatEvent): string | undefined {
  return event.type === 'message' && event.message.ref !== undefined ? event.message.fromId : undefined;
}
