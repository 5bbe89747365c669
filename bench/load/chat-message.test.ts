import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHAT_HEAD_BYTES, chatFrameKind, readStamp, stampedText } from './chat-message.js';

function delivery(text: string): Buffer {
  const message = {
    id: '1732240000000-17',
    room: 'bench',
    from: 'bench-publisher',
    text,
    at: new Date(0).toISOString(),
  };
  return Buffer.from(JSON.stringify({ event: 'message', data: message }), 'utf8').subarray(0, CHAT_HEAD_BYTES);
}

describe('chat messages', () => {
  it('reads back the time and sequence number stamped into a delivery', () => {
    const out: [number, number] = [0, 0];
    assert.equal(readStamp(delivery(stampedText(123_456_789_012, 42)), out), true);
    assert.deepEqual(out, [123_456_789_012, 42]);
  });

  it('refuses texts that are not stamped', () => {
    const out: [number, number] = [0, 0];
    assert.equal(readStamp(delivery('hello'), out), false);
    assert.equal(readStamp(delivery('00000000000000x1:0000000001'), out), false);
  });

  it('tells deliveries and join replies from other events', () => {
    assert.equal(chatFrameKind(delivery('x')), 'message');
    assert.equal(chatFrameKind(Buffer.from('{"event":"joined","data":{"room":"bench"}}')), 'joined');
    assert.equal(chatFrameKind(Buffer.from('{"event":"presence","data":{}}')), 'presence');
    assert.equal(chatFrameKind(Buffer.from('{"event":"welcome","data":{}}')), 'other');
    assert.equal(chatFrameKind(Buffer.from('{"ev')), 'other');
  });
});
