import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isValidCloseCode } from './close-codes.js';
import {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_SEND_BUFFER_LIMIT,
  EMPTY_BUFFER,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  ReadyState,
  type ReadyStateValue,
} from './constants.js';
import { protocolError, type WebSocketError } from './errors.js';
import { FrameParser, type FrameSink } from './frame-parser.js';
import {
  encodeClosePayload,
  encodeFrame,
  encodeTextFrame,
  frameHeaderSize,
  opcodeFor,
  SharedFrame,
  writeFrame,
  type PreparedFrame,
} from './frame-writer.js';
import type { PerMessageDeflate } from './permessage-deflate.js';
import { QueuedFrame, SendQueue } from './send-queue.js';
import { corkForTurn, readingThisTurn, releaseNow } from './cork-batch.js';
import { sharedCompressedFrame } from './shared-compression.js';
import { isValidUtf8 } from './utf8.js';
import { WebSocketStats } from './stats.js';

/** Back-reference from a socket to its connection, read by the shared socket handlers. */
export const kConnection = Symbol('websocket.connection');

type OwnedSocket = Duplex & Partial<Pick<Socket, 'setNoDelay' | 'remoteAddress'>> & {
  [kConnection]?: WebSocketConnection;
};

export interface ConnectionOptions {
  /** Largest incoming message in bytes; 0 = no limit. Default 1 MiB. */
  maxPayload?: number;
  /** How long to wait for the peer's close frame / TCP close once closing. Default 5000. */
  closeTimeoutMs?: number;
  /** Bytes that may wait in the send buffer before the peer is dropped with 1013; 0 = no limit. */
  sendBufferLimit?: number;
  /** The negotiated subprotocol ('' for none). */
  protocol?: string;
  /** The negotiated Sec-WebSocket-Extensions response value ('' for none). */
  extensions?: string;
  /** permessage-deflate state when the extension was negotiated (the server builds it). */
  deflate?: PerMessageDeflate;
  /** Counters to bump (a server shares its own among its connections). Default: fresh ones. */
  stats?: WebSocketStats;
}

export interface SendOptions {
  binary?: boolean;
}

export type SendCallback = (err?: Error) => void;
/** Stream write callbacks also receive null on success. */
type WriteCallback = (err?: Error | null) => void;

const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

function notOpenError(state: number): Error {
  return new Error(`WebSocket is not open: readyState ${state} (${STATE_NAMES[state]})`);
}

