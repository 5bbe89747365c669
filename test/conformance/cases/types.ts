import type { Chunking } from '../chunking.js';

/** A message or pong the server must send back. */
export type ExpectedEvent =
  /** `compressed`, when given, says whether the server must have sent it with RSV1. */
  | { readonly type: 'message'; readonly binary: boolean; readonly data: Buffer; readonly compressed?: boolean }
  | { readonly type: 'pong'; readonly data: Buffer };

export type Outcome =
  /** The connection stays usable: after `events`, the runner's own close 1000 is echoed. */
  | { readonly kind: 'open'; readonly events: readonly ExpectedEvent[]; readonly ordered: boolean }
  /**
   * The server sends `events`, then a close frame with one of `codes` (null: a close frame
   * without a body), then closes TCP itself within the close timeout.
   */
  | {
      readonly kind: 'closed';
      readonly events: readonly ExpectedEvent[];
      readonly ordered: boolean;
      readonly codes: readonly (number | null)[];
      readonly reason?: Buffer;
    };

export interface ConformanceCase {
  /** Autobahn-style section numbering: "5.6", "6.4.12". */
  readonly id: string;
  /** Reads as the rule under test, e.g. "fragmented text with a ping between fragments is echoed once". */
  readonly description: string;
  /** The exact bytes the client sends, frames back to back. */
  readonly send: Buffer;
  readonly chunking: Chunking;
  readonly expect: Outcome;
  /** How long to wait for the expected events (large messages need more). */
  readonly timeoutMs?: number;
  /** Sec-WebSocket-Extensions offered in the handshake (compression sections). */
  readonly offer?: string;
  /** With `offer`: the exact Sec-WebSocket-Extensions the 101 must carry; null for none. */
  readonly negotiated?: string | null;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly cases: readonly ConformanceCase[];
}

export const expectText = (data: Buffer | string): ExpectedEvent => ({
  type: 'message',
  binary: false,
  data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
});
export const expectBinary = (data: Buffer): ExpectedEvent => ({ type: 'message', binary: true, data });
export const expectPong = (data: Buffer | string = Buffer.alloc(0)): ExpectedEvent => ({
  type: 'pong',
  data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
});

/**
 * Without `ordered`, messages must arrive in order and pongs must arrive in order, but a pong
 * may overtake an echo: the echo goes through the application, the pong does not, and the RFC
 * orders neither against the other. `ordered` is for cases where the pong is owed before the
 * message can even exist (a ping between fragments).
 */
export const staysOpen = (events: readonly ExpectedEvent[] = [], ordered = false): Outcome => ({
  kind: 'open',
  events,
  ordered,
});

export const closesWith = (
  codes: number | null | readonly (number | null)[],
  events: readonly ExpectedEvent[] = [],
  options: { ordered?: boolean; reason?: Buffer } = {},
): Outcome => ({
  kind: 'closed',
  events,
  ordered: options.ordered ?? false,
  codes: Array.isArray(codes) ? codes : [codes as number | null],
  reason: options.reason,
});

/** Printable ASCII that changes every byte, so an offset error cannot go unnoticed. */
export function asciiPayload(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = 0x21 + ((i * 7 + (i >> 8)) % 94);
  return out;
}

/** Every byte value, in an order that does not repeat with any small period. */
export function binaryPayload(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8) * 17 + (i >> 16)) & 0xff;
  return out;
}

export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Orders "5.9" before "5.10". */
export function compareIds(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
