import fc from 'fast-check';
import { Opcode } from './constants.js';
import type { WebSocketError } from './errors.js';
import { FrameParser, type FrameParserOptions, type FrameSink } from './frame-parser.js';
import { encodeFrame } from './frame-writer.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

type ParserEvent =
  | { type: 'message'; data: Buffer; isBinary: boolean }
  | { type: 'ping' | 'pong'; payload: Buffer }
  | { type: 'close'; code: number; reason: Buffer }
  | { type: 'error'; code: string; closeCode: number };

class Recorder {
  readonly events: ParserEvent[] = [];
}

const recordingSink: FrameSink<Recorder> = {
  onMessage: (r, data, isBinary) => r.events.push({ type: 'message', data: Buffer.from(data), isBinary }),
  onPing: (r, payload) => r.events.push({ type: 'ping', payload: Buffer.from(payload) }),
  onPong: (r, payload) => r.events.push({ type: 'pong', payload: Buffer.from(payload) }),
  onClose: (r, code, reason) => r.events.push({ type: 'close', code, reason: Buffer.from(reason) }),
  onProtocolError: (r, error: WebSocketError) =>
    r.events.push({ type: 'error', code: error.code, closeCode: error.closeCode }),
};

const nullSink = (overrides: Partial<FrameSink<null>>): FrameSink<null> => ({
  onMessage: () => {},
  onPing: () => {},
  onPong: () => {},
  onClose: () => {},
  onProtocolError: () => {},
  ...overrides,
});

function parser(options: FrameParserOptions = {}): { parser: FrameParser<Recorder>; events: ParserEvent[] } {
  const recorder = new Recorder();
  return { parser: new FrameParser(recordingSink, recorder, options), events: recorder.events };
}

/** Splits `bytes` into chunks at the given sizes (cycled), always a fresh copy. */
function chunked(bytes: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length]);
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

/** A small deterministic PRNG so the "random chunkings" are reproducible. */
function randomSizes(seed: number, count: number, max: number): number[] {
  let state = seed >>> 0 || 1;
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    sizes.push(1 + ((state >>> 0) % max));
  }
  return sizes;
}

function feed(input: Buffer, sizes: number[] | 'whole', options?: FrameParserOptions): ParserEvent[] {
  const p = parser(options);
  const chunks = sizes === 'whole' ? [Buffer.from(input)] : chunked(input, sizes);
  for (const chunk of chunks) p.parser.push(chunk);
  return p.events;
}

/** Feeds the input whole, one byte at a time and in several random chunkings; all must agree. */
function parse(input: string | Buffer, options?: FrameParserOptions): ParserEvent[] {
  const bytes = typeof input === 'string' ? hex(input) : input;
  const whole = feed(bytes, 'whole', options);
  expect(feed(bytes, [1], options)).toEqual(whole);
  for (const seed of [1, 7, 42, 1234]) {
    expect(feed(bytes, randomSizes(seed, 64, 9), options)).toEqual(whole);
  }
  return whole;
}

const message = (text: string, isBinary = false): ParserEvent => ({
  type: 'message',
  data: Buffer.from(text),
  isBinary,
});
const asHex = (event: ParserEvent): unknown =>
  event.type === 'message'
    ? { ...event, data: event.data.toString('hex') }
    : event.type === 'ping' || event.type === 'pong'
      ? { ...event, payload: event.payload.toString('hex') }
      : event;
const failure = (code: string, closeCode: number): ParserEvent => ({ type: 'error', code, closeCode });

/** A masked client frame with an all-zero key, so the payload reads as plain hex. */
const ZERO_KEY = '00 00 00 00';

