import type { ChatMessage } from './bus/chat-events.js';

/**
 * The line format of the original socket servers (plain-text protocol on `/`). Times are the
 * server's local wall-clock time, as those servers printed them; set TZ to choose the zone.
 */
export function chatLine(message: Pick<ChatMessage, 'at' | 'from' | 'text'>): string {
  return `${clockTime(new Date(message.at))} ${message.from} say: ${message.text}`;
}

export function welcomeLine(name: string): string {
  return `Welcome, ${name} !`;
}

/** What a plain-text client sends to leave. */
export const QUIT_COMMAND = 'quit';

/** The text of the message that announces a plain-text client leaving. */
export function logoutText(name: string): string {
  return `${name} Logout`;
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
