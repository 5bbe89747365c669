import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Duplex, PassThrough } from 'node:stream';
import { releaseScheduled } from './cork-batch.js';
import { WebSocketConnection, type ConnectionOptions } from './connection.js';
import { Opcode, ReadyState } from './constants.js';
import type { WebSocketError } from './errors.js';
import { encodeFrame, prepareFrame } from './frame-writer.js';
import type { ServerEvent } from '../../test/conformance/events.js';
import { ServerFrameReader } from '../../test/conformance/server-frame-reader.js';
import { eventually, within } from '../../test/helpers/waiting.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const ZERO_KEY = '00 00 00 00';

/** The arguments of the next `event`. Unlike events.once(), an 'error' does not reject it. */
const next = <T extends unknown[]>(emitter: EventEmitter, event: string): Promise<T> =>
  within(new Promise<T>((resolve) => emitter.once(event, (...args) => resolve(args as T))), `waiting for '${event}'`);

type PeerFrame =
  | { type: 'message'; data: Buffer; isBinary: boolean }
  | { type: 'ping' | 'pong'; payload: Buffer }
  | { type: 'close'; code: number; reason: string }
  | { type: 'violation'; message: string };

/** A close frame without a body reads as 1005, as the API reports it. */
function peerFrame(event: ServerEvent): PeerFrame {
  switch (event.type) {
    case 'message':
      return { type: 'message', data: event.data, isBinary: event.binary };
    case 'ping':
    case 'pong':
      return { type: event.type, payload: event.data };
    case 'close':
      return { type: 'close', code: event.code ?? 1005, reason: event.reason.toString() };
    case 'violation':
      return { type: 'violation', message: event.message };
    case 'tcp-close':
      throw new Error('the frame reader does not see TCP');
  }
}

/**
 * The client end of the TCP pair: writes raw bytes and decodes what the server sends with the
 * conformance suite's reader (test code, strict about RFC 6455), not the parser under test.
 */
class Peer {
  readonly frames: PeerFrame[] = [];
  readonly raw: Buffer[] = [];
  ended = false;
  private readonly changed = new EventEmitter();
  private readonly reader = new ServerFrameReader((event) => this.frames.push(peerFrame(event)));

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(Buffer.from(chunk));
      this.reader.push(Buffer.from(chunk));
      this.changed.emit('change');
    });
    socket.on('end', () => {
      this.ended = true;
      this.changed.emit('change');
    });
  }

  send(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? hex(bytes) : bytes);
  }

  /** Waits until `predicate` holds over what has arrived so far. */
  async until(predicate: (peer: Peer) => boolean, what: string): Promise<void> {
    if (predicate(this)) return;
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!predicate(this)) return;
          this.changed.off('change', check);
          resolve();
        };
        this.changed.on('change', check);
      }),
      what,
    );
  }

  frame(index: number): Promise<PeerFrame> {
    return this.until((p) => p.frames.length > index, `frame #${index} from the server`).then(() => this.frames[index]);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.raw);
  }
}

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];

