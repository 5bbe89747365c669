import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { constants, deflateRawSync } from 'node:zlib';
import { CompressionPool } from './compression-pool.js';
import { WebSocketConnection } from './connection.js';
import { CloseCode, Opcode, ReadyState } from './constants.js';
import type { DeflateParams } from './deflate-negotiation.js';
import { DEFAULT_DEFLATE_SETTINGS, type DeflateSettings } from './deflate-options.js';
import type { WebSocketError } from './errors.js';
import { encodeFrame, prepareFrame } from './frame-writer.js';
import { PerMessageDeflate } from './permessage-deflate.js';
import { WebSocketStats } from './stats.js';
import { ServerDecompressor } from '../../test/conformance/deflate.js';
import { describeEvent, type ServerEvent } from '../../test/conformance/events.js';
import { ServerFrameReader } from '../../test/conformance/server-frame-reader.js';
import { eventually, within } from '../../test/helpers/waiting.js';

const SYNC = { finishFlush: constants.Z_SYNC_FLUSH };
const KEY = 0x37fa213d;
const NO_TAKEOVER: DeflateParams = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 15,
  clientMaxWindowBits: 15,
};
const TAKEOVER: DeflateParams = { ...NO_TAKEOVER, serverNoContextTakeover: false, clientNoContextTakeover: false };

type Received =
  | { type: 'message'; text: string; isBinary: boolean; compressed: boolean; data: Buffer }
  | { type: 'pong'; text: string }
  | { type: 'close'; code: number };

/**
 * The client side: sends masked frames it compresses itself, and reads the server's frames
 * with the conformance suite's reader (independent of src/websocket), which holds them to
 * RFC 6455 and inflates compressed ones with the window the negotiated parameters say the
 * server uses.
 */
class Client {
  readonly received: Received[] = [];
  private readonly changed = new EventEmitter();
  private readonly reader: ServerFrameReader;

  constructor(
    readonly socket: net.Socket,
    params: DeflateParams,
  ) {
    this.reader = new ServerFrameReader((event) => this.observe(event), new ServerDecompressor(params));
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
  }

  /** A masked frame; `compress` deflates the payload and sets RSV1. */
  frame(
    opcode: number,
    payload: Buffer | string,
    options: { compress?: boolean; fin?: boolean; rsv1?: boolean } = {},
  ): Buffer {
    let bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (options.compress) bytes = deflateRawSync(bytes, SYNC).subarray(0, -4);
    return encodeFrame(opcode, bytes, { maskingKey: KEY, fin: options.fin, rsv1: options.compress || options.rsv1 });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  async waitFor(count: number, what = `${count} frames`): Promise<Received[]> {
    await within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (this.received.length < count) return;
          this.changed.off('change', check);
          resolve();
        };
        this.changed.on('change', check);
        check();
      }),
      `${what}; received ${JSON.stringify(this.received.map((r) => (r.type === 'message' ? r.text.slice(0, 20) : r)))}`,
    );
    return this.received;
  }

  private observe(event: ServerEvent): void {
    switch (event.type) {
      case 'message': {
        const { data, binary, compressed } = event;
        return this.record({
          type: 'message',
          text: data.toString(),
          isBinary: binary,
          compressed: !!compressed,
          data,
        });
      }
      case 'pong':
        return this.record({ type: 'pong', text: event.data.toString() });
      case 'close':
        return this.record({ type: 'close', code: event.code ?? CloseCode.NO_STATUS });
      case 'violation':
        throw new Error(`the server broke the protocol: ${describeEvent(event)}`);
      default:
        return undefined;
    }
  }

  private record(entry: Received): void {
    this.received.push(entry);
    this.changed.emit('change');
  }
}

interface Pair {
  conn: WebSocketConnection;
  client: Client;
}