describe('FrameParser', () => {
  describe('holdsOneFrame (a read of one message in flight)', () => {
    it('is true for exactly one whole frame with nothing buffered, 7- and 16-bit lengths', () => {
      const { parser: p } = parser();
      expect(p.holdsOneFrame(hex(`81 85 ${ZERO_KEY} 48 65 6c 6c 6f`))).toBe(true);
      expect(p.holdsOneFrame(Buffer.concat([hex(`82 fe 01 00 ${ZERO_KEY}`), Buffer.alloc(256)]))).toBe(true);
      expect(p.holdsOneFrame(hex(`89 80 ${ZERO_KEY}`))).toBe(true);
    });

    it('is false for part of a frame, more than one, 64-bit lengths, or after a partial read', () => {
      const { parser: p } = parser();
      const hello = hex(`81 85 ${ZERO_KEY} 48 65 6c 6c 6f`);
      expect(p.holdsOneFrame(hello.subarray(0, 8))).toBe(false);
      expect(p.holdsOneFrame(Buffer.concat([hello, hello]))).toBe(false);
      expect(p.holdsOneFrame(hex('81'))).toBe(false);
      expect(p.holdsOneFrame(hex(`82 fe 01`))).toBe(false);
      expect(p.holdsOneFrame(Buffer.concat([hex(`82 ff 00 00 00 00 00 00 00 01 ${ZERO_KEY}`), hex('00')]))).toBe(false);
      p.push(Buffer.from(hello.subarray(0, 3)));
      expect(p.holdsOneFrame(hello)).toBe(false);
    });
  });

  describe('data frames', () => {
    it('delivers a masked text message (RFC 6455 section 5.7 example)', () => {
      expect(parse('81 85 37 fa 21 3d 7f 9f 4d 51 58')).toEqual([message('Hello')]);
    });

    it('delivers an unmasked text message when configured as a client', () => {
      expect(parse('81 05 48 65 6c 6c 6f', { expectMasked: false })).toEqual([message('Hello')]);
    });

    it('delivers a binary message', () => {
      expect(parse(`82 83 ${ZERO_KEY} 00 ff 7f`)).toEqual([{ type: 'message', data: hex('00 ff 7f'), isBinary: true }]);
    });

    it('delivers empty text and binary messages', () => {
      expect(parse(`81 80 ${ZERO_KEY} 82 80 ${ZERO_KEY}`)).toEqual([message(''), message('', true)]);
    });

    it('delivers several messages from one chunk in order', () => {
      expect(parse(`81 81 ${ZERO_KEY} 61 81 81 ${ZERO_KEY} 62 81 81 ${ZERO_KEY} 63`)).toEqual([
        message('a'),
        message('b'),
        message('c'),
      ]);
    });

    it('reassembles a fragmented message (RFC 6455 section 5.7 example)', () => {
      expect(parse('01 03 48 65 6c 80 02 6c 6f', { expectMasked: false })).toEqual([message('Hello')]);
    });

    it('reassembles a message from a text frame, continuations and empty fragments', () => {
      expect(parse(`01 82 ${ZERO_KEY} 48 65 00 80 ${ZERO_KEY} 00 81 ${ZERO_KEY} 6c 80 82 ${ZERO_KEY} 6c 6f`)).toEqual([
        message('Hello'),
      ]);
    });

    it('lets control frames interleave with the fragments of a message', () => {
      expect(
        parse(`01 83 ${ZERO_KEY} 48 65 6c 89 82 ${ZERO_KEY} 70 31 8a 80 ${ZERO_KEY} 80 82 ${ZERO_KEY} 6c 6f`),
      ).toEqual([
        { type: 'ping', payload: Buffer.from('p1') },
        { type: 'pong', payload: Buffer.alloc(0) },
        message('Hello'),
      ]);
    });

    it('accepts a UTF-8 character split across fragments', () => {
      // U+20AC is e2 82 ac: two bytes in the first fragment, one in the second.
      expect(parse(`01 82 ${ZERO_KEY} e2 82 80 81 ${ZERO_KEY} ac`)).toEqual([message('€')]);
    });

    it('delivers a message that arrived in one chunk as a view of that chunk (zero-copy)', () => {
      const received: Buffer[] = [];
      const chunk = hex(`82 83 ${ZERO_KEY} 01 02 03`);
      const p = new FrameParser(nullSink({ onMessage: (_o, data) => received.push(data) }), null);
      p.push(chunk);
      expect(received).toHaveLength(1);
      expect(received[0].buffer).toBe(chunk.buffer);
      expect(received[0].byteOffset).toBe(chunk.byteOffset + 6);
    });
  });

  describe('payload lengths', () => {
    const key = '12 34 56 78';
    function frameWithLength(length: number): { bytes: Buffer; payload: Buffer } {
      const payload = Buffer.alloc(length);
      for (let i = 0; i < length; i++) payload[i] = (i * 31) & 0xff;
      return { bytes: encodeFrame(Opcode.BINARY, payload, { maskingKey: 0x12345678 }), payload };
    }

    it.each([
      [0, `82 80 ${key}`],
      [125, `82 fd ${key}`],
      [126, `82 fe 00 7e ${key}`],
      [65_535, `82 fe ff ff ${key}`],
      [65_536, `82 ff 00 00 00 00 00 01 00 00 ${key}`],
    ])('reads a payload of %i bytes (header %s)', (length, header) => {
      const { bytes, payload } = frameWithLength(length);
      expect(bytes.subarray(0, hex(header).length)).toEqual(hex(header));
      const expected = [{ type: 'message', data: payload, isBinary: true }];
      expect(feed(bytes, 'whole')).toEqual(expected);
      expect(feed(bytes, randomSizes(length + 1, 256, 1500))).toEqual(expected);
      if (length <= 126) expect(feed(bytes, [1])).toEqual(expected);
    });

    it('reads 65,536 bytes fed one byte at a time', () => {
      const { bytes, payload } = frameWithLength(65_536);
      expect(feed(bytes, [1])).toEqual([{ type: 'message', data: payload, isBinary: true }]);
    });

    it('accepts a non-minimal 16-bit length (the minimal-length rule binds the sender)', () => {
      expect(parse(`81 fe 00 02 ${ZERO_KEY} 68 69`)).toEqual([message('hi')]);
    });

    it('accepts a non-minimal 64-bit length', () => {
      expect(parse(`81 ff 00 00 00 00 00 00 00 02 ${ZERO_KEY} 68 69`)).toEqual([message('hi')]);
    });

    it('fails the connection with 1002 when the top bit of a 64-bit length is set', () => {
      expect(parse(`82 ff 80 00 00 00 00 00 00 01 ${ZERO_KEY}`)).toEqual([
        failure('WS_ERR_INVALID_PAYLOAD_LENGTH', 1002),
      ]);
    });

    it('fails the connection with 1009 when a 64-bit length exceeds 2^53 - 1', () => {
      expect(parse(`82 ff 00 20 00 00 00 00 00 00 ${ZERO_KEY}`)).toEqual([
        failure('WS_ERR_UNSUPPORTED_PAYLOAD_LENGTH', 1009),
      ]);
    });
  });

  describe('maxPayload', () => {
    it('fails with 1009 from the header alone, before buffering the payload', () => {
      // Only the header of a 1 MiB frame: the parser must not wait for the payload.
      const events = feed(hex(`82 ff 00 00 00 00 00 10 00 00`), 'whole', { maxPayload: 1024 });
      expect(events).toEqual([failure('WS_ERR_MESSAGE_TOO_BIG', 1009)]);
    });

    it('accepts a message of exactly maxPayload bytes', () => {
      expect(parse(`81 85 ${ZERO_KEY} 48 65 6c 6c 6f`, { maxPayload: 5 })).toEqual([message('Hello')]);
    });

    it('counts the running total of fragments against the limit', () => {
      expect(parse(`01 83 ${ZERO_KEY} 48 65 6c 80 83 ${ZERO_KEY} 6c 6f 21`, { maxPayload: 5 })).toEqual([
        failure('WS_ERR_MESSAGE_TOO_BIG', 1009),
      ]);
    });

    it('does not count control frames against the limit', () => {
      expect(parse(`89 86 ${ZERO_KEY} 70 69 6e 67 70 69 81 81 ${ZERO_KEY} 61`, { maxPayload: 1 })).toEqual([
        { type: 'ping', payload: Buffer.from('pingpi') },
        message('a'),
      ]);
    });

    it('starts counting from zero for the next message', () => {
      expect(parse(`81 83 ${ZERO_KEY} 61 62 63 81 83 ${ZERO_KEY} 64 65 66`, { maxPayload: 3 })).toEqual([
        message('abc'),
        message('def'),
      ]);
    });
  });

  describe('fragmented messages', () => {
    /** `text` as a masked text message in fragments of `size` bytes, each with its own key. */
    const fragmentsOf = (text: string | Buffer, size: number): Buffer => {
      const data = Buffer.from(text);
      const frames: Buffer[] = [];
      for (let at = 0; at < data.length; at += size) {
        const opcode = at === 0 ? Opcode.TEXT : Opcode.CONTINUATION;
        const fin = at + size >= data.length;
        frames.push(encodeFrame(opcode, data.subarray(at, at + size), { fin, maskingKey: 0x9e3779b9 + at }));
      }
      return Buffer.concat(frames);
    };

    it('assembles one-byte fragments with their own keys into one message, under every chunking', () => {
      expect(parse(fragmentsOf('abcdefghijklmnop', 1), { maxPayload: 1024 })).toEqual([message('abcdefghijklmnop')]);
      const text = 'h\u00e9llo \u{1f600} w\u00f6rld '.repeat(40);
      expect(parse(fragmentsOf(text, 7), { maxPayload: 1 << 20 })).toEqual([message(text)]);
    });

    it('allows one fragment per 64 bytes of maxPayload, and at least 16', () => {
      // 1024 bytes of maxPayload: 16 fragments; 4096: 64.
      expect(parse(fragmentsOf('x'.repeat(17), 1), { maxPayload: 1024 })).toEqual([
        failure('WS_ERR_MESSAGE_TOO_BIG', 1009),
      ]);
      expect(parse(fragmentsOf('x'.repeat(64), 1), { maxPayload: 4096 })).toEqual([message('x'.repeat(64))]);
      expect(parse(fragmentsOf('x'.repeat(65), 1), { maxPayload: 4096 })).toEqual([
        failure('WS_ERR_MESSAGE_TOO_BIG', 1009),
      ]);
      expect(parse(fragmentsOf('x'.repeat(16), 1), { maxPayload: 20 })).toEqual([message('x'.repeat(16))]);
    });

    it('takes a message of exactly maxPayload bytes in 64-byte fragments', () => {
      const data = Buffer.alloc(1 << 20, 0x61);
      const events = feed(fragmentsOf(data, 64), [65_536], { maxPayload: 1 << 20 });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ type: 'message', isBinary: false });
      expect((events[0] as { data: Buffer }).data.equals(data)).toBe(true);
    });

    it('copies the fragments into one buffer of at most maxPayload bytes', () => {
      let delivered: Buffer | undefined;
      const p = new FrameParser(nullSink({ onMessage: (_, data) => (delivered = data) }), null, {
        maxPayload: 300_000,
      });
      const data = Buffer.alloc(300_000, 0x62);
      p.push(fragmentsOf(data, 5_000));
      expect(delivered?.equals(data)).toBe(true);
      // Doubling from 5 KB would reach 320 KB; the limit caps it.
      expect(delivered!.buffer.byteLength).toBeLessThanOrEqual(300_000);
    });

    it('fails a text at the first invalid byte of a later fragment, before its last one arrives', () => {
      const start = Buffer.concat([
        encodeFrame(Opcode.TEXT, Buffer.from('ab'), { fin: false, maskingKey: 0x01020304 }),
        encodeFrame(Opcode.CONTINUATION, Buffer.from([0x63, 0xff]), { fin: false, maskingKey: 0x05060708 }),
      ]);
      expect(parse(start)).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });
  });

  describe('lowerMaxPayload', () => {
    it('holds the next frames to the lower limit, the fragments of an open message included', () => {
      const { parser: p, events } = parser({ maxPayload: 100 });
      p.push(hex(`01 83 ${ZERO_KEY} 61 62 63`));
      p.lowerMaxPayload(5);
      expect(p.messageLimit).toBe(5);
      p.push(hex(`80 83 ${ZERO_KEY} 64 65 66`));
      expect(events).toEqual([failure('WS_ERR_MESSAGE_TOO_BIG', 1009)]);
    });

    it('never raises the limit, and lowers "no limit" to any', () => {
      const limited = parser({ maxPayload: 10 }).parser;
      limited.lowerMaxPayload(1000);
      expect(limited.messageLimit).toBe(10);
      const unlimited = parser({ maxPayload: 0 }).parser;
      unlimited.lowerMaxPayload(1000);
      expect(unlimited.messageLimit).toBe(1000);
    });

    it('refuses a limit that is not a positive integer', () => {
      for (const limit of [0, -1, 2.5, Number.NaN])
        expect(() => parser().parser.lowerMaxPayload(limit)).toThrow(RangeError);
    });
  });

  describe('protocol violations', () => {
    it('fails the connection when a client frame is not masked', () => {
      expect(parse('81 05 48 65 6c 6c 6f')).toEqual([failure('WS_ERR_EXPECTED_MASK', 1002)]);
    });

    it('fails the connection when a server frame is masked (client mode)', () => {
      expect(parse(`81 85 ${ZERO_KEY} 48 65 6c 6c 6f`, { expectMasked: false })).toEqual([
        failure('WS_ERR_UNEXPECTED_MASK', 1002),
      ]);
    });

    it.each([
      ['RSV1', 'c1'],
      ['RSV2', 'a1'],
      ['RSV3', '91'],
      ['all reserved bits', 'f1'],
    ])('fails the connection when %s is set without a negotiated extension', (_name, b0) => {
      expect(parse(`${b0} 81 ${ZERO_KEY} 61`)).toEqual([failure('WS_ERR_UNEXPECTED_RSV', 1002)]);
    });

    it('accepts RSV1 on the first frame of a message only when an extension allows it', () => {
      const p = parser({ allowRsv1: true });
      const compressed: boolean[] = [];
      const sink = nullSink({ onMessage: (_o, _d, _b, c) => compressed.push(c) });
      const withSink = new FrameParser(sink, null, { allowRsv1: true });
      withSink.push(hex(`c1 81 ${ZERO_KEY} 61 81 81 ${ZERO_KEY} 62`));
      expect(compressed).toEqual([true, false]);
      p.parser.push(hex(`41 81 ${ZERO_KEY} 61 c0 81 ${ZERO_KEY} 62`));
      expect(p.events).toEqual([failure('WS_ERR_UNEXPECTED_RSV', 1002)]);
    });

    it('rejects RSV1 on a control frame even when an extension allows it', () => {
      expect(parse(`c9 80 ${ZERO_KEY}`, { allowRsv1: true })).toEqual([failure('WS_ERR_UNEXPECTED_RSV', 1002)]);
    });

    it('leaves a compressed message for the inflater: no UTF-8 check, a wire limit a little above maxPayload', () => {
      const compressed: Buffer[] = [];
      const errors: string[] = [];
      const sink = nullSink({
        onMessage: (_o, data) => compressed.push(Buffer.from(data)),
        onProtocolError: (_o, error) => errors.push(error.code),
      });
      // Not UTF-8 once unmasked, and fine: these are deflate bytes.
      new FrameParser(sink, null, { allowRsv1: true }).push(hex(`c1 82 ${ZERO_KEY} c0 af`));
      expect(compressed).toEqual([hex('c0 af')]);
      // maxPayload 1024 allows 1024 + 1 + 64 compressed bytes (deflate's overhead on data it
      // cannot shrink); an uncompressed message gets no such room.
      const frameOf = (b0: number, length: number) =>
        Buffer.concat([
          hex(`${b0.toString(16)} fe ${length.toString(16).padStart(4, '0')} ${ZERO_KEY}`),
          Buffer.alloc(length),
        ]);
      const limited = () => new FrameParser(sink, null, { allowRsv1: true, maxPayload: 1024 });
      limited().push(frameOf(0xc2, 1089));
      expect(compressed).toHaveLength(2);
      expect(errors).toEqual([]);
      limited().push(frameOf(0xc2, 1090));
      limited().push(frameOf(0x82, 1025));
      expect(errors).toEqual(['WS_ERR_MESSAGE_TOO_BIG', 'WS_ERR_MESSAGE_TOO_BIG']);
    });

    it.each(['3', '4', '5', '6', '7', 'b', 'c', 'd', 'e', 'f'])(
      'fails the connection on reserved opcode 0x%s',
      (opcode) => {
        expect(parse(`8${opcode} 80 ${ZERO_KEY}`)).toEqual([failure('WS_ERR_INVALID_OPCODE', 1002)]);
      },
    );

    it.each([
      ['ping', '09'],
      ['pong', '0a'],
      ['close', '08'],
    ])('fails the connection when a control frame (%s) is fragmented', (_name, b0) => {
      expect(parse(`${b0} 80 ${ZERO_KEY}`)).toEqual([failure('WS_ERR_EXPECTED_FIN', 1002)]);
    });

    it('fails the connection when a control frame announces 126 bytes', () => {
      expect(parse(`89 fe 00 7e ${ZERO_KEY}`)).toEqual([failure('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002)]);
    });

    it('fails the connection when a control frame announces a 64-bit length', () => {
      expect(parse(`8a ff 00 00 00 00 00 00 00 01 ${ZERO_KEY}`)).toEqual([
        failure('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 1002),
      ]);
    });

    it('accepts a control frame of exactly 125 bytes', () => {
      const payload = Buffer.alloc(125, 0x61);
      expect(parse(Buffer.concat([hex(`89 fd ${ZERO_KEY}`), payload]))).toEqual([{ type: 'ping', payload }]);
    });

    it('fails the connection on a continuation frame without a message to continue', () => {
      expect(parse(`80 81 ${ZERO_KEY} 61`)).toEqual([failure('WS_ERR_UNEXPECTED_CONTINUATION', 1002)]);
    });

    it('fails the connection on a continuation frame after a complete message', () => {
      expect(parse(`81 81 ${ZERO_KEY} 61 80 81 ${ZERO_KEY} 62`)).toEqual([
        message('a'),
        failure('WS_ERR_UNEXPECTED_CONTINUATION', 1002),
      ]);
    });

    it('fails the connection on a new data frame while a fragmented message is open', () => {
      expect(parse(`01 81 ${ZERO_KEY} 61 82 81 ${ZERO_KEY} 62`)).toEqual([
        failure('WS_ERR_EXPECTED_CONTINUATION', 1002),
      ]);
    });

    it('ignores everything after a protocol error', () => {
      const p = parser();
      p.parser.push(hex(`83 80 ${ZERO_KEY}`));
      p.parser.push(hex(`81 81 ${ZERO_KEY} 61`));
      expect(p.events).toEqual([failure('WS_ERR_INVALID_OPCODE', 1002)]);
      expect(p.parser.stopped).toBe(true);
    });
  });

  describe('UTF-8 in text messages', () => {
    it.each([
      ['an overlong encoding', 'c0 af'],
      ['a surrogate', 'ed a0 80'],
      ['a code point above U+10FFFF', 'f4 90 80 80'],
      ['a lone continuation byte', '80'],
    ])('fails the connection with 1007 on %s', (_name, bytes) => {
      const payload = hex(bytes);
      const frame = Buffer.concat([hex(`81 ${(0x80 | payload.length).toString(16)} ${ZERO_KEY}`), payload]);
      expect(parse(frame)).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });

    it('fails the connection with 1007 on a message that ends mid-character', () => {
      expect(parse(`81 82 ${ZERO_KEY} e2 82`)).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });

    it('fails on a message whose last fragment ends mid-character', () => {
      expect(parse(`01 81 ${ZERO_KEY} 61 80 81 ${ZERO_KEY} e2`)).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });

    it('fails at the first invalid byte in the middle of a fragment, before the message ends', () => {
      const p = parser();
      // A non-final fragment announcing 10 bytes; only 3 arrive, the third one invalid.
      p.parser.push(hex(`01 8a ${ZERO_KEY} 61 62 ff`));
      expect(p.events).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });

    it('does not validate binary messages as UTF-8', () => {
      expect(parse(`82 82 ${ZERO_KEY} ff fe`)).toEqual([{ type: 'message', data: hex('ff fe'), isBinary: true }]);
    });
  });

  describe('control frames', () => {
    it('delivers a ping with its payload (RFC 6455 section 5.7 example)', () => {
      expect(parse('89 05 48 65 6c 6c 6f', { expectMasked: false })).toEqual([
        { type: 'ping', payload: Buffer.from('Hello') },
      ]);
    });

    it('delivers a masked pong (RFC 6455 section 5.7 example)', () => {
      expect(parse('8a 85 37 fa 21 3d 7f 9f 4d 51 58')).toEqual([{ type: 'pong', payload: Buffer.from('Hello') }]);
    });

    it('reports 1005 for a close frame without payload', () => {
      expect(parse(`88 80 ${ZERO_KEY}`)).toEqual([{ type: 'close', code: 1005, reason: Buffer.alloc(0) }]);
    });

    it('delivers the close code and reason', () => {
      expect(parse(`88 84 ${ZERO_KEY} 03 e8 6f 6b`)).toEqual([
        { type: 'close', code: 1000, reason: Buffer.from('ok') },
      ]);
    });

    it('fails the connection with 1002 on a close payload of 1 byte', () => {
      expect(parse(`88 81 ${ZERO_KEY} 03`)).toEqual([failure('WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH', 1002)]);
    });

    const closeFrame = (code: number): string => `88 82 ${ZERO_KEY} ${code.toString(16).padStart(4, '0')}`;

    it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])(
      'accepts close code %i',
      (code) => {
        expect(parse(closeFrame(code))).toEqual([{ type: 'close', code, reason: Buffer.alloc(0) }]);
      },
    );

    it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])(
      'fails the connection with 1002 on close code %i',
      (code) => {
        expect(parse(closeFrame(code))).toEqual([failure('WS_ERR_INVALID_CLOSE_CODE', 1002)]);
      },
    );

    it('fails the connection with 1007 on a close reason that is not UTF-8', () => {
      expect(parse(`88 84 ${ZERO_KEY} 03 e8 c0 80`)).toEqual([failure('WS_ERR_INVALID_UTF8', 1007)]);
    });

    it('stops parsing after a close frame', () => {
      const p = parser();
      p.parser.push(hex(`88 82 ${ZERO_KEY} 03 e8 81 81 ${ZERO_KEY} 61`));
      p.parser.push(hex(`81 81 ${ZERO_KEY} 62`));
      expect(p.events).toEqual([{ type: 'close', code: 1000, reason: Buffer.alloc(0) }]);
      expect(p.parser.stopped).toBe(true);
    });

    it('unmasks a control frame whose payload spans chunks', () => {
      const frame = encodeFrame(Opcode.PING, Buffer.from('spanning'), { maskingKey: 0xdeadbeef });
      expect(feed(frame, [3, 4, 2, 1, 5])).toEqual([{ type: 'ping', payload: Buffer.from('spanning') }]);
    });
  });

  describe('flow control', () => {
    it('holds delivery while paused and resumes in order', () => {
      const p = parser();
      p.parser.pause();
      p.parser.push(hex(`81 81 ${ZERO_KEY} 61 81 81 ${ZERO_KEY} 62`));
      expect(p.events).toEqual([]);
      p.parser.resume();
      expect(p.events).toEqual([message('a'), message('b')]);
    });

    it('can be paused from inside a delivery and resumed later', () => {
      const events: string[] = [];
      let target: FrameParser<null> | undefined;
      const sink = nullSink({
        onMessage: (_o, data) => {
          events.push(data.toString());
          target!.pause();
        },
      });
      target = new FrameParser(sink, null);
      target.push(hex(`81 81 ${ZERO_KEY} 61 81 81 ${ZERO_KEY} 62`));
      expect(events).toEqual(['a']);
      target.resume();
      expect(events).toEqual(['a', 'b']);
    });

    it('ignores input after stop()', () => {
      const p = parser();
      p.parser.stop();
      p.parser.push(hex(`81 81 ${ZERO_KEY} 61`));
      expect(p.events).toEqual([]);
    });
  });

  describe('properties', () => {
    type Part =
      | { kind: 'message'; binary: boolean; payload: Uint8Array; text: string; cuts: number[] }
      | { kind: 'ping'; payload: Uint8Array };

    const messagePart = fc.record({
      kind: fc.constant('message' as const),
      binary: fc.boolean(),
      payload: fc.oneof(
        { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 9 },
        { arbitrary: fc.uint8Array({ minLength: 65_000, maxLength: 66_000 }), weight: 1 },
      ),
      text: fc.string({ unit: 'binary', maxLength: 80 }),
      cuts: fc.array(fc.nat(), { maxLength: 4 }),
    });
    const pingPart = fc.record({ kind: fc.constant('ping' as const), payload: fc.uint8Array({ maxLength: 125 }) });
    const key = fc.integer({ min: 0, max: 0xffffffff });

    it('parses whatever the writer wrote, under any chunking', () => {
      fc.assert(
        fc.property(
          fc.array(fc.oneof({ arbitrary: messagePart, weight: 4 }, { arbitrary: pingPart, weight: 1 }), {
            minLength: 1,
            maxLength: 6,
          }),
          fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 20 }),
          fc.array(key, { minLength: 1, maxLength: 8 }),
          (parts: Part[], sizes, keys) => {
            let keyIndex = 0;
            const nextKey = (): number => keys[keyIndex++ % keys.length];
            const frames: Buffer[] = [];
            const expected: ParserEvent[] = [];
            for (const part of parts) {
              if (part.kind === 'ping') {
                frames.push(encodeFrame(Opcode.PING, part.payload, { maskingKey: nextKey() }));
                expected.push({ type: 'ping', payload: Buffer.from(part.payload) });
                continue;
              }
              const data = part.binary ? Buffer.from(part.payload) : Buffer.from(part.text);
              const points = [...new Set(part.cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
              const bounds = [0, ...points, data.length];
              for (let i = 0; i + 1 < bounds.length; i++) {
                const opcode = i === 0 ? (part.binary ? Opcode.BINARY : Opcode.TEXT) : Opcode.CONTINUATION;
                const fin = i + 2 === bounds.length;
                frames.push(
                  encodeFrame(opcode, data.subarray(bounds[i], bounds[i + 1]), { fin, maskingKey: nextKey() }),
                );
              }
              expected.push({ type: 'message', data, isBinary: part.binary });
            }
            const stream = Buffer.concat(frames);
            // Hex strings: Jest's deep equality on 64 KiB buffers is slow.
            expect(feed(stream, sizes, { maxPayload: 1 << 20 }).map(asHex)).toEqual(expected.map(asHex));
          },
        ),
        { numRuns: 150 },
      );
    });

    it('never throws on random bytes: every outcome is a message, a control frame or a protocol error', () => {
      const header = fc.constantFrom(0x01, 0x02, 0x00, 0x80, 0x81, 0x82, 0x88, 0x89, 0x8a, 0x83, 0xc1);
      const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), header);
      fc.assert(
        fc.property(
          fc.array(byte, { maxLength: 400 }),
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
          fc.boolean(),
          (values, sizes, expectMasked) => {
            const events = feed(Buffer.from(values), sizes, { maxPayload: 200, expectMasked });
            for (const [i, event] of events.entries()) {
              if (event.type === 'error') {
                expect([1002, 1007, 1009]).toContain(event.closeCode);
                expect(i).toBe(events.length - 1);
              } else if (event.type === 'close') {
                expect(i).toBe(events.length - 1);
                expect(event.code === 1005 || (event.code >= 1000 && event.code <= 4999)).toBe(true);
              } else if (event.type === 'message') {
                expect(event.data.length).toBeLessThanOrEqual(200);
                if (!event.isBinary) expect(Buffer.from(event.data.toString()).equals(event.data)).toBe(true);
              } else {
                expect(event.payload.length).toBeLessThanOrEqual(125);
              }
            }
          },
        ),
        { numRuns: 3000 },
      );
    });
  });
});
