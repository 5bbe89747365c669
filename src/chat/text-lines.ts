import type { ChatMessage } from './bus/chat-events.js';
import { escapeHtml } from './html-escape.js';

/**
 * The line format of the original socket servers (plain-text protocol on `/`). Times are the
 * server's local wall-clock time, as those servers printed them; set TZ to choose the zone.
 * User values are shown with their control characters escaped (visibleText), so one message
 * is one line and cannot draw another; with `escapesHtml` (the default, CHAT_TEXT_ESCAPE_HTML)
 * HTML's special characters too, since the original pages write every line into `innerHTML`.
 */
export function chatLine(message: Pick<ChatMessage, 'at' | 'from' | 'text'>, escapesHtml = true): string {
  const from = lineValue(message.from, escapesHtml);
  return `${clockTime(new Date(message.at))} ${from} say: ${lineValue(message.text, escapesHtml)}`;
}

export function welcomeLine(name: string, escapesHtml = true): string {
  return `Welcome, ${lineValue(name, escapesHtml)} !`;
}

/** A user value in a line: visible (below), and HTML-escaped unless sent raw for terminals. */
function lineValue(value: string, escapesHtml: boolean): string {
  const visible = visibleText(value);
  return escapesHtml ? escapeHtml(visible) : visible;
}

// C0 controls (newline, carriage return, escape, tab ...), DEL, C1 controls, the line and
// paragraph separators, and the bidirectional controls (embeddings, overrides, isolates, marks)
// that reorder what a terminal or page shows. Other format characters (zero-width joiners in
// emoji, soft hyphens) draw nothing and move nothing, and are kept.
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A user value as it appears in a plain-text line: each character above written as an escape
 * a reader can see, `\xNN` below U+0100 (`\x0a` for a newline, `\x1b` for ESC) and `\uNNNN`
 * above (`\u202e`); everything else unchanged. The JSON protocol sends values verbatim.
 */
export function visibleText(value: string): string {
  return value.replace(LINE_BREAKING, escapeCharacter);
}

function escapeCharacter(character: string): string {
  const code = character.charCodeAt(0);
  const hex = code.toString(16).padStart(code < 0x100 ? 2 : 4, '0');
  return code < 0x100 ? `\\x${hex}` : `\\u${hex}`;
}

/** What a plain-text client sends to leave. */
export const QUIT_COMMAND = 'quit';

/** The text of the message that announces a plain-text client leaving. */
export function logoutText(name: string): string {
  return `${name} Logout`;
}

/**
 * Whether a line from `name` would read as its logout line, which only `quit` may produce:
 * compared as a reader sees it, without invisible format characters and with spaces collapsed
 * (a trailing space or a zero-width space does not make it another line).
 */
export function readsAsLogout(text: string, name: string): boolean {
  return (
    text
      .replace(/\p{Cf}/gu, '')
      .replace(/\s+/gu, ' ')
      .trim() === logoutText(name)
  );
}

/** HH:MM:SS in local time. */
export function clockTime(date: Date): string {
  return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}:${twoDigits(date.getSeconds())}`;
}

function twoDigits(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}

/**
 * The peer's address as plain-text clients are named: `203.0.113.7:50212`, `[2001:db8::1]:50212`
 * (an IPv4 address mapped into IPv6 shown as IPv4).
 */
export function peerName(remoteAddress: string | undefined, remotePort: number | undefined): string {
  let address = remoteAddress ?? 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) address = address.slice(7);
  else if (address.includes(':')) address = `[${address}]`;
  return remotePort === undefined ? address : `${address}:${remotePort}`;
}
