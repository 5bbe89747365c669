/**
 * Message ids have the shape of Redis stream ids, `<milliseconds>-<sequence>`, so a Redis bus
 * can hand out its stream ids unchanged. They order messages within a room and compare as
 * numbers pair-wise, never as plain strings ("9-0" < "10-0").
 */
const MESSAGE_ID = /^(?:0|[1-9]\d{0,15})-(?:0|[1-9]\d{0,15})$/;

export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID.test(value);
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareMessageIds(a: string, b: string): number {
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  return compareDigits(a, 0, dashA, b, 0, dashB) || compareDigits(a, dashA + 1, a.length, b, dashB + 1, b.length);
}

// Digit runs without leading zeros: the longer run is the larger number, equal lengths compare
// digit by digit. No parsing, so 16-digit parts beyond 2^53 still order correctly.
function compareDigits(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): number {
  const lengthDifference = aEnd - aStart - (bEnd - bStart);
  if (lengthDifference !== 0) return lengthDifference;
  for (let i = 0; i < aEnd - aStart; i++) {
    const difference = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Hands out strictly increasing ids. The millisecond part follows the clock but never goes
 * back when the clock does; the sequence counts messages within one millisecond.
 */
export class MessageIdGenerator {
  private milliseconds: number;
  private sequence = 0;
  /** An id older than every id this generator will hand out. */
  readonly floor: string;

  constructor(now: number) {
    this.milliseconds = Math.max(0, Math.floor(now));
    this.floor = `${this.milliseconds}-0`;
  }

  next(now: number): string {
    const milliseconds = Math.floor(now);
    if (milliseconds > this.milliseconds) {
      this.milliseconds = milliseconds;
      this.sequence = 0;
    } else {
      this.sequence++;
    }
    return `${this.milliseconds}-${this.sequence}`;
  }
}
