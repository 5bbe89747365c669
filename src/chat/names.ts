/** Room names appear in URLs and lists: up to 64 characters, no spaces, nothing invisible. */
export const MAX_ROOM_LENGTH = 64;

/** The room plain-text clients are in. */
export const LOBBY = 'lobby';

// \p{C}: control, format, unassigned, private-use and surrogate code points.
const INVISIBLE = /\p{C}/u;
const ANY_SPACE = /\s/u;
const SPACE_OTHER_THAN_U0020 = /[^\S ]/u;

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

/** Message text is kept and sent verbatim; only its length is bounded. */
export function isMessageText(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= maxLength;
}
