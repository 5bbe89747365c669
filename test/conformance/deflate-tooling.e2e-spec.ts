import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { ClientCompressor, parseDeflateResponse, ServerDecompressor, type NegotiatedDeflate } from './deflate.js';
import type { ServerEvent } from './events.js';
import { frame, Op, Rsv } from './frame.js';
import { ServerFrameReader } from './server-frame-reader.js';

const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const AGREED: NegotiatedDeflate = {
  serverNoContextTakeover: false,
  clientNoContextTakeover: false,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const compress = (data: string, dictionary?: Buffer) =>
  deflateRawSync(Buffer.from(data), { ...SYNC, dictionary }).subarray(0, -4);
const serverFrame = (opcode: number, payload: Buffer, rsv: number = Rsv.RSV1, fin = true) =>
  frame({ opcode, payload, rsv, fin, mask: false });

function read(params: NegotiatedDeflate, ...chunks: Buffer[]): ServerEvent[] {
  const events: ServerEvent[] = [];
  const reader = new ServerFrameReader((e) => events.push(e), new ServerDecompressor(params));
  for (const chunk of chunks) reader.push(chunk);
  return events;
}

describe('conformance tooling: permessage-deflate answers', () => {
  it('reads every parameter of a valid answer', () => {
    expect(
      parseDeflateResponse(
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10',
      ),
    ).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: 10,
    });
    expect(parseDeflateResponse('permessage-deflate')).toEqual({ ...AGREED });
  });

  it.each([
    ['another extension', 'x-webkit-deflate-frame'],
    ['a window without a value', 'permessage-deflate; client_max_window_bits'],
    ['a window out of range', 'permessage-deflate; server_max_window_bits=16'],
    ['a repeated parameter', 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    ['an unknown parameter', 'permessage-deflate; foo'],
  ])('refuses %s', (_name, header) => {
    expect(typeof parseDeflateResponse(header)).toBe('string');
  });
});

describe('conformance tooling: ClientCompressor', () => {
  it('compresses each message on its own without context takeover', () => {
    const compressor = new ClientCompressor({ noContextTakeover: true, windowBits: 15 });
    const first = compressor.compress('hello hello hello');
    expect(compressor.compress('hello hello hello')).toEqual(first);
    expect(inflateRawSync(Buffer.concat([first, TRAILER]), SYNC).toString()).toBe('hello hello hello');
  });

  it('refers back to earlier messages with context takeover, as a real compressor would', () => {
    const compressor = new ClientCompressor({ noContextTakeover: false, windowBits: 15 });
    const text = 'the same long chat line, twice over';
    const first = compressor.compress(text);
    const second = compressor.compress(text);
    expect(second.length).toBeLessThan(first.length);
    expect(
      inflateRawSync(Buffer.concat([second, TRAILER]), { ...SYNC, dictionary: Buffer.from(text) }).toString(),
    ).toBe(text);
  });
});

describe('conformance tooling: ServerFrameReader with permessage-deflate', () => {
  it('inflates compressed messages, keeping the context the server may keep', () => {
    const text = 'a line the server will refer back to';
    expect(
      read(
        AGREED,
        serverFrame(Op.TEXT, compress(text)),
        serverFrame(Op.TEXT, compress(text, Buffer.from(text))),
        serverFrame(Op.TEXT, Buffer.from('plain'), 0),
      ),
    ).toEqual([
      { type: 'message', binary: false, data: Buffer.from(text), compressed: true },
      { type: 'message', binary: false, data: Buffer.from(text), compressed: true },
      { type: 'message', binary: false, data: Buffer.from('plain') },
    ]);
  });

  it('inflates a fragmented compressed message', () => {
    const payload = compress('fragmented');
    expect(
      read(
        AGREED,
        serverFrame(Op.TEXT, payload.subarray(0, 3), Rsv.RSV1, false),
        serverFrame(Op.CONTINUATION, payload.subarray(3), 0),
      ),
    ).toEqual([{ type: 'message', binary: false, data: Buffer.from('fragmented'), compressed: true }]);
  });

  const line = 'a line the server will refer back to';
  it.each([
    [
      'a server that uses its context after agreeing not to',
      { ...AGREED, serverNoContextTakeover: true },
      [serverFrame(Op.TEXT, compress(line)), serverFrame(Op.TEXT, compress(line, Buffer.from(line)))],
      'inflate',
    ],
    [
      'RSV1 on a continuation frame',
      AGREED,
      [serverFrame(Op.TEXT, Buffer.from('a'), 0, false), serverFrame(Op.CONTINUATION, Buffer.from('b'))],
      'opcode 0x0',
    ],
    ['RSV1 on a pong', AGREED, [serverFrame(Op.PONG, Buffer.alloc(0))], 'opcode 0xa'],
  ])('reports %s as a violation', (_name, params, bytes, message) => {
    const events = read(params, ...bytes);
    const last = events[events.length - 1];
    expect(last.type).toBe('violation');
    expect(last.type === 'violation' && last.message).toContain(message);
  });
});