/** A connected TCP pair on 127.0.0.1: the server end wrapped in a WebSocketConnection. */
async function connect(
  options: ConnectionOptions = {},
  head?: Buffer,
): Promise<{ conn: WebSocketConnection; peer: Peer; serverSocket: net.Socket }> {
  const server = net.createServer({ allowHalfOpen: true });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await next(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const [serverSocket] = await next<[net.Socket]>(server, 'connection');
  sockets.push(client, serverSocket);
  const conn = new WebSocketConnection(serverSocket, head, { closeTimeoutMs: 1000, ...options });
  return { conn, peer: new Peer(client), serverSocket };
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

describe('WebSocketConnection', () => {
  it('exposes the ready-state constants on the class and on instances', async () => {
    const { conn } = await connect();
    expect([
      WebSocketConnection.CONNECTING,
      WebSocketConnection.OPEN,
      WebSocketConnection.CLOSING,
      WebSocketConnection.CLOSED,
    ]).toEqual([0, 1, 2, 3]);
    expect([conn.CONNECTING, conn.OPEN, conn.CLOSING, conn.CLOSED]).toEqual([0, 1, 2, 3]);
    expect(conn.readyState).toBe(ReadyState.OPEN);
    expect(conn.protocol).toBe('');
    expect(conn.extensions).toBe('');
    expect(conn.remoteAddress).toBe('127.0.0.1');
    expect(conn.principal).toBeUndefined();
  });

  describe('receiving', () => {
    it('emits text messages as Buffers with isBinary false', async () => {
      const { conn, peer } = await connect();
      peer.send('81 85 37 fa 21 3d 7f 9f 4d 51 58');
      const [data, isBinary] = await next<[Buffer, boolean]>(conn, 'message');
      expect(Buffer.isBuffer(data)).toBe(true);
      expect(data.toString()).toBe('Hello');
      expect(isBinary).toBe(false);
    });

    it('emits binary messages with isBinary true', async () => {
      const { conn, peer } = await connect();
      peer.send(`82 82 ${ZERO_KEY} 00 ff`);
      const [data, isBinary] = await next<[Buffer, boolean]>(conn, 'message');
      expect(data).toEqual(hex('00 ff'));
      expect(isBinary).toBe(true);
    });

    it('replays bytes that arrived with the upgrade request after listeners are attached', async () => {
      const { conn } = await connect({}, hex(`81 82 ${ZERO_KEY} 68 69`));
      const [data] = await next<[Buffer]>(conn, 'message');
      expect(data.toString()).toBe('hi');
    });
  });

  describe('sending', () => {
    it('sends a string as an unmasked text frame', async () => {
      const { conn, peer } = await connect();
      conn.send('Hello');
      await peer.until((p) => p.bytes.length >= 7, 'the text frame');
      expect(peer.bytes).toEqual(hex('81 05 48 65 6c 6c 6f'));
    });

    it('sends Buffers and typed arrays as binary frames unless told otherwise', async () => {
      const { conn, peer } = await connect();
      conn.send(hex('01 02'));
      conn.send(new Uint8Array([3, 4]));
      conn.send(Buffer.from('hi'), { binary: false });
      conn.send('yo', { binary: true });
      await peer.until((p) => p.frames.length === 4, 'four frames');
      expect(peer.frames).toEqual([
        { type: 'message', data: hex('01 02'), isBinary: true },
        { type: 'message', data: hex('03 04'), isBinary: true },
        { type: 'message', data: Buffer.from('hi'), isBinary: false },
        { type: 'message', data: Buffer.from('yo'), isBinary: true },
      ]);
    });

    it('sends large payloads with a 64-bit length', async () => {
      const { conn, peer } = await connect();
      const payload = Buffer.alloc(100_000, 9);
      conn.send(payload);
      const frame = await peer.frame(0);
      expect(frame).toMatchObject({ type: 'message', isBinary: true });
      expect(frame.type === 'message' && frame.data.equals(payload)).toBe(true);
      expect(peer.bytes.subarray(0, 10)).toEqual(hex('82 7f 00 00 00 00 00 01 86 a0'));
    });

    it('calls the send callback without an error once written', async () => {
      const { conn } = await connect();
      const err = await within(new Promise((resolve) => conn.send('x', resolve)), 'send callback');
      expect(err ?? undefined).toBeUndefined();
    });

    it('writes prepared frames as they are', async () => {
      const { conn, peer } = await connect();
      const frame = prepareFrame('Hello');
      conn.sendFrame(frame);
      conn.sendFrame(frame);
      await peer.until((p) => p.frames.length === 2, 'two prepared frames');
      expect(peer.bytes).toEqual(hex('81 05 48 65 6c 6c 6f 81 05 48 65 6c 6c 6f'));
    });

    it('reports an error to the send callback after close instead of throwing', async () => {
      const { conn, peer } = await connect();
      conn.close();
      expect(() => conn.send('late')).not.toThrow();
      const err = await within(
        new Promise<Error | undefined>((resolve) => conn.send('late', resolve)),
        'send callback',
      );
      expect(err).toBeInstanceOf(Error);
      expect(err?.message).toMatch(/not open/);
      conn.sendFrame(prepareFrame('late'));
      conn.ping();
      await peer.frame(0);
      expect(peer.frames).toEqual([{ type: 'close', code: 1005, reason: '' }]);
    });

    it('counts queued bytes in bufferedAmount while the peer does not read', async () => {
      const { conn, peer } = await connect({ sendBufferLimit: 0 });
      peer.socket.pause();
      expect(conn.bufferedAmount).toBe(0);
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < 16 && conn.bufferedAmount === 0; i++) conn.send(chunk);
      expect(conn.bufferedAmount).toBeGreaterThan(0);
      peer.socket.resume();
      await eventually(() => conn.bufferedAmount === 0, 'the send buffer to drain');
    });
  });

  describe('ping and pong', () => {
    it('answers a ping with a pong carrying the same payload, and emits ping', async () => {
      const { conn, peer } = await connect();
      const pinged = next<[Buffer]>(conn, 'ping');
      peer.send('89 85 37 fa 21 3d 7f 9f 4d 51 58');
      const [payload] = await pinged;
      expect(payload.toString()).toBe('Hello');
      await peer.until((p) => p.bytes.length >= 7, 'the pong');
      expect(peer.bytes).toEqual(hex('8a 05 48 65 6c 6c 6f'));
    });

    it('answers a ping in the middle of a fragmented message', async () => {
      const { conn, peer } = await connect();
      peer.send(`01 81 ${ZERO_KEY} 61 89 80 ${ZERO_KEY} 80 81 ${ZERO_KEY} 62`);
      const [data] = await next<[Buffer]>(conn, 'message');
      expect(data.toString()).toBe('ab');
      expect(await peer.frame(0)).toEqual({ type: 'pong', payload: Buffer.alloc(0) });
    });

    it('emits pong', async () => {
      const { conn, peer } = await connect();
      peer.send(`8a 82 ${ZERO_KEY} 68 62`);
      const [payload] = await next<[Buffer]>(conn, 'pong');
      expect(payload.toString()).toBe('hb');
    });

    it('sends ping and pong frames', async () => {
      const { conn, peer } = await connect();
      conn.ping('a');
      conn.pong(Buffer.from('b'));
      conn.ping();
      await peer.until((p) => p.frames.length === 3, 'three control frames');
      expect(peer.bytes).toEqual(hex('89 01 61 8a 01 62 89 00'));
    });

    it('refuses a control payload over 125 bytes', async () => {
      const { conn } = await connect();
      expect(() => conn.ping(Buffer.alloc(126))).toThrow(RangeError);
      expect(() => conn.pong('x'.repeat(126))).toThrow(RangeError);
    });
  });

  describe('closing handshake started by the peer', () => {
    it('echoes the close code, closes TCP and reports the peer code and reason', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number, Buffer]>(conn, 'close');
      peer.send(`88 85 ${ZERO_KEY} 03 e8 62 79 65`);
      await peer.until((p) => p.ended, 'the server to end TCP');
      expect(peer.bytes).toEqual(hex('88 02 03 e8'));
      expect(conn.readyState).toBe(ReadyState.CLOSING);
      peer.socket.end();
      const [code, reason] = await closed;
      expect(code).toBe(1000);
      expect(reason).toEqual(Buffer.from('bye'));
      expect(conn.readyState).toBe(ReadyState.CLOSED);
    });

    // Literal vectors: the echo carries the peer's code, whatever it is, never a fixed 1000.
    it.each([
      { code: 1001, sent: `88 85 ${ZERO_KEY} 03 e9 62 79 65`, echo: '88 02 03 e9', reason: 'bye' },
      { code: 3000, sent: `88 82 ${ZERO_KEY} 0b b8`, echo: '88 02 0b b8', reason: '' },
      { code: 4999, sent: `88 83 ${ZERO_KEY} 13 87 78`, echo: '88 02 13 87', reason: 'x' },
    ])('echoes close code $code as it came, without the reason', async ({ code, sent, echo, reason }) => {
      const { conn, peer } = await connect();
      const closed = next<[number, Buffer]>(conn, 'close');
      peer.send(sent);
      await peer.until((p) => p.ended, 'the server to end TCP');
      expect(peer.bytes).toEqual(hex(echo));
      peer.socket.end();
      expect(await closed).toEqual([code, Buffer.from(reason)]);
    });

    it('answers a close frame without a code with an empty close frame and reports 1005', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number, Buffer]>(conn, 'close');
      peer.send(`88 80 ${ZERO_KEY}`);
      await peer.until((p) => p.ended, 'the server to end TCP');
      expect(peer.bytes).toEqual(hex('88 00'));
      peer.socket.end();
      const [code, reason] = await closed;
      expect(code).toBe(1005);
      expect(reason.length).toBe(0);
    });

    it('ignores data frames after the close frame', async () => {
      const { conn, peer } = await connect();
      const messages: string[] = [];
      conn.on('message', (data: Buffer) => messages.push(data.toString()));
      peer.send(`88 82 ${ZERO_KEY} 03 e8 81 81 ${ZERO_KEY} 61`);
      await peer.until((p) => p.ended, 'the server to end TCP');
      peer.socket.end();
      await next(conn, 'close');
      expect(messages).toEqual([]);
    });

    it('drops a peer that never closes TCP after the close handshake', async () => {
      const { conn, peer } = await connect({ closeTimeoutMs: 50 });
      peer.send(`88 82 ${ZERO_KEY} 03 e9`);
      const [code] = await next<[number]>(conn, 'close');
      expect(code).toBe(1001);
    });
  });

  describe('closing handshake started by us', () => {
    it('sends the close frame, waits for the peer and then closes TCP', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number, Buffer]>(conn, 'close');
      conn.close(1000, 'done');
      expect(conn.readyState).toBe(ReadyState.CLOSING);
      expect(await peer.frame(0)).toEqual({ type: 'close', code: 1000, reason: 'done' });
      expect(peer.ended).toBe(false);
      peer.send(`88 82 ${ZERO_KEY} 03 e8`);
      await peer.until((p) => p.ended, 'the server to end TCP');
      peer.socket.end();
      const [code] = await closed;
      expect(code).toBe(1000);
      expect(conn.readyState).toBe(ReadyState.CLOSED);
    });

    it('still delivers messages that arrive before the peer answers the close', async () => {
      const { conn, peer } = await connect();
      conn.close(4000);
      peer.send(`81 81 ${ZERO_KEY} 61`);
      const [data] = await next<[Buffer]>(conn, 'message');
      expect(data.toString()).toBe('a');
    });

    it('destroys the socket and reports 1006 when the peer never answers within closeTimeoutMs', async () => {
      const { conn, peer } = await connect({ closeTimeoutMs: 100 });
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
      try {
        const closed = new Promise<number>((resolve) => conn.once('close', resolve));
        conn.close(1000);
        await peer.until((p) => p.bytes.length >= 4, 'the close frame');
        expect(peer.bytes).toEqual(hex('88 02 03 e8'));
        jest.advanceTimersByTime(99);
        expect(conn.readyState).toBe(ReadyState.CLOSING);
        jest.advanceTimersByTime(1);
        expect(await closed).toBe(1006);
      } finally {
        jest.useRealTimers();
      }
    });

    it('sends a close frame without payload when no code is given, and 1000 when only a reason is', async () => {
      const first = await connect();
      first.conn.close();
      await first.peer.until((p) => p.bytes.length >= 2, 'the close frame');
      expect(first.peer.bytes).toEqual(hex('88 00'));
      const second = await connect();
      second.conn.close(undefined, 'bye');
      expect(await second.peer.frame(0)).toEqual({ type: 'close', code: 1000, reason: 'bye' });
    });

    it('refuses invalid close codes and oversized reasons', async () => {
      const { conn } = await connect();
      for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
        expect(() => conn.close(code)).toThrow(TypeError);
      }
      expect(() => conn.close(1000, 'x'.repeat(124))).toThrow(RangeError);
      expect(conn.readyState).toBe(ReadyState.OPEN);
    });

    it('sends only one close frame however often close() is called', async () => {
      const { conn, peer } = await connect();
      conn.close(1000);
      conn.close(1001);
      peer.send(`88 82 ${ZERO_KEY} 03 e8`);
      await peer.until((p) => p.ended, 'the server to end TCP');
      expect(peer.frames).toEqual([{ type: 'close', code: 1000, reason: '' }]);
    });
  });

  describe('failing the connection', () => {
    it('sends 1002 and closes TCP when a client frame is not masked', async () => {
      const { conn, peer } = await connect();
      const errored = next<[WebSocketError]>(conn, 'error');
      const closed = next<[number]>(conn, 'close');
      peer.send('81 05 48 65 6c 6c 6f');
      const [error] = await errored;
      expect(error.code).toBe('WS_ERR_EXPECTED_MASK');
      expect(error.closeCode).toBe(1002);
      await peer.until((p) => p.ended, 'the server to end TCP');
      expect(peer.frames).toEqual([{ type: 'close', code: 1002, reason: '' }]);
      peer.socket.end();
      expect((await closed)[0]).toBe(1002);
    });

    it.each([
      ['a message over maxPayload', `82 fe 01 00 ${ZERO_KEY}`, 1009],
      ['invalid UTF-8', `81 82 ${ZERO_KEY} c0 80`, 1007],
      ['a reserved opcode', `83 80 ${ZERO_KEY}`, 1002],
      ['a fragmented control frame', `09 80 ${ZERO_KEY}`, 1002],
    ])('closes with the mapped code on %s', async (_name, bytes, closeCode) => {
      const { conn, peer } = await connect({ maxPayload: 255 });
      conn.on('error', () => {});
      peer.send(bytes);
      expect(await peer.frame(0)).toEqual({ type: 'close', code: closeCode, reason: '' });
      await peer.until((p) => p.ended, 'the server to end TCP');
      peer.socket.end();
      expect((await next<[number]>(conn, 'close'))[0]).toBe(closeCode);
    });

    it('holds later messages to a limit lowered with setMaxPayload (1009 beyond it), never raised', async () => {
      const { conn, peer } = await connect({ maxPayload: 255 });
      conn.on('error', () => {});
      conn.setMaxPayload(1000);
      conn.setMaxPayload(4);
      const messages: string[] = [];
      conn.on('message', (data: Buffer) => messages.push(data.toString()));
      peer.send(`81 84 ${ZERO_KEY} 61 62 63 64`);
      peer.send(`81 85 ${ZERO_KEY} 61 62 63 64 65`);
      expect(await peer.frame(0)).toEqual({ type: 'close', code: 1009, reason: '' });
      expect(messages).toEqual(['abcd']);
      await peer.until((p) => p.ended, 'the server to end TCP');
      peer.socket.end();
      expect((await next<[number]>(conn, 'close'))[0]).toBe(1009);
    });

    it('does not crash without an error listener', async () => {
      const { conn, peer } = await connect();
      peer.send(`8f 80 ${ZERO_KEY}`);
      expect(await peer.frame(0)).toEqual({ type: 'close', code: 1002, reason: '' });
      peer.socket.end();
      await next(conn, 'close');
    });

    it('drops a slow consumer with 1013 once its send buffer exceeds sendBufferLimit', async () => {
      const { conn, peer } = await connect({ sendBufferLimit: 256 * 1024 });
      const errors: WebSocketError[] = [];
      conn.on('error', (error: WebSocketError) => errors.push(error));
      peer.socket.pause();
      const chunk = Buffer.alloc(512 * 1024, 1);
      const results: Array<Error | null | undefined> = [];
      let sent = 0;
      // Fill the kernel buffers until something stays queued, then one more send overflows.
      while (conn.readyState === ReadyState.OPEN && sent < 64) {
        conn.send(chunk, (err) => results.push(err));
        sent++;
      }
      expect(conn.readyState).toBe(ReadyState.CLOSING);
      expect(errors.map((e) => [e.code, e.closeCode])).toEqual([['WS_ERR_SEND_BUFFER_FULL', 1013]]);
      peer.socket.resume();
      await peer.until((p) => p.frames.some((f) => f.type === 'close'), 'the close frame');
      const messages = peer.frames.filter((f) => f.type === 'message');
      expect(messages).toHaveLength(sent - 1);
      expect(peer.frames.at(-1)).toEqual({ type: 'close', code: 1013, reason: '' });
      await eventually(() => results.length === sent, 'every send callback');
      expect(results.filter((r) => r instanceof Error).map((r) => (r as WebSocketError).code)).toEqual([
        'WS_ERR_SEND_BUFFER_FULL',
      ]);
      peer.socket.end();
      expect((await next<[number]>(conn, 'close'))[0]).toBe(1013);
    });

    it('drops a peer that sends pings but never reads the pongs', async () => {
      // A socket whose writes never complete: everything written stays queued.
      const socket = new Duplex({ read() {}, write() {} });
      const conn = new WebSocketConnection(socket, undefined, { sendBufferLimit: 1000, closeTimeoutMs: 50 });
      const errors: string[] = [];
      conn.on('error', (error: WebSocketError) => errors.push(error.code));
      const pings = encodeFrame(Opcode.PING, Buffer.alloc(125), { maskingKey: 0x01020304 });
      for (let i = 0; i < 20 && conn.readyState === ReadyState.OPEN; i++) socket.push(Buffer.from(pings));
      await eventually(() => conn.readyState !== ReadyState.OPEN, 'the connection to give up on the peer');
      expect(errors).toEqual(['WS_ERR_SEND_BUFFER_FULL']);
      expect(conn.bufferedAmount).toBeLessThan(1000 + 2 * 131 + 4);
      expect((await next<[number]>(conn, 'close'))[0]).toBe(1013);
    });

    it('lets one large message through on an empty send buffer', async () => {
      const { conn, peer } = await connect({ sendBufferLimit: 1024 });
      conn.send(Buffer.alloc(64 * 1024));
      expect(conn.readyState).toBe(ReadyState.OPEN);
      await peer.frame(0);
    });

    it("does not count a turn's held-back writes against a reading peer", async () => {
      const { conn, peer } = await connect({ sendBufferLimit: 16 * 1024 });
      // 64 KiB in one turn: more than the limit, but the kernel takes it once offered.
      for (let i = 0; i < 16; i++) conn.send(Buffer.alloc(4 * 1024, i));
      expect(conn.readyState).toBe(ReadyState.OPEN);
      await peer.until((p) => p.frames.length === 16, 'sixteen messages');
      expect(peer.frames.every((f) => f.type === 'message')).toBe(true);
    });

    it('sends the first frame of a turn at once and the rest of the turn in one batch', async () => {
      const batches: number[] = [];
      const socket = new Duplex({
        read() {},
        writev(chunks, callback) {
          batches.push(chunks.length);
          callback();
        },
        write(_chunk, _encoding, callback) {
          batches.push(1);
          callback();
        },
      });
      const conn = new WebSocketConnection(socket);
      conn.send('a');
      conn.send(Buffer.from('b'));
      conn.sendFrame(prepareFrame('c'));
      conn.ping();
      expect(batches).toEqual([1]);
      expect(conn.bufferedAmount).toBe(2 * 3 + 2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches).toEqual([1, 3]);
      expect(conn.bufferedAmount).toBe(0);
      conn.terminate();
    });
  });

  describe('replies (one message in flight)', () => {
    /** A socket that records what reaches write()/writev() (one batch = one syscall on TCP). */
    function recordingSocket(): { socket: Duplex; batches: number[] } {
      const batches: number[] = [];
      const socket = new Duplex({
        read() {},
        writev(chunks, callback) {
          batches.push(chunks.length);
          callback();
        },
        write(_chunk, _encoding, callback) {
          batches.push(1);
          callback();
        },
      });
      return { socket, batches };
    }

    const lone = hex(`82 81 ${ZERO_KEY} 61`);

    // No batch of an earlier test may still be due: its release would flush ours too.
    beforeEach(() => new Promise((resolve) => setImmediate(resolve)));

    it("hands a lone message's reply to the socket before the read event returns", () => {
      const { socket, batches } = recordingSocket();
      const conn = new WebSocketConnection(socket);
      conn.on('message', (data: Buffer) => conn.send(data));
      socket.emit('data', lone);
      expect(batches).toEqual([1]);
      conn.terminate();
    });

    it("hands a lone message's reply from a promise to the socket before the next macrotask", async () => {
      const { socket, batches } = recordingSocket();
      const conn = new WebSocketConnection(socket);
      // A Nest handler answers from a promise, after the read event has returned.
      conn.on('message', (data: Buffer) => void Promise.resolve(data).then((reply) => conn.send(reply)));
      let atNextMacrotask: number[] | undefined;
      setImmediate(() => (atNextMacrotask = [...batches]));
      socket.emit('data', lone);
      await new Promise((resolve) => setImmediate(resolve));
      expect(atNextMacrotask).toEqual([1]);
      conn.terminate();
    });

    it("schedules no batch release for a lone message's reply, synchronous or from a promise", async () => {
      for (const fromPromise of [false, true]) {
        const { socket, batches } = recordingSocket();
        const conn = new WebSocketConnection(socket);
        conn.on('message', (data: Buffer) => {
          if (fromPromise) void Promise.resolve(data).then((reply) => conn.send(reply));
          else conn.send(data);
        });
        socket.emit('data', Buffer.from(lone));
        await Promise.resolve();
        await Promise.resolve();
        expect(batches).toEqual([1]);
        expect(releaseScheduled()).toBe(false);
        conn.terminate();
      }
    });

    it('still sends the replies to pipelined messages of one read in one batch', async () => {
      const { socket, batches } = recordingSocket();
      const conn = new WebSocketConnection(socket);
      conn.on('message', (data: Buffer) => void Promise.resolve(data).then((reply) => conn.send(reply)));
      socket.emit('data', Buffer.concat([lone, lone, lone, lone]));
      await Promise.resolve();
      expect(batches).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(batches).toEqual([4]);
      conn.terminate();
    });
  });

  describe('TCP teardown', () => {
    it('reports 1006 when the peer closes TCP without a close frame', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number, Buffer]>(conn, 'close');
      peer.socket.end();
      const [code, reason] = await closed;
      expect(code).toBe(1006);
      expect(reason.length).toBe(0);
      expect(conn.readyState).toBe(ReadyState.CLOSED);
    });

    it('reports 1006 when the peer resets the connection', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number]>(conn, 'close');
      peer.socket.resetAndDestroy();
      expect((await closed)[0]).toBe(1006);
    });

    it('reports 1006 after terminate()', async () => {
      const { conn, peer } = await connect();
      const closed = next<[number]>(conn, 'close');
      conn.terminate();
      expect(conn.readyState).toBe(ReadyState.CLOSING);
      expect((await closed)[0]).toBe(1006);
      await peer.until((p) => p.ended, 'the peer to see the end');
      expect(peer.frames).toEqual([]);
    });

    it('emits close exactly once', async () => {
      const { conn, peer, serverSocket } = await connect({ closeTimeoutMs: 20 });
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'] });
      try {
        let count = 0;
        conn.on('close', () => count++);
        conn.close(1000);
        peer.send(`88 82 ${ZERO_KEY} 03 e8`);
        conn.terminate();
        conn.terminate();
        await new Promise((resolve) => conn.once('close', resolve));
        conn.close(1000);
        conn.terminate();
        // Nothing is left that could report again: the close timeout was cleared, the socket is gone.
        expect(jest.getTimerCount()).toBe(0);
        jest.advanceTimersByTime(1000);
        expect(serverSocket.destroyed).toBe(true);
        expect(count).toBe(1);
      } finally {
        jest.useRealTimers();
      }
    });

    it('closes a connection whose socket was already destroyed', async () => {
      const socket = new PassThrough();
      socket.destroy();
      await next(socket, 'close');
      const conn = new WebSocketConnection(socket);
      const [code] = await next<[number]>(conn, 'close');
      expect(code).toBe(1006);
    });
  });

  it('sends and receives over a Duplex that is not a TCP socket', async () => {
    const socket = new PassThrough();
    const conn = new WebSocketConnection(socket);
    const message = next<[Buffer]>(conn, 'message');
    socket.write(encodeFrame(Opcode.TEXT, Buffer.from('loop'), { maskingKey: 0x01020304 }));
    expect((await message)[0].toString()).toBe('loop');
    conn.terminate();
    await next(conn, 'close');
  });
});
