import type { Duplex } from 'node:stream';
import { isValidCloseCode } from './close-codes.js';
import {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD,
  EMPTY_BUFFER,
  MAX_CONTROL_PAYLOAD,
  Opcode,
  ReadyState,
  type ReadyStateValue,
} from './constants.js';
import { protocolError, type WebSocketError } from './errors.js';
import { FrameParser, type FrameSink } from './frame-parser.js';
import type { PreparedFrame } from './frame-writer.js';
import type { PerMessageDeflate } from './permessage-deflate.js';
import { corkForTurn, readAlone, readingOne, readingThisTurn, releaseNow } from './cork-batch.js';
import { kConnection, type OwnedSocket, Sender, type SendCallback, type SendOptions, toBuffer } from './sender.js';
import { isValidUtf8 } from './utf8.js';
import { WebSocketStats } from './stats.js';

export { kConnection };
export type { SendCallback, SendOptions };

type ConnectionSocket = OwnedSocket & { [kConnection]?: WebSocketConnection };

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

const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];

function notOpenError(state: number): Error {
  return new Error(`WebSocket is not open: readyState ${state} (${STATE_NAMES[state]})`);
}

/**
 * One WebSocket connection over an upgraded socket, with the surface of a `ws` WebSocket.
 *
 * State machine: OPEN -> CLOSING (close frame sent or received, protocol error, TCP end) ->
 * CLOSED (the TCP socket is gone; 'close' is emitted once). Socket and parser callbacks are
 * shared static functions that find the connection through `socket[kConnection]`, so an idle
 * connection costs its fields and nothing else; the only timer is the close timeout. What is
 * sent, in which order and within which budget is the Sender's (sender.ts).
 */
export class WebSocketConnection extends Sender {
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
  /** Heartbeat bookkeeping: sweeps since bytes last arrived (heartbeat.ts); reset on any data. */
  idleSweeps = 0;

  private state: ReadyStateValue = ReadyState.OPEN;
  private readonly parser: FrameParser<WebSocketConnection>;
  private readonly closeTimeoutMs: number;
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
    super(socket, options.stats ?? new WebSocketStats(), options.deflate, options.sendBufferLimit);
    this.protocol = options.protocol ?? '';
    this.extensions = options.extensions ?? '';
    this.closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    this.parser = new FrameParser(WebSocketConnection.sink, this, {
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
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
    this.sendMessage(data, options?.binary, callback);
  }

  /** Writes a frame encoded once by prepareFrame() (fan-out: same bytes to many sockets). */
  sendFrame(frame: PreparedFrame): void {
    if (this.state !== ReadyState.OPEN) return;
    this.stats.messagesOut++;
    this.sendPrepared(frame);
  }

  /**
   * Lowers the largest message this connection accepts (never raises it), for a protocol whose
   * messages are small: call it when the connection opens. Frames whose header arrives later are
   * held to it (1009 beyond it), compressed ones once inflated too.
   */
  setMaxPayload(maxPayload: number): void {
    this.parser.lowerMaxPayload(maxPayload);
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
   * Inflates a compressed message. The parser and the socket wait meanwhile, so messages are
   * emitted in the order they came and a peer cannot pile up bytes while zlib works.
   */
  private inflate(deflate: PerMessageDeflate, data: Buffer, isBinary: boolean): void {
    this.parser.pause();
    this.socket.pause();
    deflate.decompress(data, this.parser.messageLimit, (error, message) => {
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

  /** Fails the WebSocket connection (RFC 6455 section 7.1.7): close frame, then TCP close. */
  protected fail(error: WebSocketError): void {
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

  private static onSocketData(this: ConnectionSocket, chunk: Buffer): void {
    const conn = this[kConnection];
    if (conn === undefined) return;
    conn.idleSweeps = 0;
    const stats = conn.stats;
    stats.bytesIn += chunk.length;
    // Replies to a chunk of pipelined messages are batched; a lone message's reply is not.
    const messagesBefore = stats.messagesIn;
    if (conn.parser.holdsOneFrame(chunk)) readingOne(this);
    else readingThisTurn(this);
    conn.parser.push(chunk);
    if (stats.messagesIn - messagesBefore <= 1) readAlone(this);
  }

  private static onSocketEnd(this: ConnectionSocket): void {
    const conn = this[kConnection];
    if (conn === undefined) return;
    // The peer will send nothing more; with allowHalfOpen sockets we must end our side too.
    if (conn.state === ReadyState.OPEN) conn.state = ReadyState.CLOSING;
    conn.parser.stop();
    conn.endAfterQueue();
    conn.armCloseTimer();
  }

  private static onSocketError(this: ConnectionSocket): void {
    // ECONNRESET and friends: the socket is destroyed and 'close' follows with 1006.
    this.destroy();
  }

  private static onSocketClose(this: ConnectionSocket): void {
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
