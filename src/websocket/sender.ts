import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_SEND_BUFFER_LIMIT, Opcode } from './constants.js';
import { protocolError, type WebSocketError } from './errors.js';
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
import { corkForTurn, releaseNow } from './cork-batch.js';
import { sharedCompressedFrame } from './shared-compression.js';
import type { WebSocketStats } from './stats.js';

/** Back-reference from a socket to its connection, read by the shared socket handlers. */
export const kConnection = Symbol('websocket.connection');

export type OwnedSocket = Duplex &
  Partial<Pick<Socket, 'setNoDelay' | 'remoteAddress'>> & {
    [kConnection]?: unknown;
  };

export interface SendOptions {
  binary?: boolean;
}

export type SendCallback = (err?: Error) => void;
/** Stream write callbacks also receive null on success. */
type WriteCallback = (err?: Error | null) => void;

export function toBuffer(data: Buffer | ArrayBufferView | ArrayBuffer | string): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * The sending half of a connection, as `ws` keeps it in its Sender: frame writing (batched per
 * turn, cork-batch.ts), the send budget with its slow-consumer policy, and the order of
 * outgoing frames while some are being compressed (send-queue.ts), the close frame included.
 * It knows nothing of connection states: WebSocketConnection (connection.ts) decides what may
 * be sent and calls in here.
 *
 * A base class rather than a field: an idle connection's memory is a product metric, and a
 * separate object would cost a header and a back-reference per connection.
 */
export abstract class Sender extends EventEmitter {
  /** Message, byte and close counters (the server's when it created this connection). */
  readonly stats: WebSocketStats;
  protected readonly socket: OwnedSocket;
  protected readonly deflate: PerMessageDeflate | undefined;
  private readonly sendBufferLimit: number;
  /** Frames waiting behind one being compressed; only ever created with permessage-deflate. */
  protected outbox: SendQueue<Sender> | undefined = undefined;
  /** Sent, or queued behind frames still being compressed. */
  protected closeFrameSent = false;

  protected constructor(
    socket: Duplex,
    stats: WebSocketStats,
    deflate: PerMessageDeflate | undefined,
    sendBufferLimit = DEFAULT_SEND_BUFFER_LIMIT,
  ) {
    super();
    this.socket = socket;
    this.stats = stats;
    this.deflate = deflate;
    this.sendBufferLimit = sendBufferLimit;
  }

  /** Fails the connection (a refused or uncompressible frame); the connection's state machine. */
  protected abstract fail(error: WebSocketError): void;

  /**
   * Bytes handed to send() (and friends) that have not reached the kernel yet, as the send
   * budget counts them: a broadcast (sendFrame) from when it reaches the socket, a send() message
   * from the call on (at its compressed size once compressed).
   */
  get bufferedAmount(): number {
    return this.socket.writableLength + (this.outbox?.bytes ?? 0);
  }

  /** Sends a message (send()): compressed from the threshold up with permessage-deflate. */
  protected sendMessage(
    data: string | Buffer | ArrayBufferView | ArrayBuffer,
    binary: boolean | undefined,
    callback: SendCallback | undefined,
  ): void {
    const opcode = opcodeFor(data, binary);
    if (this.deflate !== undefined) return this.sendCompressible(this.deflate, opcode, data, callback);
    if (typeof data === 'string') this.writeBytesNow(encodeTextFrame(data, opcode), callback);
    else this.writeFrameNow(opcode, toBuffer(data), callback);
  }

  /** Sends a frame encoded once by prepareFrame() (sendFrame()). */
  protected sendPrepared(frame: PreparedFrame): void {
    if (this.deflate !== undefined) return this.sendFrameCompressible(this.deflate, frame);
    this.writeBytesNow(frame.bytes, undefined);
  }

  /**
   * Frames `payload` and writes it now, batched with the turn's other writes (cork-batch.ts),
   * if the send budget allows it.
   */
  protected writeFrameNow(opcode: number, payload: Buffer, callback: SendCallback | undefined, rsv1 = false): void {
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

  /** Sends the close frame now, or after the messages sent before it that are still being compressed. */
  protected sendCloseFrame(code: number | undefined, reason?: string): void {
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
  protected endAfterQueue(): void {
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
    const outbox = (this.outbox ??= new SendQueue<Sender>(this, Sender.writeQueued, Sender.endQueued));
    const entry = new QueuedFrame(size, callback, isClose);
    outbox.push(entry);
    return entry;
  }

  private static writeQueued(conn: Sender, entry: QueuedFrame): void {
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

  private static endQueued(conn: Sender): void {
    if (!conn.socket.writableEnded && !conn.socket.destroyed) conn.socket.end();
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
}
