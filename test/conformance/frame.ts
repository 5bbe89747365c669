/**
 * Builds client frames byte by byte, including frames a real client must never send
 * (unmasked, reserved bits, lying or non-minimal lengths), so the conformance cases can say
 * exactly what goes on the wire. Deliberately independent of src/websocket.
 */

export const Op = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** RSV bits as the 3-bit field value of the first header byte: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
export const Rsv = { RSV1: 4, RSV2: 2, RSV3: 1 } as const;

export type LengthEncoding = 'minimal' | 7 | 16 | 64;

export interface FrameOptions {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Buffer | string;
  /** A 4-byte masking key; `false` sends the frame unmasked; absent = the next test key. */
  mask?: Buffer | false;
  /** Width of the length field; a non-minimal width is legal to build on purpose. */
  lengthEncoding?: LengthEncoding;
  /** Writes this length in the header instead of the payload's real length. */
  declaredLength?: number | bigint;
}

// Reproducible but varied keys: a failing case prints the same bytes on every run, and a
// server that only unmasks correctly for some key patterns still gets caught.
let keySeed = 0x2545f491;
function nextMaskingKey(): Buffer {
  const key = Buffer.allocUnsafe(4);
  keySeed = (Math.imul(keySeed ^ (keySeed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
  key.writeInt32BE(keySeed);
  return key;
}

export function frame(options: FrameOptions): Buffer {
  const payload = toBuffer(options.payload ?? Buffer.alloc(0));
  const length = options.declaredLength ?? payload.length;
  const encoding = resolveEncoding(length, options.lengthEncoding ?? 'minimal');
  const maskingKey = options.mask === false ? undefined : (options.mask ?? nextMaskingKey());
  if (maskingKey !== undefined && maskingKey.length !== 4) {
    throw new RangeError('a masking key is 4 bytes');
  }

  const lengthBytes = encoding === 7 ? 0 : encoding === 16 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (maskingKey ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLength + payload.length);
  out[0] = ((options.fin ?? true) ? 0x80 : 0) | (((options.rsv ?? 0) & 7) << 4) | (options.opcode & 0xf);
  out[1] = maskingKey ? 0x80 : 0;
  if (encoding === 7) {
    out[1] |= Number(length);
  } else if (encoding === 16) {
    out[1] |= 126;
    out.writeUInt16BE(Number(length), 2);
  } else {
    out[1] |= 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  if (maskingKey) {
    maskingKey.copy(out, 2 + lengthBytes);
    for (let i = 0; i < payload.length; i++) {
      out[headerLength + i] = payload[i] ^ maskingKey[i & 3];
    }
  } else {
    payload.copy(out, headerLength);
  }
  return out;
}

function resolveEncoding(length: number | bigint, requested: LengthEncoding): 7 | 16 | 64 {
  const big = BigInt(length);
  const minimal = big < 126n ? 7 : big <= 0xffffn ? 16 : 64;
  if (requested === 'minimal') return minimal;
  if (requested < minimal) throw new RangeError(`length ${length} does not fit a ${requested}-bit field`);
  return requested;
}

function toBuffer(payload: Buffer | string): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

type Shorthand = Omit<FrameOptions, 'opcode' | 'payload'>;

export const text = (payload: Buffer | string, o: Shorthand = {}) => frame({ ...o, opcode: Op.TEXT, payload });
export const binary = (payload: Buffer | string, o: Shorthand = {}) => frame({ ...o, opcode: Op.BINARY, payload });
export const continuation = (payload: Buffer | string, o: Shorthand = {}) =>
  frame({ ...o, opcode: Op.CONTINUATION, payload });
export const ping = (payload: Buffer | string = Buffer.alloc(0), o: Shorthand = {}) =>
  frame({ ...o, opcode: Op.PING, payload });
export const pong = (payload: Buffer | string = Buffer.alloc(0), o: Shorthand = {}) =>
  frame({ ...o, opcode: Op.PONG, payload });
export const close = (code?: number, reason: Buffer | string = Buffer.alloc(0), o: Shorthand = {}) =>
  frame({ ...o, opcode: Op.CLOSE, payload: closePayload(code, reason) });

/** Close frame body: nothing without a code, else the 16-bit code followed by the reason. */
export function closePayload(code?: number, reason: Buffer | string = Buffer.alloc(0)): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const reasonBytes = toBuffer(reason);
  const out = Buffer.allocUnsafe(2 + reasonBytes.length);
  out.writeUInt16BE(code, 0);
  reasonBytes.copy(out, 2);
  return out;
}

/** Splits a payload into fragments: a first frame of `opcode`, then continuations, FIN on the last. */
export function fragments(opcode: number, parts: readonly (Buffer | string)[], o: Shorthand = {}): Buffer[] {
  return parts.map((part, i) =>
    frame({ ...o, opcode: i === 0 ? opcode : Op.CONTINUATION, fin: i === parts.length - 1, payload: part }),
  );
}

/** Cuts `data` into pieces of `size` bytes (the last may be shorter; at least one piece). */
export function pieces(data: Buffer, size: number): Buffer[] {
  if (data.length === 0) return [data];
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}
