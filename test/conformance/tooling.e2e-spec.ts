import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BYTEWISE, inPiecesOf, randomSplits, split, WHOLE } from './chunking.js';
import { SECTIONS } from './cases/index.js';
import { closesWith, expectPong, expectText, staysOpen, type ConformanceCase } from './cases/types.js';
import type { ServerEvent } from './events.js';
import { binary, close, continuation, fragments, frame, Op, ping, Rsv, text } from './frame.js';
import { RawClient } from './raw-client.js';
import { runCase } from './run-case.js';
import type { ConformanceTarget } from './targets/target.js';
import { startWsEchoTarget } from './targets/ws-echo-target.js';
import { ServerFrameReader } from './server-frame-reader.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const unmasked = { mask: false } as const;

function read(...chunks: Buffer[]): ServerEvent[] {
  const events: ServerEvent[] = [];
  const reader = new ServerFrameReader((e) => events.push(e));
  for (const chunk of chunks) reader.push(chunk);
  return events;
}

describe('conformance tooling: frame()', () => {
  // The examples of RFC 6455 section 5.7.
  it('builds an unmasked "Hello" text frame', () => {
    expect(text('Hello', unmasked)).toEqual(hex('81 05 48 65 6c 6c 6f'));
  });

  it('builds a masked "Hello" text frame', () => {
    expect(text('Hello', { mask: hex('37 fa 21 3d') })).toEqual(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  });

  it('builds a fragmented unmasked text', () => {
    expect(fragments(Op.TEXT, ['Hel', 'lo'], unmasked)).toEqual([hex('01 03 48 65 6c'), hex('80 02 6c 6f')]);
  });

  it('builds an unmasked ping', () => {
    expect(ping('Hello', unmasked)).toEqual(hex('89 05 48 65 6c 6c 6f'));
  });

  it('uses 16-bit and 64-bit lengths from 126 and 65536 bytes', () => {
    expect(binary(Buffer.alloc(256), unmasked).subarray(0, 4)).toEqual(hex('82 7e 01 00'));
    expect(binary(Buffer.alloc(65536), unmasked).subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 00 00'));
  });

  it('builds non-minimal lengths, lying lengths and reserved bits on request', () => {
    expect(text('a', { ...unmasked, lengthEncoding: 16 })).toEqual(hex('81 7e 00 01 61'));
    expect(text('a', { ...unmasked, lengthEncoding: 64 })).toEqual(hex('81 7f 00 00 00 00 00 00 00 01 61'));
    expect(frame({ opcode: Op.BINARY, declaredLength: 2n ** 63n, mask: false })).toEqual(
      hex('82 7f 80 00 00 00 00 00 00 00'),
    );
    expect(text('', { ...unmasked, rsv: Rsv.RSV1 | Rsv.RSV3 })).toEqual(hex('d1 00'));
    expect(() => text(Buffer.alloc(200), { lengthEncoding: 7 })).toThrow(RangeError);
  });

  it('builds close frames with and without a code', () => {
    expect(close(undefined, '', unmasked)).toEqual(hex('88 00'));
    expect(close(1000, 'ok', unmasked)).toEqual(hex('88 04 03 e8 6f 6b'));
  });

  it('masks every frame by default', () => {
    const bytes = text('Hello');
    expect(bytes[1] & 0x80).toBe(0x80);
    expect(bytes.length).toBe(2 + 4 + 5);
  });
});

describe('conformance tooling: split()', () => {
  const bytes = Buffer.from('0123456789abcdefghij');

  it('keeps every byte in order for each chunking', () => {
    for (const chunking of [WHOLE, BYTEWISE, inPiecesOf(7), randomSplits(5, 4)]) {
      expect(Buffer.concat(split(bytes, chunking))).toEqual(bytes);
    }
    expect(split(bytes, BYTEWISE)).toHaveLength(20);
    expect(split(bytes, inPiecesOf(7)).map((b) => b.length)).toEqual([7, 7, 6]);
  });

  it('reproduces the same random splits from the same seed', () => {
    const sizes = (seed: number) => split(bytes, randomSplits(seed, 5)).map((b) => b.length);
    expect(sizes(9)).toEqual(sizes(9));
    expect(sizes(9).every((n) => n >= 1 && n <= 5)).toBe(true);
  });
});

describe('conformance tooling: ServerFrameReader', () => {
  it('reads text, binary, pong and close frames, even one byte at a time', () => {
    const stream = Buffer.concat([
      hex('81 05 48 65 6c 6c 6f'),
      hex('82 02 00 ff'),
      hex('8a 01 70'),
      hex('01 03 48 65 6c 80 02 6c 6f'),
      hex('88 04 03 e8 6f 6b'),
    ]);
    const expected: ServerEvent[] = [
      { type: 'message', binary: false, data: Buffer.from('Hello') },
      { type: 'message', binary: true, data: hex('00 ff') },
      { type: 'pong', data: Buffer.from('p') },
      { type: 'message', binary: false, data: Buffer.from('Hello') },
      { type: 'close', code: 1000, reason: Buffer.from('ok') },
    ];
    expect(read(stream)).toEqual(expected);
    expect(read(...split(stream, BYTEWISE))).toEqual(expected);
  });

  it('reads a close frame without a body as code null', () => {
    expect(read(hex('88 00'))).toEqual([{ type: 'close', code: null, reason: Buffer.alloc(0) }]);
  });

  it.each([
    ['a masked frame', hex('81 81 00 00 00 00 61'), 'masked'],
    ['RSV bits', hex('c1 00'), 'RSV'],
    ['a reserved opcode', hex('83 00'), 'opcode'],
    ['a fragmented control frame', hex('09 00'), 'fragmented control'],
    ['a non-minimal length', hex('81 7e 00 01 61'), '16-bit field'],
    ['invalid UTF-8 text', hex('81 02 c0 af'), 'UTF-8'],
    ['a 1-byte close body', hex('88 01 03'), '1-byte'],
    ['a reserved close code', hex('88 02 03 ed'), 'code 1005'],
    ['bytes after the close frame', hex('88 02 03 e8 81 00'), 'after the close frame'],
    ['a continuation without a message', hex('80 00'), 'continuation'],
  ])('reports %s as a violation', (_name, bytes, message) => {
    const events = read(bytes);
    const last = events[events.length - 1];
    expect(last.type).toBe('violation');
    expect(last.type === 'violation' && last.message).toContain(message);
  });
});

describe('conformance tooling: RawClient handshake', () => {
  let server: Server;
  let respond: (request: string) => string | undefined;
  const sockets = new Set<Socket>();
  let lastKey = '';
  let onFrameBytes: ((chunk: Buffer) => void) | undefined;
  const acceptFor = (key: string) =>
    createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket.on('close', () => sockets.delete(socket)));
      socket.on('error', () => undefined);
      socket.once('data', (chunk) => {
        const request = chunk.toString('latin1');
        lastKey = /Sec-WebSocket-Key: (\S+)/i.exec(request)?.[1] ?? '';
        const answer = respond(request);
        if (answer === undefined) return;
        if (!answer.startsWith('HTTP/1.1 101')) return void socket.end(answer);
        socket.write(answer);
        socket.on('data', (bytes) => onFrameBytes?.(bytes));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const port = () => (server.address() as AddressInfo).port;

  it('rejects a response that is not 101, quoting it', async () => {
    respond = () => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
    await expect(RawClient.connect({ port: port(), path: '/nope' })).rejects.toThrow(/expected status 101.*404/);
  });

  it('rejects a 101 with the wrong Sec-WebSocket-Accept', async () => {
    respond = () =>
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
    await expect(RawClient.connect({ port: port(), path: '/echo' })).rejects.toThrow(/Sec-WebSocket-Accept/);
  });

  it('hands chopped bytes to the server as separate reads', async () => {
    const frameBytes = text(Buffer.alloc(40));
    const reads: number[] = [];
    let received = 0;
    const allReceived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server got ${received} of ${frameBytes.length} bytes`)), 2000);
      onFrameBytes = (chunk) => {
        reads.push(chunk.length);
        received += chunk.length;
        if (received === frameBytes.length) resolve(clearTimeout(timer));
      };
    });
    respond = () =>
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptFor(lastKey)}\r\n\r\n`;
    const client = await RawClient.connect({ port: port(), path: '/echo' });
    try {
      await client.send(frameBytes, BYTEWISE);
      await allReceived;
    } finally {
      client.destroy();
      onFrameBytes = undefined;
    }
    // Loopback may still merge a few writes; most must arrive alone for the cases to mean anything.
    expect(reads.length).toBeGreaterThan(frameBytes.length / 2);
  });

  it('gives up after the handshake timeout, saying what it waited for', async () => {
    respond = () => undefined;
    await expect(RawClient.connect({ port: port(), path: '/echo', handshakeTimeoutMs: 100 })).rejects.toThrow(
      /no 101 response within 100 ms/,
    );
  });
});

describe('conformance case tables', () => {
  it('give every case a unique id within its section', () => {
    for (const section of SECTIONS) {
      const ids = section.cases.map((c) => c.id);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      expect(ids.every((id) => id.startsWith(`${section.id}.`))).toBe(true);
    }
  });
});

// The runner must be able to fail: each case below is wrong on purpose and played against a
// known-good echo server.
describe('conformance runner: rejects outcomes that differ from the case', () => {
  let target: ConformanceTarget;

  beforeAll(async () => {
    target = await startWsEchoTarget();
  });

  afterAll(async () => {
    await target?.stop();
  });

  const wrong = (send: Buffer, expect: ConformanceCase['expect']): ConformanceCase => ({
    id: '0.0',
    description: 'deliberately wrong',
    send,
    chunking: WHOLE,
    expect,
  });

  it.each([
    [
      'a different echo',
      wrong(text('sent'), staysOpen([expectText('other')])),
      /expected \[text\(5 bytes.*"other"\)\]/,
    ],
    ['text echoed as binary', wrong(binary(Buffer.from('x')), staysOpen([expectText('x')])), /received binary/],
    ['a missing echo', wrong(ping('p'), staysOpen([expectPong('p'), expectText('never')])), /on an open connection/],
    ['an extra echo', wrong(text('extra'), staysOpen([])), /expected no message or pong.*received text/],
    [
      'another close code',
      wrong(close(1000), closesWith(1002)),
      /expected a close frame with 1002; received close\(1000\)/,
    ],
    ['a close instead of staying open', wrong(close(1001), staysOpen([expectText('x')])), /stay open.*close\(1001\)/],
    [
      'a pong after the echo when it is owed before',
      wrong(
        Buffer.concat([text('a', { fin: false }), ping('p'), continuation('b')]),
        staysOpen([expectText('ab'), expectPong('p')], true),
      ),
      /in this order/,
    ],
  ])('rejects %s', async (_name, testCase, message) => {
    await expect(runCase(target, testCase)).rejects.toThrow(message);
  });
});
