import { maskedFrame, OPCODE_TEXT } from './client-frames.js';

/**
 * The product's JSON chat protocol as the Redis broadcast scenario uses it: receivers join one
 * room, and every published text is `<time>:<seq>`, the publisher's monotonic clock in µs
 * (16 digits) and a sequence number (10 digits). Deliveries arrive as
 * `{"event":"message","data":{"id":..,"room":..,"from":..,"text":"<time>:<seq>",..}}`; the
 * text's offset depends on the id, so receivers look for it in the captured head.
 */
const TIME_DIGITS = 16;
const SEQ_DIGITS = 10;
const ZERO = 0x30;
const MESSAGE_PREFIX = Buffer.from('{"event":"message"', 'latin1');
const JOINED_PREFIX = Buffer.from('{"event":"joined"', 'latin1');
const ACK_PREFIX = Buffer.from('{"event":"ack"', 'latin1');
const PRESENCE_PREFIX = Buffer.from('{"event":"presence"', 'latin1');
const TEXT_KEY = Buffer.from('"text":"', 'latin1');
/** Enough payload bytes to reach the text behind the id, room and sender name. */
export const CHAT_HEAD_BYTES = 256;

/** A `message` to `room`, with a `ref` the sender's `ack` carries back if one is given. */
export function chatMessageFrame(room: string, text: string, ref?: string): Buffer {
  const event = { event: 'message', data: ref === undefined ? { room, text } : { room, text, ref } };
  return maskedFrame(OPCODE_TEXT, Buffer.from(JSON.stringify(event), 'utf8'));
}

export function chatJoinFrame(room: string): Buffer {
  return maskedFrame(OPCODE_TEXT, Buffer.from(JSON.stringify({ event: 'join', data: { room } }), 'utf8'));
}

/** The text of message number `seq` sent at `timeMicros`. */
export function stampedText(timeMicros: number, seq: number): string {
  return `${String(Math.floor(timeMicros)).padStart(TIME_DIGITS, '0')}:${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

export type ChatFrameKind = 'message' | 'joined' | 'ack' | 'presence' | 'other';

function startsWith(head: Buffer, prefix: Buffer): boolean {
  return head.length >= prefix.length && head.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

export function chatFrameKind(head: Buffer): ChatFrameKind {
  if (startsWith(head, MESSAGE_PREFIX)) return 'message';
  if (startsWith(head, JOINED_PREFIX)) return 'joined';
  if (startsWith(head, ACK_PREFIX)) return 'ack';
  if (startsWith(head, PRESENCE_PREFIX)) return 'presence';
  return 'other';
}

function digits(head: Buffer, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = head[i] - ZERO;
    if (!(digit >= 0 && digit <= 9)) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Reads time and sequence number of a `message` delivery into `out` ([time, seq]); false when
 * the head holds no stamped text.
 */
export function readStamp(head: Buffer, out: [number, number]): boolean {
  const key = head.indexOf(TEXT_KEY);
  if (key === -1) return false;
  const at = key + TEXT_KEY.length;
  if (head.length < at + TIME_DIGITS + 1 + SEQ_DIGITS || head[at + TIME_DIGITS] !== 0x3a) return false;
  out[0] = digits(head, at, TIME_DIGITS);
  out[1] = digits(head, at + TIME_DIGITS + 1, SEQ_DIGITS);
  return !Number.isNaN(out[0]) && !Number.isNaN(out[1]);
}
