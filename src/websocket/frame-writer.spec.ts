import { once } from 'node:events';
import net from 'node:net';
import { Opcode } from './constants.js';
import {
  encodeClosePayload,
  encodeFrame,
  encodeTextFrame,
  frameHeaderSize,
  prepareFrame,
  SharedFrame,
  writeFrame,
  writeFrameHeader,
  type FrameDestination,
} from './frame-writer.js';
import { within } from '../../test/helpers/waiting.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const onceWithin = (emitter: NodeJS.EventEmitter, event: string): Promise<unknown[]> =>
  within(once(emitter, event), `waiting for '${event}'`);

const toHex = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

describe('frame writer', () => {
  describe('headers', () => {
    it.each([
      [0, '82 00'],
      [125, '82 7d'],
      [126, '82 7e 00 7e'],
      [65_535, '82 7e ff ff'],
      [65_536, '82 7f 00 00 00 00 00 01 00 00'],
      [2 ** 32 + 5, '82 7f 00 00 00 01 00 00 00 05'],
    ])('encodes a length of %i with the minimal encoding (%s)', (length, expected) => {
      const header = Buffer.alloc(10);
      const size = writeFrameHeader(header, 0, Opcode.BINARY, length);
      expect(size).toBe(frameHeaderSize(length));
      expect(toHex(header.subarray(0, size))).toBe(expected);
    });

    it('sets FIN, RSV1 and the mask bit and appends the masking key', () => {
      const header = Buffer.alloc(14);
      const size = writeFrameHeader(header, 0, Opcode.TEXT, 5, false, true, 0x37fa213d);
      expect(toHex(header.subarray(0, size))).toBe('41 85 37 fa 21 3d');
      expect(frameHeaderSize(5, true)).toBe(6);
      expect(frameHeaderSize(70_000, true)).toBe(14);
    });

    it('writes at an offset', () => {
      const target = Buffer.alloc(4, 0xee);
      expect(writeFrameHeader(target, 2, Opcode.PING, 0)).toBe(2);
      expect(toHex(target)).toBe('ee ee 89 00');
    });
  });

  describe('encodeFrame', () => {
    it('encodes an unmasked "Hello" text frame (RFC 6455 section 5.7)', () => {
      expect(toHex(encodeFrame(Opcode.TEXT, Buffer.from('Hello')))).toBe('81 05 48 65 6c 6c 6f');
    });

    it('encodes a masked "Hello" text frame (RFC 6455 section 5.7)', () => {
      expect(toHex(encodeFrame(Opcode.TEXT, Buffer.from('Hello'), { maskingKey: 0x37fa213d }))).toBe(
        '81 85 37 fa 21 3d 7f 9f 4d 51 58',
      );
    });

    it('encodes the fragments of the RFC example', () => {
      expect(toHex(encodeFrame(Opcode.TEXT, Buffer.from('Hel'), { fin: false }))).toBe('01 03 48 65 6c');
      expect(toHex(encodeFrame(Opcode.CONTINUATION, Buffer.from('lo')))).toBe('80 02 6c 6f');
    });

    it('does not modify the payload it masks', () => {
      const payload = Buffer.from('Hello');
      encodeFrame(Opcode.TEXT, payload, { maskingKey: 0x37fa213d });
      expect(payload.toString()).toBe('Hello');
    });

    it('encodes 256 bytes with a 16-bit length (RFC 6455 section 5.7)', () => {
      const frame = encodeFrame(Opcode.BINARY, Buffer.alloc(256, 7));
      expect(toHex(frame.subarray(0, 4))).toBe('82 7e 01 00');
      expect(frame.length).toBe(260);
    });

    it('encodes 64 KiB with a 64-bit length (RFC 6455 section 5.7)', () => {
      const frame = encodeFrame(Opcode.BINARY, Buffer.alloc(65_536, 7));
      expect(toHex(frame.subarray(0, 10))).toBe('82 7f 00 00 00 00 00 01 00 00');
      expect(frame.length).toBe(65_546);
      expect(frame[65_545]).toBe(7);
    });
  });

  describe('encodeTextFrame', () => {
    it('encodes a string as UTF-8 behind its header', () => {
      expect(toHex(encodeTextFrame('Hello'))).toBe('81 05 48 65 6c 6c 6f');
      expect(toHex(encodeTextFrame('€'))).toBe('81 03 e2 82 ac');
      expect(toHex(encodeTextFrame(''))).toBe('81 00');
    });

    it('uses the byte length, not the string length, to pick the length encoding', () => {
      const frame = encodeTextFrame('é'.repeat(63)); // 126 bytes
      expect(toHex(frame.subarray(0, 4))).toBe('81 7e 00 7e');
      expect(frame.subarray(4).toString()).toBe('é'.repeat(63));
    });
  });

  describe('encodeClosePayload', () => {
    it('is empty without a code', () => {
      expect(encodeClosePayload().length).toBe(0);
    });

    it('puts the code in network byte order before the reason', () => {
      expect(toHex(encodeClosePayload(1000, 'ok'))).toBe('03 e8 6f 6b');
      expect(toHex(encodeClosePayload(4999, Buffer.from('x')))).toBe('13 87 78');
    });

    it('refuses a reason that would not fit a control frame', () => {
      expect(() => encodeClosePayload(1000, 'x'.repeat(124))).toThrow(RangeError);
      expect(encodeClosePayload(1000, 'x'.repeat(123)).length).toBe(125);
    });
  });

  describe('prepareFrame', () => {
    it('frames a string as text', () => {
      const frame = prepareFrame('Hello');
      expect(frame.opcode).toBe(Opcode.TEXT);
      expect(toHex(frame.bytes)).toBe('81 05 48 65 6c 6c 6f');
    });

    it('frames a string as binary when asked', () => {
      expect(toHex(prepareFrame('Hi', true).bytes)).toBe('82 02 48 69');
    });

    it('frames a Buffer as binary unless binary is false', () => {
      expect(toHex(prepareFrame(hex('01 02')).bytes)).toBe('82 02 01 02');
      const text = prepareFrame(Buffer.from('Hi'), false);
      expect(text.opcode).toBe(Opcode.TEXT);
      expect(toHex(text.bytes)).toBe('81 02 48 69');
    });

    it('knows where the payload starts, for the compressed variant built from it', () => {
      for (const length of [0, 125, 126, 65_535, 65_536]) {
        for (const data of ['é'.repeat(length >> 1) + 'a'.repeat(length & 1), Buffer.alloc(length, 7)]) {
          const frame = prepareFrame(data) as SharedFrame;
          expect(frame).toBeInstanceOf(SharedFrame);
          expect(frame.payloadLength).toBe(length);
          expect(frame.payload.equals(Buffer.from(data))).toBe(true);
        }
      }
    });

    it('writes a compressed frame with RSV1 set, small or large', () => {
      const recorded: Buffer[] = [];
      const destination: FrameDestination = {
        write: (chunk) => recorded.push(Buffer.from(chunk)) > 0,
        cork: () => undefined,
        uncork: () => undefined,
      };
      writeFrame(destination, Opcode.TEXT, hex('f2 48 cd c9 c9 07 00'), undefined, true);
      expect(toHex(recorded[0])).toBe('c1 07 f2 48 cd c9 c9 07 00');
      writeFrame(destination, Opcode.BINARY, Buffer.alloc(70_000), undefined, true);
      expect(toHex(recorded[1])).toBe('c2 7f 00 00 00 00 00 01 11 70');
    });
  });

  describe('writeFrame', () => {
    class Recorder implements FrameDestination {
      readonly calls: string[] = [];
      readonly written: Buffer[] = [];
      write(chunk: Uint8Array, callback?: (err?: Error | null) => void): boolean {
        this.calls.push('write');
        this.written.push(Buffer.from(chunk));
        callback?.(null);
        return true;
      }
      cork(): void {
        this.calls.push('cork');
      }
      uncork(): void {
        this.calls.push('uncork');
      }
    }

    it('writes a small frame as one buffer', () => {
      const destination = new Recorder();
      const done = jestFn();
      writeFrame(destination, Opcode.TEXT, Buffer.from('Hello'), done.fn);
      expect(destination.calls).toEqual(['write']);
      expect(toHex(destination.written[0])).toBe('81 05 48 65 6c 6c 6f');
      expect(done.calls).toBe(1);
    });

    it('writes a large frame as header and payload under one cork, without copying the payload', () => {
      const destination = new Recorder();
      const payload = Buffer.alloc(100_000, 3);
      writeFrame(destination, Opcode.BINARY, payload);
      expect(destination.calls).toEqual(['cork', 'write', 'write', 'uncork']);
      expect(toHex(destination.written[0])).toBe('82 7f 00 00 00 00 00 01 86 a0');
      expect(destination.written[1].equals(payload)).toBe(true);
    });

    it('puts header and payload of a large frame on the wire back to back', async () => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1');
      await onceWithin(server, 'listening');
      const { port } = server.address() as net.AddressInfo;
      const client = net.connect(port, '127.0.0.1');
      const [peer] = (await onceWithin(server, 'connection')) as [net.Socket];
      const received: Buffer[] = [];
      peer.on('data', (chunk: Buffer) => received.push(chunk));
      const payload = Buffer.alloc(200_000);
      for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
      const written = new Promise<void>((resolve, reject) =>
        writeFrame(client, Opcode.BINARY, payload, (err) => (err ? reject(err) : resolve())),
      );
      await within(written, 'the write callback');
      client.end();
      await onceWithin(peer, 'end');
      const bytes = Buffer.concat(received);
      expect(toHex(bytes.subarray(0, 10))).toBe('82 7f 00 00 00 00 00 03 0d 40');
      expect(bytes.subarray(10).equals(payload)).toBe(true);
      peer.destroy();
      server.close();
      await onceWithin(server, 'close');
    });
  });
});

function jestFn(): { fn: () => void; calls: number } {
  const recorder = {
    calls: 0,
    fn: () => {
      recorder.calls++;
    },
  };
  return recorder;
}
