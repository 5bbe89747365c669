import { MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { applyMask } from './mask.js';
import type { CompressedVariant } from './shared-compression.js';

/** Below this payload size, copying header and payload into one buffer beats a writev. */
const COPY_THRESHOLD = 16 * 1024;
const TWO_POW_32 = 4_294_967_296;

/** Header bytes for a payload of `payloadLength` (2, 4 or 10, plus 4 when masked). */
export function frameHeaderSize(payloadLength: number, masked = false): number {
  const size = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  return masked ? size + 4 : size;
}

/**
 * Writes a frame header into `target` at `offset` and returns the number of bytes written.
 * The length uses the minimal encoding (RFC 6455 section 5.2). A `maskingKey` (big-endian
 * uint32) sets the MASK bit and appends the key, for client frames.
 */
export function writeFrameHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  payloadLength: number,
  fin = true,
  rsv1 = false,
  maskingKey?: number,
): number {
  const maskBit = maskingKey === undefined ? 0 : 0x80;
  let at = offset;
  target[at++] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (payloadLength < 126) {
    target[at++] = maskBit | payloadLength;
  } else if (payloadLength < 65_536) {
    target[at++] = maskBit | 126;
    target[at++] = payloadLength >>> 8;
    target[at++] = payloadLength & 0xff;
  } else {
    target[at++] = maskBit | 127;
    at = writeUInt32(target, at, Math.floor(payloadLength / TWO_POW_32));
    at = writeUInt32(target, at, payloadLength >>> 0);
  }
  if (maskingKey !== undefined) at = writeUInt32(target, at, maskingKey >>> 0);
  return at - offset;
}

function writeUInt32(target: Uint8Array, at: number, value: number): number {
  target[at] = value >>> 24;
  target[at + 1] = (value >>> 16) & 0xff;
  target[at + 2] = (value >>> 8) & 0xff;
  target[at + 3] = value & 0xff;
  return at + 4;
}

export interface EncodeOptions {
  fin?: boolean;
  rsv1?: boolean;
  /** Masks the payload with this key (client-to-server frames). */
  maskingKey?: number;
}

/** Encode options of a compressed message's frame (permessage-deflate sets RSV1). */
export const COMPRESSED: EncodeOptions = { rsv1: true };

/**
 * The opcode `ws` send() picks: text for a string unless `binary`, binary for bytes unless
 * `binary === false`.
 */
export function opcodeFor(data: unknown, binary: boolean | undefined): number {
  if (typeof data === 'string') return binary === true ? Opcode.BINARY : Opcode.TEXT;
  return binary === false ? Opcode.TEXT : Opcode.BINARY;
}

/** One frame, header and payload in a single buffer. The payload is copied, never mutated. */
export function encodeFrame(opcode: number, payload: Uint8Array, options: EncodeOptions = {}): Buffer {
  const { fin = true, rsv1 = false, maskingKey } = options;
  const headerSize = frameHeaderSize(payload.length, maskingKey !== undefined);
  const frame = Buffer.allocUnsafe(headerSize + payload.length);
  writeFrameHeader(frame, 0, opcode, payload.length, fin, rsv1, maskingKey);
  frame.set(payload, headerSize);
  if (maskingKey !== undefined) applyMask(frame.subarray(headerSize), maskingKey);
  return frame;
}

/** A FIN frame carrying `text` as UTF-8, encoded straight into the frame buffer. */
export function encodeTextFrame(text: string, opcode: number = Opcode.TEXT): Buffer {
  const payloadLength = Buffer.byteLength(text);
  const headerSize = frameHeaderSize(payloadLength);
  const frame = Buffer.allocUnsafe(headerSize + payloadLength);
  writeFrameHeader(frame, 0, opcode, payloadLength);
  frame.write(text, headerSize, payloadLength, 'utf8');
  return frame;
}

/** Close frame payload: the code in network byte order, then the UTF-8 reason. */
export function encodeClosePayload(code?: number, reason: string | Buffer = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const reasonLength = typeof reason === 'string' ? Buffer.byteLength(reason) : reason.length;
  if (reasonLength > MAX_CONTROL_PAYLOAD - 2) {
    throw new RangeError('A close reason must not exceed 123 bytes');
  }
  const payload = Buffer.allocUnsafe(2 + reasonLength);
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  if (typeof reason === 'string') payload.write(reason, 2, reasonLength, 'utf8');
  else payload.set(reason, 2);
  return payload;
}

/** A frame encoded once, to be written as-is to any number of sockets. */
export type PreparedFrame = { readonly bytes: Buffer; readonly opcode: number };

/**
 * What prepareFrame returns: the plain frame, plus the compressed variants that
 * permessage-deflate connections build from it on first use (see shared-compression.ts), so
 * a broadcast is compressed once, not once per recipient.
 */
export class SharedFrame implements PreparedFrame {
  /** Managed by shared-compression.ts; empty until a compressing connection needs one. */
  compressed: CompressedVariant[] | undefined = undefined;

  constructor(
    readonly bytes: Buffer,
    readonly opcode: number,
    /** Where the payload starts in `bytes`. */
    readonly payloadOffset: number,
  ) {}

  get payloadLength(): number {
    return this.bytes.length - this.payloadOffset;
  }

  get payload(): Buffer {
    return this.bytes.subarray(this.payloadOffset);
  }
}

/**
 * Encodes one unmasked FIN frame for broadcast: text for a string unless `binary`, binary for a
 * Buffer unless `binary === false` (the `ws` send() rule).
 */
export function prepareFrame(data: string | Buffer, binary?: boolean): PreparedFrame {
  const opcode = opcodeFor(data, binary);
  if (typeof data === 'string') {
    const bytes = encodeTextFrame(data, opcode);
    // The length field says how long the header is: 7-bit, 16-bit or 64-bit form.
    const length7 = bytes[1] & 0x7f;
    return new SharedFrame(bytes, opcode, length7 < 126 ? 2 : length7 === 126 ? 4 : 10);
  }
  return new SharedFrame(encodeFrame(opcode, data), opcode, frameHeaderSize(data.length));
}

/** The parts of a socket the writer needs. */
export interface FrameDestination {
  write(chunk: Uint8Array, callback?: (err?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
}

/**
 * Writes one unmasked FIN frame. Small payloads are copied behind the header into one buffer;
 * large ones go out as header + payload under cork/uncork, which Node turns into a single
 * writev, so either way the frame leaves in one syscall and a large payload is not copied.
 * `rsv1` marks a compressed message (permessage-deflate).
 */
export function writeFrame(
  destination: FrameDestination,
  opcode: number,
  payload: Uint8Array,
  callback?: (err?: Error | null) => void,
  rsv1 = false,
): void {
  if (payload.length < COPY_THRESHOLD) {
    destination.write(rsv1 ? encodeFrame(opcode, payload, COMPRESSED) : encodeFrame(opcode, payload), callback);
    return;
  }
  const header = Buffer.allocUnsafe(frameHeaderSize(payload.length));
  writeFrameHeader(header, 0, opcode, payload.length, true, rsv1);
  destination.cork();
  destination.write(header);
  destination.write(payload, callback);
  destination.uncork();
}