describe('WebSocketConnection with permessage-deflate', () => {
  let server: net.Server;
  let pool: CompressionPool;
  const sockets: net.Socket[] = [];

  beforeEach(async () => {
    server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pool = new CompressionPool(4);
  });

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.length = 0;
    pool.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function connect(
    params: DeflateParams = NO_TAKEOVER,
    settings: Partial<DeflateSettings> = {},
    maxPayload = 1024 * 1024,
  ): Promise<Pair> {
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    const serverSocket = await within(accepted, 'the TCP connection');
    sockets.push(serverSocket);
    const deflate = new PerMessageDeflate(pool, params, { ...DEFAULT_DEFLATE_SETTINGS, ...settings });
    const conn = new WebSocketConnection(serverSocket, undefined, {
      deflate,
      maxPayload,
      extensions: 'permessage-deflate',
    });
    conn.on('error', () => undefined);
    return { conn, client: new Client(socket, params) };
  }

  async function connectMany(count: number, params: DeflateParams = NO_TAKEOVER): Promise<Pair[]> {
    const pairs: Pair[] = [];
    for (let i = 0; i < count; i++) pairs.push(await connect(params));
    return pairs;
  }

  function echo(conn: WebSocketConnection): void {
    conn.on('message', (data: Buffer, isBinary: boolean) => conn.send(data, { binary: isBinary }));
  }

  function messages(received: Client | Received[]): Array<Extract<Received, { type: 'message' }>> {
    const list = Array.isArray(received) ? received : received.received;
    return list.filter((r): r is Extract<Received, { type: 'message' }> => r.type === 'message');
  }

  describe('receiving', () => {
    it('inflates compressed text and binary messages of many sizes', async () => {
      const { conn, client } = await connect();
      const got: Array<[Buffer, boolean]> = [];
      conn.on('message', (data: Buffer, isBinary: boolean) => got.push([data, isBinary]));
      const sizes = [0, 1, 125, 126, 65_535, 65_536, 200_000];
      const sent = sizes.map((size, i) =>
        i % 2 === 0 ? Buffer.from('chat '.repeat(size).slice(0, size)) : randomBytes(size),
      );
      client.send(
        ...sent.map((data, i) => client.frame(i % 2 === 0 ? Opcode.TEXT : Opcode.BINARY, data, { compress: true })),
      );
      await within(
        new Promise<void>((resolve) => conn.on('message', () => got.length === sizes.length && resolve())),
        'all messages',
      );
      got.forEach(([data, isBinary], i) => {
        expect(data.equals(sent[i])).toBe(true);
        expect(isBinary).toBe(i % 2 === 1);
      });
    });

    it('emits compressed and plain messages in the order they arrived', async () => {
      const { conn, client } = await connect();
      const got: string[] = [];
      conn.on('message', (data: Buffer) => got.push(data.toString()));
      const texts = Array.from({ length: 30 }, (_, i) => `message ${i} `.repeat(i % 3 === 0 ? 400 : 1));
      client.send(...texts.map((text, i) => client.frame(Opcode.TEXT, text, { compress: i % 2 === 0 })));
      await within(
        new Promise<void>((resolve) => conn.on('message', () => got.length === texts.length && resolve())),
        '30 messages',
      );
      expect(got).toEqual(texts);
    });

    it('reassembles a fragmented compressed message, RSV1 on the first frame only, with a ping in between', async () => {
      const { conn, client } = await connect();
      const text = 'fragmented and compressed '.repeat(200);
      const compressed = deflateRawSync(Buffer.from(text), SYNC).subarray(0, -4);
      const third = Math.floor(compressed.length / 3);
      const received = new Promise<Buffer>((resolve) => conn.once('message', resolve));
      client.send(
        encodeFrame(Opcode.TEXT, compressed.subarray(0, third), { maskingKey: KEY, fin: false, rsv1: true }),
        encodeFrame(Opcode.CONTINUATION, compressed.subarray(third, 2 * third), { maskingKey: KEY, fin: false }),
        client.frame(Opcode.PING, 'in between'),
        encodeFrame(Opcode.CONTINUATION, compressed.subarray(2 * third), { maskingKey: KEY }),
      );
      expect((await within(received, 'the message')).toString()).toBe(text);
      expect((await client.waitFor(1, 'the pong'))[0]).toEqual({ type: 'pong', text: 'in between' });
    });

    it('keeps the client window between messages when the client takes its context over', async () => {
      const { conn, client } = await connect(TAKEOVER);
      const got: string[] = [];
      conn.on('message', (data: Buffer) => got.push(data.toString()));
      const first = Buffer.from('the shared vocabulary of this chat room '.repeat(30));
      const second = Buffer.from('the shared vocabulary of this chat room, again '.repeat(30));
      const referring = deflateRawSync(second, { ...SYNC, dictionary: first }).subarray(0, -4);
      client.send(
        client.frame(Opcode.TEXT, first, { compress: true }),
        encodeFrame(Opcode.TEXT, referring, { maskingKey: KEY, rsv1: true }),
      );
      await within(
        new Promise<void>((resolve) => conn.on('message', () => got.length === 2 && resolve())),
        'two messages',
      );
      expect(got).toEqual([first.toString(), second.toString()]);
    });

    it.each([
      [
        'a message that inflates past maxPayload',
        1009,
        () => deflateRawSync(Buffer.alloc(300_000), SYNC).subarray(0, -4),
      ],
      ['data that is not deflate', 1007, () => Buffer.from([0xff, 0xff, 0xff, 0xff])],
      [
        'text that inflates to invalid UTF-8',
        1007,
        () => deflateRawSync(Buffer.from([0x68, 0xc0, 0xaf]), SYNC).subarray(0, -4),
      ],
    ])('fails the connection on %s with %i, and emits nothing', async (_name, closeCode, payload) => {
      const { conn, client } = await connect(NO_TAKEOVER, {}, 100_000);
      const emitted: Buffer[] = [];
      conn.on('message', (data: Buffer) => emitted.push(data));
      const closed = new Promise<[number]>((resolve) => conn.once('close', (code: number) => resolve([code])));
      client.send(
        encodeFrame(Opcode.TEXT, payload(), { maskingKey: KEY, rsv1: true }),
        client.frame(Opcode.TEXT, 'never'),
      );
      expect((await client.waitFor(1, 'the close frame'))[0]).toEqual({ type: 'close', code: closeCode });
      client.socket.end();
      expect(await within(closed, "the connection's close")).toEqual([closeCode]);
      expect(emitted).toEqual([]);
    });

    it('fails with 1002 on RSV1 on a continuation frame', async () => {
      const { client } = await connect();
      client.send(
        client.frame(Opcode.TEXT, 'Hel', { fin: false }),
        client.frame(Opcode.CONTINUATION, 'lo', { rsv1: true }),
      );
      expect((await client.waitFor(1, 'the close frame'))[0]).toEqual({ type: 'close', code: 1002 });
    });
  });

  describe('sending', () => {
    it('compresses messages from the threshold up and sends smaller ones plain, in send order', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 100 });
      const texts = ['small', 'large '.repeat(100), 'tiny', 'big '.repeat(500), 'end'];
      for (const text of texts) conn.send(text);
      await client.waitFor(texts.length);
      expect(messages(client).map((m) => [m.text, m.compressed])).toEqual(
        texts.map((text) => [text, text.length >= 100]),
      );
    });

    it('sends an incompressible message plain rather than bigger', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      const noise = randomBytes(5000);
      conn.send(noise);
      const [message] = messages(await client.waitFor(1));
      expect(message.compressed).toBe(false);
      expect(message.data.equals(noise)).toBe(true);
    });

    it('keeps its context between messages with server context takeover, compressing even small ones', async () => {
      const { conn, client } = await connect(TAKEOVER, { threshold: 1024 });
      const texts = Array.from(
        { length: 20 },
        (_, i) => `{"event":"message","data":{"room":"lobby","text":"hi ${i}"}}`,
      );
      for (const text of texts) conn.send(text);
      await client.waitFor(texts.length);
      expect(messages(client).map((m) => m.text)).toEqual(texts);
      expect(messages(client).every((m) => m.compressed)).toBe(true);
    });

    it('keeps send order for many messages racing through the zlib queue', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 64 });
      const texts = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `#${i} `.repeat(50) : `#${i}`));
      for (const text of texts) conn.send(text);
      await client.waitFor(texts.length);
      expect(messages(client).map((m) => m.text)).toEqual(texts);
    });

    it('calls send callbacks once the frame is written', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      const done = new Promise<Error | undefined>((resolve) => conn.send('x'.repeat(2000), resolve));
      expect(await within(done, 'the send callback')).toBeFalsy();
      await client.waitFor(1);
    });

    it('counts bytes waiting to be compressed in bufferedAmount', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      conn.send('y'.repeat(10_000));
      expect(conn.bufferedAmount).toBeGreaterThanOrEqual(10_000);
      await client.waitFor(1);
      expect(conn.bufferedAmount).toBe(0);
    });

    it('sends its close frame after the messages still being compressed', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      conn.send('first '.repeat(1000));
      conn.send('second');
      conn.close(1000, 'bye');
      const received = await client.waitFor(3);
      expect(received.map((r) => r.type)).toEqual(['message', 'message', 'close']);
    });

    it('echoes compressed messages before answering a close that followed them', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      echo(conn);
      client.send(
        client.frame(Opcode.TEXT, 'echo me '.repeat(300), { compress: true }),
        client.frame(Opcode.CLOSE, Buffer.from([0x03, 0xe8])),
      );
      const received = await client.waitFor(2);
      expect(received.map((r) => r.type)).toEqual(['message', 'close']);
    });

    it('drops frames still being compressed when the connection closes, failing their callbacks', async () => {
      const { conn, client } = await connect(NO_TAKEOVER, { threshold: 0 });
      const failed = new Promise<Error | undefined>((resolve) => conn.send('z'.repeat(50_000), resolve));
      conn.terminate();
      expect(await within(failed, 'the send callback')).toBeInstanceOf(Error);
      client.socket.destroy();
    });
  });

  describe('prepared frames (broadcast)', () => {
    it('compresses a broadcast once for every recipient without server context takeover', async () => {
      const pairs = await connectMany(20);
      const text = JSON.stringify({ event: 'message', data: { text: 'hello everyone '.repeat(200) } });
      const frame = prepareFrame(text);
      const before = pool.limiter.started;
      for (const { conn } of pairs) conn.sendFrame(frame);
      for (const { client } of pairs) await client.waitFor(1);
      expect(pool.limiter.started - before).toBe(1);
      for (const { client } of pairs) {
        expect(messages(client)[0]).toMatchObject({ text, compressed: true });
      }
      // A later recipient gets the ready bytes without another compression.
      const late = await connect();
      late.conn.sendFrame(frame);
      await late.client.waitFor(1);
      expect(pool.limiter.started - before).toBe(1);
      expect(messages(late.client)[0]).toMatchObject({ text, compressed: true });
    });

    it('compresses per recipient with server context takeover (their windows differ)', async () => {
      const pairs = await connectMany(5, TAKEOVER);
      pairs[0].conn.send('a message only the first recipient has seen '.repeat(20));
      await pairs[0].client.waitFor(1);
      const text = 'broadcast '.repeat(300);
      const frame = prepareFrame(text);
      const before = pool.limiter.started;
      for (const { conn } of pairs) conn.sendFrame(frame);
      for (const { client } of pairs) {
        const got = messages(await client.waitFor(client === pairs[0].client ? 2 : 1));
        expect(got[got.length - 1]).toMatchObject({ text, compressed: true });
      }
      expect(pool.limiter.started - before).toBe(5);
    });

    it('writes small prepared frames plain and keeps them in order behind compressed ones', async () => {
      const { conn, client } = await connect();
      conn.sendFrame(prepareFrame('large broadcast '.repeat(200)));
      conn.sendFrame(prepareFrame('small'));
      conn.send('direct');
      const received = await client.waitFor(3);
      expect(received.map((r) => (r.type === 'message' ? [r.text.slice(0, 5), r.compressed] : r.type))).toEqual([
        ['large', true],
        ['small', false],
        ['direc', false],
      ]);
    });

    it('writes a frame that did not come from prepareFrame as it is', async () => {
      const { conn, client } = await connect();
      const bytes = encodeFrame(Opcode.TEXT, Buffer.from('hand made '.repeat(200)));
      conn.sendFrame({ bytes, opcode: Opcode.TEXT });
      expect(messages(await client.waitFor(1))[0].compressed).toBe(false);
    });
  });

  describe('send budget (sendBufferLimit) while compressing', () => {
    const LIMIT = 16 * 1024;
    /** About 6 KB of text that deflate keeps at about three quarters: compressed frames stay large. */
    const noisyText = (i: number): string => `${i} ${randomBytes(4500).toString('base64')}`;

    interface Wire {
      conn: WebSocketConnection;
      socket: Duplex;
      /** Bytes handed to the socket and "sent" (a paused peer's stay in writableLength). */
      written: number;
      frames: Array<{ compressed: boolean; text: string }>;
      errors: string[];
    }

    /** A connection over an in-memory socket whose peer reads everything at once, or nothing. */
    function wire(params: DeflateParams, reading: boolean, stats?: WebSocketStats): Wire {
      let w: Wire | undefined;
      const reader = new ServerFrameReader((event) => {
        if (event.type === 'message') w!.frames.push({ compressed: !!event.compressed, text: event.data.toString() });
        else if (event.type === 'violation') throw new Error(`the server broke the protocol: ${describeEvent(event)}`);
      }, new ServerDecompressor(params));
      const socket = new Duplex({
        read() {},
        write(chunk: Buffer, _encoding, callback) {
          if (!reading) return; // never completes: everything stays queued
          w!.written += chunk.length;
          reader.push(chunk);
          callback();
        },
      });
      const deflate = new PerMessageDeflate(pool, params, DEFAULT_DEFLATE_SETTINGS);
      const conn = new WebSocketConnection(socket, undefined, {
        deflate,
        sendBufferLimit: LIMIT,
        closeTimeoutMs: 50,
        stats,
      });
      const created: Wire = { conn, socket, written: 0, frames: [], errors: [] };
      w = created;
      conn.on('error', (error: WebSocketError) => created.errors.push(error.code));
      return created;
    }

    async function idle(): Promise<void> {
      await eventually(() => pool.limiter.running === 0 && pool.limiter.waiting === 0, 'zlib to be idle');
      await new Promise((resolve) => setImmediate(resolve));
    }

    it.each([
      ['shared by every recipient (no server context takeover)', NO_TAKEOVER],
      ['per recipient (server context takeover)', TAKEOVER],
    ])('does not drop reading peers for a burst of broadcasts waiting for compression, %s', async (_name, params) => {
      const peers = [wire(params, true), wire(params, true), wire(params, true)];
      const texts = Array.from({ length: 40 }, (_, i) => noisyText(i));
      // 40 frames of ~6 KB in one turn: far more than the limit, all waiting for zlib at once.
      for (const text of texts) {
        const frame = prepareFrame(text);
        for (const { conn } of peers) conn.sendFrame(frame);
      }
      for (const { conn } of peers) {
        expect(conn.readyState).toBe(ReadyState.OPEN);
        // The broadcaster's buffer is not this peer's doing: nothing is charged before compression.
        expect(conn.bufferedAmount).toBe(0);
      }
      await idle();
      for (const peer of peers) {
        expect(peer.errors).toEqual([]);
        expect(peer.conn.readyState).toBe(ReadyState.OPEN);
        expect(peer.frames.map((f) => f.text)).toEqual(texts);
        expect(peer.frames.every((f) => f.compressed)).toBe(true);
        expect(peer.conn.stats.slowConsumerDrops).toBe(0);
        peer.conn.terminate();
      }
    });

    it.each([
      ['shared', NO_TAKEOVER],
      ['per recipient', TAKEOVER],
    ])(
      'drops a peer that stopped reading with 1013, its queue bounded by the limit (%s compression)',
      async (_name, params) => {
        const paused = wire(params, false);
        const reading = wire(params, true);
        const closed = new Promise<number>((resolve) => paused.conn.once('close', resolve));
        const texts: string[] = [];
        let maxQueued = 0;
        while (paused.conn.readyState === ReadyState.OPEN && texts.length < 400) {
          for (let i = 0; i < 8; i++) {
            const text = noisyText(texts.length);
            texts.push(text);
            const frame = prepareFrame(text);
            paused.conn.sendFrame(frame);
            reading.conn.sendFrame(frame);
          }
          maxQueued = Math.max(maxQueued, paused.conn.bufferedAmount);
          await idle();
          maxQueued = Math.max(maxQueued, paused.conn.bufferedAmount);
        }
        expect(paused.errors).toEqual(['WS_ERR_SEND_BUFFER_FULL']);
        expect(paused.conn.stats.slowConsumerDrops).toBe(1);
        // Charged at their compressed size once compressed: at most the limit, plus the close frame.
        expect(maxQueued).toBeLessThanOrEqual(LIMIT + 4);
        expect((paused.socket as unknown as { writableLength: number }).writableLength).toBeLessThanOrEqual(LIMIT + 4);
        expect(await within(closed, 'the paused peer to be closed')).toBe(1013);
        await idle();
        expect(reading.errors).toEqual([]);
        expect(reading.conn.readyState).toBe(ReadyState.OPEN);
        expect(reading.frames.map((f) => f.text)).toEqual(texts);
        reading.conn.terminate();
      },
    );

    it('charges a message sent to one peer in full while it waits for zlib, then at its compressed size', async () => {
      const paused = wire(NO_TAKEOVER, false);
      const text = 'compressible '.repeat(1000);
      paused.conn.send(text);
      // The first frame on an empty buffer always goes; until compressed it is this peer's memory.
      expect(paused.conn.bufferedAmount).toBe(text.length + 4);
      await idle();
      expect(paused.conn.bufferedAmount).toBeGreaterThan(0);
      expect(paused.conn.bufferedAmount).toBeLessThan(text.length / 10);
      paused.conn.terminate();
    });

    it('counts the bytes framed for the wire in stats.bytesOut (compressed size when compressed)', async () => {
      const stats = new WebSocketStats();
      const peer = wire(NO_TAKEOVER, true, stats);
      peer.conn.send('compressible '.repeat(1000));
      peer.conn.send('small');
      peer.conn.sendFrame(prepareFrame('broadcast '.repeat(1000)));
      peer.conn.sendFrame(prepareFrame(noisyText(1)));
      peer.conn.ping('p');
      await idle();
      expect(peer.frames.map((f) => f.compressed)).toEqual([true, false, true, true]);
      expect(stats.bytesOut).toBe(peer.written);
      expect(stats.bytesOut).toBeLessThan(13_000);
      expect(stats.messagesOut).toBe(4);
      peer.conn.terminate();
    });
  });
});
