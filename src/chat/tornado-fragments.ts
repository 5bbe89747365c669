import type { ChatMessage } from './bus/chat-events.js';
import { escapeHtml } from './html-escape.js';

/*
 * The frames of the Tornado chat room protocol (README, "Tornado chat room protocol"). Its page
 * appends every frame after the first to the page as HTML, so each is one element, and every
 * value a user chose (a name, a message) is escaped.
 */

/** One message as its page shows it: who, then what, like the tutorial's `message.html`. */
export function messageFragment(message: Pick<ChatMessage, 'from' | 'text'>): string {
  return `<div class="message"><b>${escapeHtml(message.from)}</b>: ${escapeHtml(message.text)}</div>`;
}

/** Why the server did not post what the page sent, shown to that page only. */
export function errorFragment(text: string): string {
  return `<div class="error">Error: ${escapeHtml(text)}</div>`;
}

/**
 * The chat name of a Tornado client whose uid is `uid`: the uid itself when it is a valid name
 * of at most `maxNameLength` characters, else its hex digits without the hyphens (the UUID's
 * compact form, 32 digits) cut to `maxNameLength`. With the default limit of 32 a uid
 * `1b4e28ba-2fa1-11d2-883f-0016d3cca427` is named `1b4e28ba2fa111d2883f0016d3cca427`.
 */
export function tornadoName(uid: string, maxNameLength: number): string {
  return uid.length <= maxNameLength ? uid : uid.replace(/-/g, '').slice(0, maxNameLength);
}
