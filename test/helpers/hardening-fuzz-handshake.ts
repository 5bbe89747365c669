import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Rfc6455Adapter } from '../../src/adapter/index.js';
import { httpServerOptions } from '../../src/http/http-limits.js';
import { validateHandshake, type HandshakeRequest } from '../../src/websocket/handshake.js';

/**
 * Handshake fuzzing: header maps for validateHandshake, and raw request bytes (structurally
 * and byte-wise mutated, in random chunks) against a real HTTP server with the adapter on
 * it. Shared by the Jest suite and scripts/fuzz.ts.
 */

const VALID_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export class HandshakeFuzzCounts {
  runs = 0;
  /** Outcomes by HTTP status; 0 = closed without an answer (no request ever started). */
  readonly outcomes = new Map<number, number>();

  record(status: number): void {
    this.runs++;
    this.outcomes.set(status, (this.outcomes.get(status) ?? 0) + 1);
  }

  add(other: HandshakeFuzzCounts): void {
    this.runs += other.runs;
    for (const [status, count] of other.outcomes) this.outcomes.set(status, (this.outcomes.get(status) ?? 0) + count);
  }
}

// ---------------------------------------------------------------------------------------
// Header maps for validateHandshake

const headerValue = fc.oneof(
  fc.constantFrom(
    'websocket',
    'WebSocket',
    'Upgrade',
    'keep-alive, Upgrade',
    '13',
    '8',
    '',
    ' ',
    VALID_KEY,
    'chat, chat',
    'permessage-deflate; client_max_window_bits',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const headerName = fc.constantFrom(
  'upgrade',
  'connection',
  'host',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-protocol',
  'sec-websocket-extensions',
  'origin',
);

export const handshakeRequest: fc.Arbitrary<HandshakeRequest> = fc
  .record({
    method: fc.oneof(fc.constant('GET'), fc.constantFrom('POST', 'get', 'HEAD', 'CONNECT', '')),
    major: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 3 })),
    minor: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 9 })),
    drop: fc.array(headerName, { maxLength: 3 }),
    replace: fc.array(
      fc.tuple(headerName, fc.oneof(headerValue, fc.array(headerValue, { minLength: 1, maxLength: 3 }))),
      {
        maxLength: 4,
      },
    ),
  })
  .map(({ method, major, minor, drop, replace }) => {
    const headers: Record<string, string | string[]> = {
      host: 'example.com',
      upgrade: 'websocket',
      connection: 'Upgrade',
      'sec-websocket-key': VALID_KEY,
      'sec-websocket-version': '13',
    };
    for (const name of drop) delete headers[name];
    for (const [name, value] of replace) headers[name] = value;
    return { method, httpVersionMajor: major, httpVersionMinor: minor, headers };
  });

/** validateHandshake never throws; it accepts with a valid key or refuses with 400/426. */
export function checkValidateHandshake(request: HandshakeRequest, counts: HandshakeFuzzCounts): void {
  const result = validateHandshake(request);
  if (result.ok) {
    assert.equal(result.key.length, 24, 'accepted a key that is not 24 characters');
    assert.ok(Array.isArray(result.protocols) && Array.isArray(result.extensions));
    counts.record(101);
  } else {
    assert.ok(result.status === 400 || result.status === 426, `refused with status ${result.status}`);
    assert.ok(result.message.length > 0, 'refused without a reason');
    if (result.status === 426) assert.equal(result.headers?.['Sec-WebSocket-Version'], '13');
    counts.record(result.status);
  }
}

// ---------------------------------------------------------------------------------------
// Raw requests against a server

type Line = [string, string];

const rawHeaderValue = fc.oneof(
  { arbitrary: headerValue, weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 3000, maxLength: 5000 }), weight: 1 },
  { arbitrary: fc.constantFrom('a\rb', 'a\nb', 'x\u0000y', '\t websocket \t'), weight: 1 },
);

type ByteMutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 8 }),
      fc.constantFrom(...['\r\n', ':', ' ', '\r\n\r\n', '\u0000'].map((s) => new Uint8Array(Buffer.from(s)))),
    ),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Mostly a valid handshake with one or two things changed, so that every branch is reached. */
const rarely = <T>(valid: T, other: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(valid), weight: 5 }, { arbitrary: other, weight: 1 });

