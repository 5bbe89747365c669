import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BROADCAST_HEAD_BYTES, BroadcastFrames, MIN_BROADCAST_SIZE, readSendTime } from './broadcast-message.js';
import { maskedPayloadOffset } from './client-frames.js';

function payloads(batch: Buffer, frameLength: number, size: number): string[] {
  const at = maskedPayloadOffset(size);
  const out: string[] = [];
  for (let start = 0; start < batch.length; start += frameLength) {
    const key = batch.subarray(start + at - 4, start + at);
    const payload = Buffer.from(batch.subarray(start + at, start + frameLength));
    for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
    out.push(payload.toString('latin1'));
  }
  return out;
}

describe('broadcast messages', () => {
  it('stamps time and sequence into masked frames of the requested size', () => {
    const frames = new BroadcastFrames(64);
    const batch = frames.build(2, 1_234_567_890_123, 41);
    const [first, second] = payloads(batch, frames.frameLength, 64);
    assert.equal(first.length, 64);
    const message = JSON.parse(first) as { event: string; data: string };
    assert.equal(message.event, 'broadcast');
    assert.match(message.data, /^0001234567890123:0000000041:x*$/);
    assert.match(second, /:0000000042:/);
  });

  it('reads the time back from the head of what the server relays', () => {
    const frames = new BroadcastFrames(MIN_BROADCAST_SIZE);
    const [payload] = payloads(frames.build(1, 987_654_321, 0), frames.frameLength, MIN_BROADCAST_SIZE);
    const relayed = Buffer.from(
      JSON.stringify({ event: 'broadcast', data: (JSON.parse(payload) as { data: string }).data }),
    );
    assert.equal(readSendTime(relayed.subarray(0, BROADCAST_HEAD_BYTES)), 987_654_321);
    assert.ok(Number.isNaN(readSendTime(Buffer.from('{"event":"other"}'))));
  });

  it('refuses sizes too small for the stamp', () => {
    assert.throws(() => new BroadcastFrames(MIN_BROADCAST_SIZE - 1), RangeError);
  });
});
