import type { ChatMessage } from './bus/chat-events.js';

/**
 * The message as the client whose sender id is `viewerId` may see it: the idempotency key
 * (`ref`) is the sender's own business, given back to the sender only (so it can tell which
 * of its sends were stored) and to nobody else.
 */
export function messageFor(message: ChatMessage, viewerId: string | undefined): ChatMessage {
  if (message.ref === undefined || message.fromId === viewerId) return message;
  const { ref: _ref, ...shared } = message;
  return shared;
}

/** `messageFor` over a page of history; the same array when nothing is to be hidden. */
export function messagesFor(messages: ChatMessage[], viewerId: string | undefined): ChatMessage[] {
  return messages.some((message) => message.ref !== undefined && message.fromId !== viewerId)
    ? messages.map((message) => messageFor(message, viewerId))
    : messages;
}