export const rawRequest = fc.record({
  method: rarely('GET', fc.constantFrom('POST', 'PUT', 'G ET', 'GET GET', '')),
  path: rarely(
    '/chat',
    fc.oneof(
      fc.constantFrom('/chat?access_token=x', '/chat/', '/other', '/', '*', 'http://h/chat'),
      fc.string({ maxLength: 20 }),
    ),
  ),
  version: rarely('HTTP/1.1', fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 x', 'HTTP/11', '')),
  drop: rarely([] as number[], fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 2 })),
  replace: rarely(
    [] as Array<[number, string]>,
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), rawHeaderValue), { minLength: 1, maxLength: 3 }),
  ),
  extra: rarely(
    [] as Array<[string, string]>,
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('Sec-WebSocket-Key', 'Upgrade', 'Content-Length', 'Transfer-Encoding'),
        ),
        rawHeaderValue,
      ),
      { minLength: 1, maxLength: 3 },
    ),
  ),
  mutations: fc.oneof(
    { arbitrary: fc.constant([] as ByteMutation[]), weight: 3 },
    { arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: 3 }), weight: 2 },
  ),
  sizes: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }),
});

export type RawRequest = typeof rawRequest extends fc.Arbitrary<infer T> ? T : never;

export function requestBytes(request: RawRequest): Buffer {
  const lines: Line[] = [
    ['Host', '127.0.0.1'],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', VALID_KEY],
    ['Sec-WebSocket-Version', '13'],
    ['Origin', 'http://127.0.0.1'],
  ];
  for (const [index, value] of request.replace) lines[index][1] = value;
  const kept = lines.filter((_, index) => !request.drop.includes(index));
  kept.push(...request.extra);
  let text = `${request.method} ${request.path} ${request.version}\r\n`;
  for (const [name, value] of kept) text += `${name}: ${value}\r\n`;
  let bytes = Buffer.from(`${text}\r\n`, 'latin1');
  for (const m of request.mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    if (m.kind === 'flip') {
      bytes = Buffer.from(bytes);
      bytes[at] ^= 1 << m.bit;
    } else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else bytes = bytes.subarray(0, at);
  }
  return bytes;
}

/** An HTTP server as the app has it: our limits, a 404 for plain requests, the adapter on /chat. */
export class HandshakeTarget {
  private constructor(
    private readonly server: http.Server,
    private readonly adapter: Rfc6455Adapter,
    readonly port: number,
  ) {}

  static async start(): Promise<HandshakeTarget> {
    const server = http.createServer(
      httpServerOptions({ maxHeaderBytes: 4096, handshakeTimeoutMs: 500 }),
      (_req, res) => {
        res.statusCode = 404;
        res.end('not found');
      },
    );
    const adapter = new Rfc6455Adapter(server, { heartbeatMs: 0, closeTimeoutMs: 200 });
    adapter.create(0, { path: '/chat' });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HandshakeTarget(server, adapter, (server.address() as AddressInfo).port);
  }

  async stop(): Promise<void> {
    await this.adapter.dispose();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const ANSWER_MS = 3000;

/**
 * Writes the request in chunks, then half-closes. Whatever the bytes, the server answers with
 * 101 or an HTTP error (400-599), or hangs up on a connection where no request began; it never
 * leaves the connection hanging and never crashes. Resolves with the status (0: no answer).
 */
export async function checkRawHandshake(
  target: HandshakeTarget,
  request: RawRequest,
  counts: HandshakeFuzzCounts,
): Promise<void> {
  const bytes = requestBytes(request);
  const socket = connect(target.port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = request.sizes[i % request.sizes.length];
    socket.write(bytes.subarray(at, at + size));
    at += size;
  }
  socket.end();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ANSWER_MS))),
  ]);
  clearTimeout(timer);
  socket.destroy();
  const head = received.toString('latin1');
  assert.ok(
    !timedOut,
    `the server neither answered nor closed within ${ANSWER_MS} ms: ${JSON.stringify(bytes.toString('latin1').slice(0, 300))} -> ${JSON.stringify(head.slice(0, 100))}`,
  );
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(head);
  if (match === null) {
    assert.equal(
      received.length,
      0,
      `the server sent something that is not an HTTP response: ${JSON.stringify(head.slice(0, 100))}`,
    );
    counts.record(0);
    return;
  }
  const status = Number(match[1]);
  assert.ok(status === 101 || (status >= 400 && status <= 599), `unexpected status ${status}`);
  if (status === 101) assert.match(head, /\r\nSec-WebSocket-Accept: [A-Za-z0-9+/]{27}=\r\n/);
  counts.record(status);
}
