import { createHash, randomBytes } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Client-side framing for the load generator, written independently of src/websocket so the
 * code under test never measures itself. Frames are built once and written many times.
 */

export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A random 32-bit masking key (the load generator draws one per precomputed frame). */
export function randomMaskingKey(): Buffer {
  return randomBytes(4);
}

/** The RSV1 bit of the first byte: a message compressed with permessage-deflate (RFC 7692). */
export const RSV1 = 0x40;

/**
 * One FIN frame with the MASK bit and `maskingKey` (4 bytes), payload masked; `rsv1` marks a
 * compressed message's frame.
 */
export function maskedFrame(
  opcode: number,
  payload: Uint8Array,
  maskingKey: Uint8Array = randomMaskingKey(),
  rsv1 = false,
): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const headerSize = 2 + lengthBytes + 4;
  const frame = Buffer.allocUnsafe(headerSize + length);
  frame[0] = 0x80 | (rsv1 ? RSV1 : 0) | opcode;
  if (lengthBytes === 0) {
    frame[1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const keyAt = headerSize - 4;
  for (let i = 0; i < 4; i++) frame[keyAt + i] = maskingKey[i];
  for (let i = 0; i < length; i++) frame[headerSize + i] = payload[i] ^ maskingKey[i & 3];
  return frame;
}

/** Where the payload starts in a frame built by maskedFrame(). */
export function maskedPayloadOffset(payloadLength: number): number {
  return 2 + (payloadLength < 126 ? 0 : payloadLength < 65_536 ? 2 : 8) + 4;
}

const DEFLATE_TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * A message compressed as permessage-deflate sends it (RFC 7692 7.2.1): raw deflate,
 * sync-flushed, without the trailing 00 00 ff ff, on a fresh context. A fresh context per
 * message is what client_no_context_takeover asks for and what a server keeping the
 * client's context accepts too, so one compressed frame serves every message of a run.
 */
export function compressMessage(payload: Buffer, windowBits = 15): Buffer {
  const compressed = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH, windowBits });
  return compressed.subarray(0, compressed.length - DEFLATE_TRAILER.length);
}

/** The message of a server frame with RSV1 (the server's first one: nothing to take over yet). */
export function decompressMessage(payload: Buffer): Buffer {
  return inflateRawSync(Buffer.concat([payload, DEFLATE_TRAILER]), { finishFlush: constants.Z_SYNC_FLUSH });
}

/** `count` copies of `frame` back to back, so k pipelined messages go out in one write. */
export function repeatFrame(frame: Buffer, count: number): Buffer {
  const batch = Buffer.allocUnsafe(frame.length * count);
  for (let i = 0; i < count; i++) frame.copy(batch, i * frame.length);
  return batch;
}

/** A close frame with status 1000, masked. */
export function closeFrame(): Buffer {
  return maskedFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8]));
}

const ENVELOPE_HEAD = '{"event":"echo","data":"';
const ENVELOPE_TAIL = '"}';
/** The smallest JSON echo message: an empty data string. */
export const MIN_JSON_ECHO_SIZE = ENVELOPE_HEAD.length + ENVELOPE_TAIL.length;

/**
 * The payload of one echo message of exactly `size` bytes: for JSON, the `{event, data}`
 * envelope Nest gateways expect, padded with ASCII inside `data` (so the gateway's reply,
 * `JSON.stringify({event: 'echo', data})`, is the same bytes); otherwise a byte pattern.
 */
export function echoPayload(size: number, json: boolean): Buffer {
  if (json) {
    if (size < MIN_JSON_ECHO_SIZE)
      throw new RangeError(`A JSON echo message needs at least ${MIN_JSON_ECHO_SIZE} bytes`);
    const fill = size - MIN_JSON_ECHO_SIZE;
    let data = '';
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < fill; i++) data += alphabet[i % alphabet.length];
    return Buffer.from(ENVELOPE_HEAD + data + ENVELOPE_TAIL);
  }
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = (i * 31 + 7) & 0xff;
  return payload;
}

export interface UpgradeRequest {
  bytes: Buffer;
  /** The Sec-WebSocket-Accept value the server must answer with. */
  accept: string;
}

export function acceptFor(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

/** What browsers and `ws` clients offer: permessage-deflate, any client window the server likes. */
export const DEFLATE_OFFER = 'permessage-deflate; client_max_window_bits';

/**
 * An RFC 6455 opening handshake for `path`, with a fresh random key; `extensions` is a
 * Sec-WebSocket-Extensions offer (DEFLATE_OFFER).
 */
export function upgradeRequest(host: string, port: number, path: string, extensions?: string): UpgradeRequest {
  const key = randomBytes(16).toString('base64');
  const text =
    `GET ${path} HTTP/1.1\r\n` +
    `Host: ${host}:${port}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${key}\r\n` +
    'Sec-WebSocket-Version: 13\r\n' +
    (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) +
    '\r\n';
  return { bytes: Buffer.from(text, 'latin1'), accept: acceptFor(key) };
}
