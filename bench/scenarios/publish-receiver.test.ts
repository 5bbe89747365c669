import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type WebSocket from 'ws';
import { stampedText } from '../load/chat-message.js';
import { PublishReceiver } from './publish-receiver.js';

function delivery(sentAt: number, seq: number): Buffer {
  const data = {
    id: `1-${seq}`,
    room: 'publish-0',
    from: 'bench',
    fromId: 'api',
    text: stampedText(sentAt, seq),
    at: '',
  };
  return Buffer.from(JSON.stringify({ event: 'message', data }));
}

describe('PublishReceiver', () => {
  it('counts each stamped message once, with its publish-to-delivery latency, per window', () => {
    const receiver = new PublishReceiver(new EventEmitter() as unknown as WebSocket);
    receiver.receive(delivery(1000, 0), 1500);
    receiver.mark();
    receiver.receive(delivery(2000, 1), 2300);
    receiver.receive(delivery(2000, 1), 2400);
    receiver.receive(delivery(2000, 70_000), 4000);
    receiver.receive(Buffer.from('{"event":"ack","data":{"ref":"p1","id":"1-1"}}'), 5000);
    assert.equal(receiver.messages, 2);
    assert.equal(receiver.duplicates, 1);
    assert.equal(receiver.histogram.count, 2);
    assert.ok(receiver.has(0) && receiver.has(1) && receiver.has(70_000) && !receiver.has(2));
    assert.ok(receiver.histogram.quantile(0.5) >= 290 && receiver.histogram.quantile(0.5) <= 310);
  });
});
