import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskedFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_TEXT } from './client-frames.js';
import { ServerFrameReader } from './server-frame-reader.js';

interface Seen {
  opcode: number;
  fin: boolean;
  length: number;
  head: string;
}

function reader(capture = 0): { reader: ServerFrameReader; seen: Seen[] } {
  const seen: Seen[] = [];
  const instance = new ServerFrameReader({
    onFrame(opcode, fin, length, head) {
      seen.push({ opcode, fin, length, head: head.toString('latin1') });
    },
  });
  instance.captureHead(capture);
  return { reader: instance, seen };
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('ServerFrameReader', () => {
  it('reads an unmasked text frame: 81 05 48 65 6c 6c 6f is "Hello"', () => {
    const { reader: r, seen } = reader(16);
    r.push(hex('81 05 48 65 6c 6c 6f'));
    assert.deepEqual(seen, [{ opcode: OPCODE_TEXT, fin: true, length: 5, head: 'Hello' }]);
  });

  it('reads the 16-bit and 64-bit length forms', () => {
    const { reader: r, seen } = reader();
    r.push(
      Buffer.concat([
        hex('82 7e 01 00'),
        Buffer.alloc(256),
        hex('82 7f 00 00 00 00 00 01 00 00'),
        Buffer.alloc(65_536),
      ]),
    );
    assert.deepEqual(
      seen.map((frame) => frame.length),
      [256, 65_536],
    );
  });

  it('finds every frame whatever the chunk boundaries, byte by byte included', () => {
    const frames = Buffer.concat([
      hex('81 05 48 65 6c 6c 6f'),
      hex('82 7e 00 80'),
      Buffer.alloc(128, 7),
      hex('80 00'),
      hex('88 02 03 e8'),
    ]);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const { reader: r, seen } = reader(8);
      for (let at = 0; at < frames.length; at += size) r.push(frames.subarray(at, at + size));
      assert.deepEqual(
        seen.map((frame) => [frame.opcode, frame.length]),
        [
          [OPCODE_TEXT, 5],
          [OPCODE_BINARY, 128],
          [0, 0],
          [OPCODE_CLOSE, 2],
        ],
        `chunks of ${size}`,
      );
      assert.equal(seen[0].head, 'Hello');
      assert.equal(seen[3].head, '\x03\xe8');
    }
  });

  it('unmasks the captured head of a masked frame (a raw echo sends the client frame back)', () => {
    const { reader: r, seen } = reader(64);
    r.push(maskedFrame(OPCODE_TEXT, Buffer.from('echo me')));
    assert.equal(seen[0].head, 'echo me');
  });

  it('captures no data bytes unless asked, but always control payloads', () => {
    const { reader: r, seen } = reader(0);
    r.push(Buffer.concat([hex('81 02 68 69'), hex('88 02 03 f1')]));
    assert.equal(seen[0].head, '');
    assert.equal(seen[1].head, '\x03\xf1');
  });

  it('reports a zero-length frame as soon as its header is complete', () => {
    const { reader: r, seen } = reader();
    r.push(hex('81'));
    assert.equal(seen.length, 0);
    r.push(hex('00'));
    assert.equal(seen.length, 1);
  });
});
