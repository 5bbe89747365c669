import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptFor,
  compressMessage,
  decompressMessage,
  DEFLATE_OFFER,
  echoPayload,
  maskedFrame,
  maskedPayloadOffset,
  MIN_JSON_ECHO_SIZE,
  OPCODE_TEXT,
  repeatFrame,
  RSV1,
  upgradeRequest,
} from './client-frames.js';

function unmask(frame: Buffer): Buffer {
  const at = maskedPayloadOffset(payloadLength(frame));
  const key = frame.subarray(at - 4, at);
  return Buffer.from(frame.subarray(at).map((byte, i) => byte ^ key[i & 3]));
}

function payloadLength(frame: Buffer): number {
  const length7 = frame[1] & 0x7f;
  if (length7 === 126) return frame.readUInt16BE(2);
  if (length7 === 127) return frame.readUInt32BE(6);
  return length7;
}

describe('client frames', () => {
  it('masks a small text frame with the given key (RFC 6455 section 5.7 example)', () => {
    const frame = maskedFrame(OPCODE_TEXT, Buffer.from('Hello'), Buffer.from([0x37, 0xfa, 0x21, 0x3d]));
    assert.equal(frame.toString('hex'), '818537fa213d7f9f4d5158');
  });

  it('uses the 16-bit and 64-bit length forms with the MASK bit', () => {
    for (const [size, second, offset] of [
      [125, 0x80 | 125, 6],
      [126, 0x80 | 126, 8],
      [65_535, 0x80 | 126, 8],
      [65_536, 0x80 | 127, 14],
    ] as const) {
      const frame = maskedFrame(OPCODE_TEXT, Buffer.alloc(size, 0x61));
      assert.equal(frame[1], second, `size ${size}`);
      assert.equal(maskedPayloadOffset(size), offset);
      assert.equal(payloadLength(frame), size);
      assert.deepEqual(unmask(frame), Buffer.alloc(size, 0x61));
    }
  });

  it('builds JSON echo messages of exactly the requested size, which survive a JSON round trip', () => {
    for (const size of [MIN_JSON_ECHO_SIZE, 32, 1024, 65_536]) {
      const payload = echoPayload(size, true);
      assert.equal(payload.length, size);
      const message = JSON.parse(payload.toString()) as { event: string; data: string };
      assert.equal(message.event, 'echo');
      assert.equal(Buffer.from(JSON.stringify({ event: 'echo', data: message.data })).equals(payload), true);
    }
    assert.throws(() => echoPayload(MIN_JSON_ECHO_SIZE - 1, true), RangeError);
  });

  it('repeats a frame back to back', () => {
    const frame = maskedFrame(OPCODE_TEXT, Buffer.from('x'));
    const batch = repeatFrame(frame, 3);
    assert.deepEqual(batch, Buffer.concat([frame, frame, frame]));
  });

  it('computes Sec-WebSocket-Accept as in RFC 6455 section 1.3', () => {
    assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const request = upgradeRequest('127.0.0.1', 8080, '/echo').bytes.toString('latin1');
    assert.match(request, /^GET \/echo HTTP\/1\.1\r\n/);
    assert.match(request, /\r\nSec-WebSocket-Version: 13\r\n/);
    assert.ok(request.endsWith('\r\n\r\n'));
    assert.doesNotMatch(request, /Sec-WebSocket-Extensions/);
  });

  it('offers permessage-deflate when asked to', () => {
    const request = upgradeRequest('127.0.0.1', 8080, '/echo', DEFLATE_OFFER).bytes.toString('latin1');
    assert.match(request, /\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/);
  });

  it('compresses a message as RFC 7692 sends it (no trailing 00 00 ff ff) and marks its frame with RSV1', () => {
    const message = echoPayload(1024, true);
    const compressed = compressMessage(message);
    assert.ok(compressed.length < message.length);
    assert.notDeepEqual(compressed.subarray(-4), Buffer.from([0x00, 0x00, 0xff, 0xff]));
    assert.deepEqual(decompressMessage(compressed), message);
    // RFC 7692 section 7.2.3.1: "Hello" compressed is f2 48 cd c9 c9 07 00.
    assert.equal(compressMessage(Buffer.from('Hello')).toString('hex'), 'f248cdc9c90700');
    const frame = maskedFrame(OPCODE_TEXT, compressed, undefined, true);
    assert.equal(frame[0], 0x80 | RSV1 | OPCODE_TEXT);
    assert.deepEqual(unmask(frame), compressed);
  });
});
