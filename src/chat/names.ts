import { isIP } from 'node:net';
import { isWireString } from './bus/deliverable.js';

/** Room names appear in URLs and lists: up to 64 characters, no spaces, nothing invisible. */
export const MAX_ROOM_LENGTH = 64;

/** The room plain-text clients are in. */
export const LOBBY = 'lobby';

// \p{C}: control, format, unassigned, private-use and surrogate code points.
const INVISIBLE = /\p{C}/u;
const ANY_SPACE = /\s/u;
const SPACE_OTHER_THAN_U0020 = /[^\S ]/u;

// The shapes peerName() (text-lines.ts) gives plain-text clients: 203.0.113.7:50212,
// [2001:db8::1]:50212, with or without the port. Matched loosely (any digits, any hex and
// colons inside brackets) so that near misses such as 999.0.0.1:80 cannot pose as one either.
const IPV4_PEER = /^\d{1,3}(?:\.\d{1,3}){3}(?::\d*)?$/;
const BRACKETED_PEER = /^\[([0-9a-f:.]+)\](?::\d*)?$/i;

export function isRoomName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_ROOM_LENGTH &&
    !INVISIBLE.test(value) &&
    !ANY_SPACE.test(value)
  );
}

/** Chat names: printable, single spaces inside allowed, none at either end. */
export function isChatName(value: unknown, maxLength: number): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= maxLength &&
    value === value.trim() &&
    !INVISIBLE.test(value) &&
    !SPACE_OTHER_THAN_U0020.test(value)
  );
}

/**
 * Names shaped like a peer address belong to plain-text clients, who are named by theirs: no
 * one else (a chosen name, a REST `from`, a token's name) may take one, nor one whose first word
 * is one, so a line that starts with an address is from the plain-text client at that address.
 * Compatibility forms (fullwidth digits and the like) are folded first, so they cannot pass for
 * an address either.
 */
export function isReservedName(name: string): boolean {
  // The first word is enough: "1.2.3.4:5 say: hi" would start a line as that client saying hi.
  const firstWord = name.normalize('NFKC').split(' ', 1)[0];
  if (IPV4_PEER.test(firstWord) || isIP(firstWord) !== 0) return true;
  const bracketed = BRACKETED_PEER.exec(firstWord);
  return bracketed !== null && bracketed[1].includes(':');
}

/**
 * What is wrong with a name a client or a token asks for, as the end of a sentence that starts
 * with the field's name ("name must be ..."); null when it is fine. The one place the name
 * rules are checked, for chosen names, REST senders and token names alike.
 */
export function chatNameProblem(value: unknown, maxLength: number): string | null {
  if (!isChatName(value, maxLength)) {
    return `must be 1 to ${maxLength} printable characters, no spaces at either end`;
  }
  if (isReservedName(value)) {
    return 'is reserved: names shaped like a peer address (203.0.113.7:5000, [::1]:80) belong to plain-text clients';
  }
  return null;
}

/**
 * Message text is kept and sent verbatim; its length is bounded, and it must be well-formed
 * Unicode (a lone surrogate, possible through a JSON `\ud800` escape, cannot be stored as UTF-8
 * and would read back differently from how it was delivered).
 */
export function isMessageText(value: unknown, maxLength: number): value is string {
  return isWireString(value) && value.length >= 1 && value.length <= maxLength;
}
