import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { protocolError, type WebSocketError } from './errors.js';

/** The empty stored block a sync flush ends with (RFC 7692 section 7.2.1). */
export const DEFLATE_TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * Compressed messages up to this size get their trailer in a copy (one zlib write); a larger
 * one is written as it is, then the trailer (two), rather than copied.
 */
const TRAILER_COPY_LIMIT = 64 * 1024;

export type CodecCallback = (error: WebSocketError | undefined, result: Buffer) => void;

const kCodec = Symbol('websocket.zlibCodec');
type OwnedStream<S> = S & { [kCodec]?: ZlibCodec };

/**
 * One raw-deflate stream (either direction) and the job running on it. A job writes one
 * whole message, flushes, and collects the output; the codec then either keeps its context
 * (context takeover), is `reset()` for the next message, or is closed. Only one job runs on a
 * codec at a time; callers queue through a ZlibLimiter.
 */
abstract class ZlibCodec {
  protected stream: OwnedStream<DeflateRaw | InflateRaw> | undefined;
  private chunks: Buffer[] = [];
  private length = 0;
  /** Largest output allowed for the running job; 0 = no limit. */
  private limit = 0;
  private callback: CodecCallback | undefined = undefined;
  /** The running job compresses: its output loses the flush trailer. */
  private stripTrailer = false;
  /** Set once the stream can no longer be used (error, limit, end of the deflate stream). */
  private broken = false;

  constructor(protected readonly windowBits: number) {}

  /** Clears the context for the next message (no context takeover). */
  reset(): void {
    if (this.broken) this.close();
    else this.stream?.reset();
  }

  /** Frees the zlib context; the next job creates a new one. */
  close(): void {
    const stream = this.stream;
    if (stream === undefined) return;
    this.stream = undefined;
    this.broken = false;
    delete stream[kCodec];
    stream.close();
  }

  protected abstract create(): DeflateRaw | InflateRaw;

  /** Deflate jobs strip the trailer from the output, inflate jobs append it to the input. */
  protected start(input: Buffer, compress: boolean, limit: number, callback: CodecCallback): void {
    if (this.broken) this.close();
    let stream = this.stream;
    if (stream === undefined) {
      stream = this.create();
      stream[kCodec] = this;
      stream.on('data', onData);
      stream.on('error', onError);
      stream.on('end', onEnd);
      this.stream = stream;
    }
    this.callback = callback;
    this.limit = limit;
    this.stripTrailer = compress;
    // The stream sync-flushes every write (its `flush` option), so one write is the whole job:
    // one pass of libuv's thread pool, where write + trailer + flush() took three, each a trip
    // to a pool thread and back through the event loop, paid by every message in flight.
    // Bound to this stream: a stream dropped after an error may still call back later, while
    // the next job runs on its successor.
    const done = (): void => this.flushed(stream);
    if (compress) stream.write(input, done);
    else if (input.length <= TRAILER_COPY_LIMIT) stream.write(withTrailer(input), done);
    else {
      stream.write(input);
      stream.write(DEFLATE_TRAILER, done);
    }
  }

  private collect(chunk: Buffer): void {
    if (this.callback === undefined) return;
    this.length += chunk.length;
    if (this.limit > 0 && this.length > this.limit) {
      // Stop here instead of inflating the rest: a few kilobytes may expand to gigabytes.
      const limit = this.limit;
      this.broken = true;
      this.close();
      this.settle(protocolError('WS_ERR_MESSAGE_TOO_BIG', `Message larger than ${limit} bytes once decompressed`));
      return;
    }
    this.chunks.push(chunk);
  }

  private flushed(stream: DeflateRaw | InflateRaw): void {
    if (this.callback === undefined || stream !== this.stream) return;
    // An inflate stream ends when the peer used a final block (RFC 7692 7.2.3.4, allowed):
    // the context cannot continue, the next message gets a new one.
    if (stream.readableEnded || stream.writableEnded) this.broken = true;
    this.settle(undefined);
  }

  private failed(error: Error): void {
    this.broken = true;
    if (this.callback === undefined) return;
    this.settle(this.error(error));
  }

  protected abstract error(cause: Error): WebSocketError;