function toBuffer(data: Buffer | ArrayBufferView | ArrayBuffer | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * One WebSocket connection over an upgraded socket, with the surface of a `ws` WebSocket.
 *
 * State machine: OPEN -> CLOSING (close frame sent or received, protocol error, TCP end) ->
 * CLOSED (the TCP socket is gone; 'close' is emitted once). Socket and parser callbacks are
 * shared static functions that find the connection through `socket[kConnection]`, so an idle
 * connection costs its fields and nothing else; the only timer is the close timeout.
 */
export class WebSocketConnection extends EventEmitter {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;

  get CONNECTING(): 0 {
    return ReadyState.CONNECTING;
  }
  get OPEN(): 1 {
    return ReadyState.OPEN;
  }
  get CLOSING(): 2 {
    return ReadyState.CLOSING;
  }
  get CLOSED(): 3 {
    return ReadyState.CLOSED;
  }

  /** What the server's `authorize` hook returned (undefined without one). */
  principal: unknown = undefined;
  readonly protocol: string;
  readonly extensions: string;
  /** Message, byte and close counters (the server's when it created this connection). */
  readonly stats: WebSocketStats;
  /** Heartbeat bookkeeping: sweeps since bytes last arrived (heartbeat.ts); reset on any data. */
  idleSweeps = 0;

  private state: ReadyStateValue = ReadyState.OPEN;
  private readonly socket: OwnedSocket;
  private readonly parser: FrameParser<WebSocketConnection>;
  private readonly closeTimeoutMs: number;
  private readonly sendBufferLimit: number;
  private maxPayload: number;
  private readonly deflate: PerMessageDeflate | undefined;
  /** Frames waiting behind one being compressed; only ever created with permessage-deflate. */
  private outbox: SendQueue<WebSocketConnection> | undefined = undefined;
  /** Sent, or queued behind frames still being compressed. */
  private closeFrameSent = false;
  private closeFrameReceived = false;
  /** Reported by 'close': the peer's code, the code we failed with, or 1006. */
  private closeCode: number = CloseCode.ABNORMAL;
  private closeReason: Buffer = EMPTY_BUFFER;
  private closeTimer: NodeJS.Timeout | undefined = undefined;

  /**
   * Takes over an upgraded socket (the 101 response already written). `head` holds bytes the
   * HTTP parser read past the request; they are replayed before anything else.
   */
  constructor(socket: Duplex, head?: Buffer, options: ConnectionOptions = {}) {
    super();
    this.socket = socket as OwnedSocket;
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.sendBufferLimit = options.sendBufferLimit ?? DEFAULT_SEND_BUFFER_LIMIT;
    this.stats = options.stats ?? new WebSocketStats();
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.deflate = options.deflate;
    this.parser = new FrameParser(WebSocketConnection.sink, this, {
      maxPayload: this.maxPayload,
      allowRsv1: this.deflate !== undefined,
    });
    this.socket[kConnection] = this;
    this.socket.setNoDelay?.(true);
    socket.on('error', WebSocketConnection.onSocketError);
    // Replayed through the stream so it arrives after listeners attached in the
    // 'connection' handler, like everything that follows.
    if (head !== undefined && head.length > 0 && socket.readable) socket.unshift(head);
    socket.on('data', WebSocketConnection.onSocketData);
    socket.on('end', WebSocketConnection.onSocketEnd);
    socket.on('close', WebSocketConnection.onSocketClose);
    socket.resume();
    if (socket.destroyed) {
      // The peer vanished before we took over; its 'close' may already be gone.
      this.state = ReadyState.CLOSING;
      if (socket.closed) process.nextTick(WebSocketConnection.finish, this);
    }
  }

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /**
   * The peer's IP address. Read on demand (a getpeername syscall, which the socket then
   * caches): after the socket is gone it is undefined unless it was read before, as in `ws`.
   */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /**
   * Bytes handed to send() (and friends) that have not reached the kernel yet, as the send
   * budget counts them: a broadcast (sendFrame) from when it reaches the socket, a send() message
   * from the call on (at its compressed size once compressed).
   */
  get bufferedAmount(): number {
    return this.socket.writableLength + (this.outbox?.bytes ?? 0);
  }

  send(data: string | Buffer | ArrayBufferView | ArrayBuffer, callback?: SendCallback): void;
  send(data: string | Buffer | ArrayBufferView | ArrayBuffer, options: SendOptions, callback?: SendCallback): void;
  send(
    data: string | Buffer | ArrayBufferView | ArrayBuffer,
    optionsOrCallback?: SendOptions | SendCallback,
    maybeCallback?: SendCallback,
  ): void {
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    if (this.state !== ReadyState.OPEN) {
      if (callback) process.nextTick(callback, notOpenError(this.state));
      return;
    }
    this.stats.messagesOut++;
    const opcode = opcodeFor(data, options?.binary);
    if (this.deflate !== undefined) return this.sendCompressible(this.deflate, opcode, data, callback);
    if (typeof data === 'string') this.writeBytesNow(encodeTextFrame(data, opcode), callback);
    else this.writeFrameNow(opcode, toBuffer(data), callback);
  }

  /** Writes a frame encoded once by prepareFrame() (fan-out: same bytes to many sockets). */
  sendFrame(frame: PreparedFrame): void {
    if (this.state !== ReadyState.OPEN) return;
    this.stats.messagesOut++;
    if (this.deflate !== undefined) return this.sendFrameCompressible(this.deflate, frame);
    this.writeBytesNow(frame.bytes, undefined);
  }

  /**
   * Lowers the largest message this connection accepts (never raises it), for a protocol whose
   * messages are small: call it when the connection opens. Frames whose header arrives later are
   * held to it (1009 beyond it), compressed ones once inflated too.
   */
  setMaxPayload(maxPayload: number): void {
    this.parser.lowerMaxPayload(maxPayload);
    this.maxPayload = this.parser.messageLimit;
  }

  ping(data?: string | Buffer): void {
    this.sendControl(Opcode.PING, data);
  }

  pong(data?: string | Buffer): void {
    this.sendControl(Opcode.PONG, data);
  }

  /**
   * Starts the closing handshake: sends a close frame and waits up to closeTimeoutMs for the
   * peer's, then drops the socket. Without a code the close frame carries no payload.
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && (!Number.isInteger(code) || !isValidCloseCode(code))) {
      throw new TypeError(`Invalid close code ${code}`);
    }
    if (reason !== undefined && Buffer.byteLength(reason) > MAX_CONTROL_PAYLOAD - 2) {
      throw new RangeError('A close reason must not exceed 123 bytes');
    }
    if (this.state === ReadyState.CLOSED || this.closeFrameSent) return;
    this.state = ReadyState.CLOSING;
    this.sendCloseFrame(code ?? (reason ? CloseCode.NORMAL : undefined), reason);
    this.armCloseTimer();
  }

  /** Destroys the TCP socket now, without a closing handshake ('close' reports 1006). */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSING;
    this.parser.stop();
    releaseNow(this.socket); // frames sent before terminate() still go out, as unbatched
    this.socket.destroy();
  }

  private sendControl(opcode: number, data: string | Buffer | undefined): void {
    const payload = data === undefined ? EMPTY_BUFFER : toBuffer(data);
    if (payload.length > MAX_CONTROL_PAYLOAD) {
      throw new RangeError('A control frame payload must not exceed 125 bytes');
    }
    if (this.state !== ReadyState.OPEN) return;
    this.writeFrameNow(opcode, payload, undefined);
  }

  /**
   * Frames `payload` and writes it now, batched with the turn's other writes (cork-batch.ts),
   * if the send budget allows it.
   */
  private writeFrameNow(opcode: number, payload: Buffer, callback: SendCallback | undefined, rsv1 = false): void {
    if (!this.reserve(frameHeaderSize(payload.length) + payload.length, callback)) return;
    corkForTurn(this.socket);
    writeFrame(this.socket, opcode, payload, callback as WriteCallback | undefined, rsv1);
  }

  /** Writes an already framed message now, like writeFrameNow. */
  private writeBytesNow(frame: Buffer, callback: SendCallback | undefined): void {
    if (!this.reserve(frame.length, callback)) return;
    corkForTurn(this.socket);
    this.socket.write(frame, callback as WriteCallback | undefined);
  }

  private sendCloseFrame(code: number | undefined, reason?: string): void {
    this.closeFrameSent = true;
    if (this.outbox !== undefined && !this.outbox.idle) {
      // After the messages sent before it, which are still being compressed.
      const entry = this.enqueue(0, undefined, true);
      entry.frame = encodeFrame(Opcode.CLOSE, encodeClosePayload(code, reason));
      this.outbox.ready(entry);
      return;
    }
    if (this.socket.writable) {
      corkForTurn(this.socket);
      writeFrame(this.socket, Opcode.CLOSE, encodeClosePayload(code, reason));
    }
  }

  /** Ends our side of TCP once every queued frame is out. */
  private endAfterQueue(): void {
    if (this.outbox !== undefined) this.outbox.endAfterDrain();
    // Ending twice (peer's FIN after our close, say) would only build an error to ignore.
    else if (!this.socket.writableEnded && !this.socket.destroyed) this.socket.end();
  }

  /** send() with permessage-deflate: messages from the threshold up are compressed, in order. */
  private sendCompressible(
    deflate: PerMessageDeflate,
    opcode: number,
    data: string | Buffer | ArrayBufferView | ArrayBuffer,
    callback: SendCallback | undefined,
  ): void {
    const payload = toBuffer(data);
    const size = frameHeaderSize(payload.length) + payload.length;
    if (payload.length < deflate.threshold) {
      this.writeInOrder(opcode, payload, size, callback);
      return;
    }
    // Until it reaches the socket, the message is this connection's own memory: charged in full.
    if (this.fits(size)) this.compressInOrder(deflate, opcode, payload, size, callback);
    else this.refuse(callback);
  }

  /**
   * sendFrame() with permessage-deflate: see shared-compression.ts for who shares what. While
   * it waits in the outbox (for zlib, or behind a frame zlib has not finished), a broadcast
   * holds the broadcaster's buffers, not this peer's: it is charged when it reaches the socket.
   */
  private sendFrameCompressible(deflate: PerMessageDeflate, frame: PreparedFrame): void {
    if (!(frame instanceof SharedFrame) || frame.payloadLength < deflate.threshold) {
      this.writeFrameInOrder(frame.bytes);
      return;
    }
    if (!deflate.sharesFrames) {
      this.compressInOrder(deflate, frame.opcode, frame.payload, 0, undefined);
      return;
    }
    let entry: QueuedFrame | undefined;
    const ready = sharedCompressedFrame(frame, deflate, (bytes) => {
      entry!.frame = bytes;
      this.outbox!.ready(entry!);
    });
    if (ready !== undefined) this.writeFrameInOrder(ready);
    else entry = this.enqueue(0, undefined);
  }

  /**
   * Queues `payload` for compression, charged `pending` bytes meanwhile (0 for a broadcast's
   * payload); a charged one is charged its wire size once compressed.
   */
  private compressInOrder(
    deflate: PerMessageDeflate,
    opcode: number,
    payload: Buffer,
    pending: number,
    callback: SendCallback | undefined,
  ): void {
    const entry = this.enqueue(pending, callback);
    entry.opcode = opcode;
    deflate.compress(payload, (error, compressed) => {
      if (entry.dropped) return;
      if (error !== undefined) return this.fail(error);
      // Without context takeover a plain message is as valid and here smaller; with it, the
      // peer's window must see exactly what our compressor saw.
      const plain = deflate.sharesFrames && compressed.length >= payload.length;
      entry.payload = plain ? payload : compressed;
      entry.rsv1 = !plain;
      if (pending > 0) this.outbox!.recharge(entry, frameHeaderSize(entry.payload.length) + entry.payload.length);
      this.outbox!.ready(entry);
    });
  }

  /** Writes an uncompressed frame now, or queues it (charged) behind frames still being compressed. */
  private writeInOrder(opcode: number, payload: Buffer, size: number, callback: SendCallback | undefined): void {
    if (this.outbox === undefined || this.outbox.idle) return this.writeFrameNow(opcode, payload, callback);
    if (!this.fits(size)) return this.refuse(callback);
    const entry = this.enqueue(size, callback);
    entry.opcode = opcode;
    entry.payload = payload;
    this.outbox.ready(entry);
  }

  /** Writes a broadcast's bytes now, or queues them (uncharged) behind frames still being compressed. */
  private writeFrameInOrder(bytes: Buffer): void {
    if (this.outbox === undefined || this.outbox.idle) return this.writeBytesNow(bytes, undefined);
    const entry = this.enqueue(0, undefined);
    entry.frame = bytes;
    this.outbox.ready(entry);
  }

  private enqueue(size: number, callback: SendCallback | undefined, isClose = false): QueuedFrame {
    const outbox = (this.outbox ??= new SendQueue<WebSocketConnection>(this, WebSocketConnection.writeQueued, WebSocketConnection.endQueued));
    const entry = new QueuedFrame(size, callback, isClose);
    outbox.push(entry);
    return entry;
  }

  private static writeQueued(conn: WebSocketConnection, entry: QueuedFrame): void {
    if (entry.isClose) {
      if (conn.socket.writable) {
        corkForTurn(conn.socket);
        conn.socket.write(entry.frame!);
      }
      return;
    }
    // The peer is judged as each frame reaches the socket: what zlib's pace and completion
    // order held back is not its doing, what it leaves unread in the socket is.
    if (entry.frame !== undefined) conn.writeBytesNow(entry.frame, entry.callback);
    else conn.writeFrameNow(entry.opcode, entry.payload!, entry.callback, entry.rsv1);
  }

  private static endQueued(conn: WebSocketConnection): void {
    if (!conn.socket.writableEnded && !conn.socket.destroyed) conn.socket.end();
  }

  /**
   * Inflates a compressed message. The parser and the socket wait meanwhile, so messages are
   * emitted in the order they came and a peer cannot pile up bytes while zlib works.
   */
  private inflate(deflate: PerMessageDeflate, data: Buffer, isBinary: boolean): void {
    this.parser.pause();
    this.socket.pause();
    deflate.decompress(data, this.maxPayload, (error, message) => {
      this.socket.resume();
      if (this.parser.stopped) return; // failed, terminated or closed meanwhile
      if (error !== undefined) return this.fail(error);
      if (!isBinary && !isValidUtf8(message)) {
        return this.fail(protocolError('WS_ERR_INVALID_UTF8', 'Text message is not valid UTF-8'));
      }
      this.stats.messagesIn++;
      this.emit('message', message, isBinary);
      this.parser.resume();
    });
  }

  /**
   * Checks the send-buffer budget for `size` more bytes about to reach the socket. A single
   * frame may always go out on an empty buffer; a peer that lets more than sendBufferLimit pile
   * up is a slow consumer: the frame is dropped and the connection closed with 1013.
   */
  private reserve(size: number, callback: SendCallback | undefined): boolean {
    if (this.fits(size)) {
      // Only ever called with a frame's wire size (compressed when it is): what bytesOut counts.
      this.stats.bytesOut += size;
      return true;
    }
    this.refuse(callback);
    return false;
  }

  /** The slow-consumer policy: drops the frame and fails the connection with 1013. */
  private refuse(callback: SendCallback | undefined): void {
    this.stats.slowConsumerDrops++;
    const error = protocolError(
      'WS_ERR_SEND_BUFFER_FULL',
      `Send buffer limit of ${this.sendBufferLimit} bytes exceeded (slow consumer)`,
    );
    if (callback) process.nextTick(callback, error);
    this.fail(error);
  }

  private fits(size: number): boolean {
    if (this.sendBufferLimit === 0) return true;
    let queued = this.socket.writableLength + (this.outbox?.bytes ?? 0);
    if (queued === 0 || queued + size <= this.sendBufferLimit) return true;
    if (this.socket.writableCorked === 0) return false;
    // Part of it is only held back by this turn's write batch (cork-batch.ts): offer it to
    // the kernel before judging the peer.
    releaseNow(this.socket);
    queued = this.socket.writableLength + (this.outbox?.bytes ?? 0);
    return queued === 0 || queued + size <= this.sendBufferLimit;
  }

  /** Fails the WebSocket connection (RFC 6455 section 7.1.7): close frame, then TCP close. */
  private fail(error: WebSocketError): void {
    if (this.state === ReadyState.CLOSED) return;
    this.parser.stop();
    if (!this.closeFrameReceived) this.closeCode = error.closeCode;
    this.state = ReadyState.CLOSING;
    // Messages sent before a peer's error still go out first (they would have, uncompressed);
    // when sending itself failed, what waits is dropped, but a close frame already promised
    // still goes.
    if (error.dropsSendQueue) {
      const queuedClose = this.outbox?.abort(error);
      if (queuedClose?.frame !== undefined && this.socket.writable) {
        corkForTurn(this.socket);
        this.socket.write(queuedClose.frame);
      }
    }
    if (!this.closeFrameSent) this.sendCloseFrame(error.closeCode);
    this.endAfterQueue();
    this.armCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private armCloseTimer(): void {
    if (this.closeTimer === undefined && this.state !== ReadyState.CLOSED) {
      this.closeTimer = setTimeout(WebSocketConnection.onCloseTimeout, this.closeTimeoutMs, this);
    }
  }

  private static readonly sink: FrameSink<WebSocketConnection> = {
    onMessage(conn, data, isBinary, compressed) {
      if (compressed) return conn.inflate(conn.deflate!, data, isBinary);
      conn.stats.messagesIn++;
      conn.emit('message', data, isBinary);
    },
    onPing(conn, payload) {
      // Through the send budget: a peer that pings without reading must not grow our buffer.
      if (conn.state === ReadyState.OPEN) conn.writeFrameNow(Opcode.PONG, payload, undefined);
      conn.emit('ping', payload);
    },
    onPong(conn, payload) {
      conn.emit('pong', payload);
    },
    onClose(conn, code, reason) {
      conn.closeFrameReceived = true;
      conn.closeCode = code;
      conn.closeReason = reason;
      conn.state = ReadyState.CLOSING;
      // Echo the code (none if the peer sent none), then close TCP once it is flushed: the
      // server closes first (RFC 6455 section 7.1.1).
      if (!conn.closeFrameSent) conn.sendCloseFrame(code === CloseCode.NO_STATUS ? undefined : code);
      conn.endAfterQueue();
      conn.armCloseTimer();
    },
    onProtocolError(conn, error) {
      conn.fail(error);
    },
  };

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    const conn = this[kConnection];
    if (conn === undefined) return;
    conn.idleSweeps = 0;
    conn.stats.bytesIn += chunk.length;
    readingThisTurn(this);
    conn.parser.push(chunk);
  }

  private static onSocketEnd(this: OwnedSocket): void {
    const conn = this[kConnection];
    if (conn === undefined) return;
    // The peer will send nothing more; with allowHalfOpen sockets we must end our side too.
    if (conn.state === ReadyState.OPEN) conn.state = ReadyState.CLOSING;
    conn.parser.stop();
    conn.endAfterQueue();
    conn.armCloseTimer();
  }

  private static onSocketError(this: OwnedSocket): void {
    // ECONNRESET and friends: the socket is destroyed and 'close' follows with 1006.
    this.destroy();
  }

  private static onSocketClose(this: OwnedSocket): void {
    const conn = this[kConnection];
    if (conn !== undefined) WebSocketConnection.finish(conn);
  }

  private static onCloseTimeout(conn: WebSocketConnection): void {
    conn.closeTimer = undefined;
    conn.socket.destroy();
  }

  private static finish(conn: WebSocketConnection): void {
    if (conn.state === ReadyState.CLOSED) return;
    conn.state = ReadyState.CLOSED;
    if (conn.closeTimer !== undefined) {
      clearTimeout(conn.closeTimer);
      conn.closeTimer = undefined;
    }
    conn.parser.stop();
    conn.outbox?.abort(notOpenError(ReadyState.CLOSED));
    conn.deflate?.release();
    conn.stats.recordClose(conn.closeCode);
    conn.emit('close', conn.closeCode, conn.closeReason);
  }
}
