import { maskedFrame, maskedPayloadOffset, OPCODE_TEXT, randomMaskingKey } from './client-frames.js';

/**
 * The broadcast message: `{"event":"broadcast","data":"<time>:<seq>:<padding>"}`, where <time>
 * is the sender's monotonic clock in µs (16 digits) and <seq> a sequence number (10 digits).
 * `data` is a plain ASCII string, so the server's reply envelope,
 * `JSON.stringify({event: 'broadcast', data})`, starts with the same bytes and the receivers
 * find the time at a fixed offset.
 */
const PREFIX = '{"event":"broadcast","data":"';
const SUFFIX = '"}';
const TIME_DIGITS = 16;
const SEQ_DIGITS = 10;
export const TIME_OFFSET = PREFIX.length;
const SEQ_OFFSET = TIME_OFFSET + TIME_DIGITS + 1;
/** Receivers capture this many payload bytes to read the time. */
export const BROADCAST_HEAD_BYTES = TIME_OFFSET + TIME_DIGITS;
export const MIN_BROADCAST_SIZE = SEQ_OFFSET + SEQ_DIGITS + 1 + SUFFIX.length;

const ZERO = 0x30;

/** The monotonic clock shared by every process on the machine, in µs. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Reads the send time from the first BROADCAST_HEAD_BYTES of a delivery; NaN if malformed. */
export function readSendTime(head: Buffer): number {
  if (head.length < BROADCAST_HEAD_BYTES) return Number.NaN;
  let value = 0;
  for (let i = TIME_OFFSET; i < TIME_OFFSET + TIME_DIGITS; i++) {
    const digit = head[i] - ZERO;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Builds broadcast frames of `size` payload bytes from one masked template: stamping a
 * message writes its 26 digits, masked, into a copy of the template.
 */
export class BroadcastFrames {
  readonly frameLength: number;
  private readonly template: Buffer;
  private readonly key: Buffer;
  private readonly payloadAt: number;

  constructor(size: number) {
    if (size < MIN_BROADCAST_SIZE)
      throw new RangeError(`A broadcast message needs at least ${MIN_BROADCAST_SIZE} bytes`);
    const padding = 'x'.repeat(size - MIN_BROADCAST_SIZE);
    const text = `${PREFIX}${'0'.repeat(TIME_DIGITS)}:${'0'.repeat(SEQ_DIGITS)}:${padding}${SUFFIX}`;
    this.key = randomMaskingKey();
    this.template = maskedFrame(OPCODE_TEXT, Buffer.from(text, 'latin1'), this.key);
    this.frameLength = this.template.length;
    this.payloadAt = maskedPayloadOffset(size);
  }

  /** Writes `count` frames stamped `timeMicros`, numbered from `firstSeq`, into one buffer. */
  build(count: number, timeMicros: number, firstSeq: number): Buffer {
    const out = Buffer.allocUnsafe(count * this.frameLength);
    for (let i = 0; i < count; i++) {
      const at = i * this.frameLength;
      this.template.copy(out, at);
      this.writeDigits(out, at, TIME_OFFSET, TIME_DIGITS, timeMicros);
      this.writeDigits(out, at, SEQ_OFFSET, SEQ_DIGITS, firstSeq + i);
    }
    return out;
  }

  private writeDigits(out: Buffer, frameAt: number, offset: number, digits: number, value: number): void {
    let rest = Math.floor(value);
    for (let i = offset + digits - 1; i >= offset; i--) {
      out[frameAt + this.payloadAt + i] = (ZERO + (rest % 10)) ^ this.key[i & 3];
      rest = Math.floor(rest / 10);
    }
  }
}