  private settle(error: WebSocketError | undefined): void {
    const callback = this.callback!;
    const chunks = this.chunks;
    const length = this.length;
    this.callback = undefined;
    this.chunks = [];
    this.length = 0;
    if (error !== undefined) {
      callback(error, EMPTY);
      return;
    }
    let result = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length);
    if (this.stripTrailer && endsWithTrailer(result)) result = result.subarray(0, result.length - 4);
    callback(undefined, result);
  }

  static onData(codec: ZlibCodec, chunk: Buffer): void {
    codec.collect(chunk);
  }

  static onError(codec: ZlibCodec, error: Error): void {
    codec.failed(error);
  }

  static onEnd(codec: ZlibCodec): void {
    codec.broken = true;
  }
}

const EMPTY = Buffer.alloc(0);

function onData(this: OwnedStream<DeflateRaw | InflateRaw>, chunk: Buffer): void {
  const codec = this[kCodec];
  if (codec !== undefined) ZlibCodec.onData(codec, chunk);
}

function onError(this: OwnedStream<DeflateRaw | InflateRaw>, error: Error): void {
  // Listening also keeps a zlib error from crashing the process once the codec let go.
  const codec = this[kCodec];
  if (codec !== undefined) ZlibCodec.onError(codec, error);
}

function onEnd(this: OwnedStream<DeflateRaw | InflateRaw>): void {
  const codec = this[kCodec];
  if (codec !== undefined) ZlibCodec.onEnd(codec);
}

/** Decompresses messages of one peer (or, pooled, of anyone without context takeover). */
export class Inflater extends ZlibCodec {
  protected create(): InflateRaw {
    return createInflateRaw({ windowBits: this.windowBits, flush: constants.Z_SYNC_FLUSH });
  }

  /**
   * Inflates one whole message: its payload with the 00 00 ff ff the sender removed put back
   * (RFC 7692 7.2.2). Fails with 1009 as soon as the output passes `maxPayload` (0 = no
   * limit), and with 1007 when the data is not valid deflate.
   */
  inflate(payload: Buffer, maxPayload: number, callback: CodecCallback): void {
    this.start(payload, false, maxPayload, callback);
  }

  protected error(cause: Error): WebSocketError {
    return protocolError('WS_ERR_INVALID_COMPRESSED_DATA', `Invalid compressed data: ${cause.message}`);
  }
}

export interface DeflaterSettings {
  readonly windowBits: number;
  readonly level: number;
  readonly memLevel: number;
}

/** Compresses our messages for one peer (context takeover) or for anyone (pooled). */
export class Deflater extends ZlibCodec {
  private readonly level: number;
  private readonly memLevel: number;

  constructor(settings: DeflaterSettings) {
    // zlib refuses an 8-bit window for raw deflate. A 9-bit one is safe for a peer that
    // asked for 8: zlib never emits a distance beyond the window minus 262 bytes (MAX_DIST),
    // 250 here, which fits in 256.
    super(Math.max(settings.windowBits, 9));
    this.level = settings.level;
    this.memLevel = settings.memLevel;
  }

  protected create(): DeflateRaw {
    return createDeflateRaw({
      windowBits: this.windowBits,
      level: this.level,
      memLevel: this.memLevel,
      flush: constants.Z_SYNC_FLUSH,
    });
  }

  /**
   * Compresses one whole message and removes the 00 00 ff ff the sync flush ends with
   * (RFC 7692 7.2.1). An empty message compresses to the single byte 00 (7.2.3.6).
   */
  deflate(payload: Buffer, callback: CodecCallback): void {
    // zlib produces nothing for a sync flush right after another one (a "duplicate" flush), so
    // an empty message on a kept context would go out as no bytes at all; 00 is its compressed
    // form on any context (an empty stored block, once the peer appends 00 00 ff ff), and
    // leaves the context as it was.
    if (payload.length === 0) process.nextTick(callback, undefined, Buffer.from([0x00]));
    else this.start(payload, true, 0, callback);
  }

  protected error(cause: Error): WebSocketError {
    return protocolError('WS_ERR_COMPRESSION_FAILED', `Compression failed: ${cause.message}`);
  }
}

/** The payload with the 00 00 ff ff the sender removed put back, in one buffer (one zlib write). */
function withTrailer(payload: Buffer): Buffer {
  const input = Buffer.allocUnsafe(payload.length + DEFLATE_TRAILER.length);
  payload.copy(input, 0);
  DEFLATE_TRAILER.copy(input, payload.length);
  return input;
}

function endsWithTrailer(data: Buffer): boolean {
  const n = data.length;
  return n >= 4 && data[n - 4] === 0x00 && data[n - 3] === 0x00 && data[n - 2] === 0xff && data[n - 1] === 0xff;
}
