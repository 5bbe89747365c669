import { isValidCloseCode } from './close-codes.js';
import { CloseCode, EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, Opcode } from './constants.js';
import { protocolError, type WebSocketError, type WebSocketErrorCode } from './errors.js';
import { applyMask, copyUnmasked } from './mask.js';
import { positiveInteger } from './number-checks.js';
import { isValidUtf8, UTF8_ACCEPT, UTF8_REJECT, utf8Step } from './utf8.js';

/**
 * Where the parser delivers what it finds. The methods get the parser's `owner` as first
 * argument, so one module-level sink object can serve every connection.
 */
export interface FrameSink<T> {
  /** A complete data message. `compressed` is only ever true when `allowRsv1` is set. */
  onMessage(owner: T, data: Buffer, isBinary: boolean, compressed: boolean): void;
  onPing(owner: T, payload: Buffer): void;
  onPong(owner: T, payload: Buffer): void;
  /** A valid close frame; `code` is 1005 when the frame had no payload. Parsing stops. */
  onClose(owner: T, code: number, reason: Buffer): void;
  /** The peer broke the protocol; parsing stops and the connection must be failed. */
  onProtocolError(owner: T, error: WebSocketError): void;
}

export interface FrameParserOptions {
  /** Largest message in bytes (all fragments together); 0 means no limit. */
  maxPayload?: number;
  /** Servers require masked frames, clients require unmasked ones. Default true. */
  expectMasked?: boolean;
  /**
   * permessage-deflate (RFC 7692) was negotiated: accept RSV1 on the first frame of a data
   * message and report the message as compressed (its bytes are neither UTF-8 checked nor
   * limited to maxPayload here: the decompressed size is what counts, see COMPRESSED_SLACK).
   */
  allowRsv1?: boolean;
}

/**
 * A compressed message is held to maxPayload once inflated; on the wire it may be slightly
 * larger than that (deflate adds a few bytes per block to data it cannot shrink), so its
 * compressed bytes get this much room, per KiB of maxPayload, before 1009.
 */
function compressedLimit(maxPayload: number): number {
  return maxPayload === 0 ? 0 : maxPayload + Math.ceil(maxPayload / 1024) + 64;
}

/**
 * The fragment policy: a message may have one frame per this many bytes of maxPayload (and
 * at least MIN_FRAGMENTS). Each frame costs a header, a mask and a round of bookkeeping, so a
 * message of 1-byte fragments would cost ~30 times the CPU of the same bytes in one frame;
 * with the cap a message costs at most a few times what one frame of maxPayload bytes does.
 * Fragments of 64 bytes and more fit any message up to the limit.
 */
const MIN_AVERAGE_FRAGMENT_BYTES = 64;
const MIN_FRAGMENTS = 16;

function fragmentLimit(maxPayload: number): number {
  return maxPayload === 0 ? 0 : Math.max(MIN_FRAGMENTS, Math.ceil(maxPayload / MIN_AVERAGE_FRAGMENT_BYTES));
}

/** The first buffer a fragmented message is copied into; it doubles as fragments arrive. */
const MIN_ASSEMBLY_BYTES = 1024;

const STATE_HEADER = 0;
const STATE_LENGTH_16 = 1;
const STATE_LENGTH_64 = 2;
const STATE_MASKING_KEY = 3;
const STATE_PAYLOAD = 4;
const STATE_STOPPED = 5;

const TWO_POW_32 = 4_294_967_296;
/** Above this the high word no longer fits a safe integer length (2^53 - 1). */
const MAX_SAFE_HIGH_WORD = 0x1f_ffff;

/**
 * Streaming RFC 6455 frame parser. Push TCP chunks in any sizes; it keeps them in a list and
 * hands out zero-copy views of them. Payload bytes are unmasked (in place: the parser owns
 * the chunks it is given) and UTF-8 checked as they arrive, so a bad text message fails at
 * its first bad byte. A message that arrives in one piece is delivered as a view of its chunk;
 * one in several pieces (fragments, or a frame split across reads) is copied as it arrives
 * into one buffer (sized exactly when the total is known, else doubling up to the limit), so
 * its memory is proportional to its size however small the pieces are.
 *
 * Length encodings: RFC 6455 section 5.2 says "the minimal number of bytes MUST be used to
 * encode the length", a requirement on the sender. We accept non-minimal encodings (e.g. a
 * 5-byte payload announced with the 16-bit form): the length is still bounded by maxPayload,
 * so leniency costs nothing, and `ws` and browsers accept them too.
 */
export class FrameParser<T> {
  private readonly sink: FrameSink<T>;
  private readonly owner: T;
  private maxPayload: number;
  private readonly expectMasked: boolean;
  private readonly allowRsv1: boolean;
  private maxCompressedPayload: number;
  private maxFragments: number;

  private chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private chunkOffset = 0;
  private bufferedBytes = 0;
  private state = STATE_HEADER;
  private paused = false;
  private running = false;

  // The frame being read.
  private fin = false;
  private opcode = 0;
  private masked = false;
  private maskingKey = 0;
  private payloadLength = 0;
  private payloadReceived = 0;
  private controlPieces: Buffer[] = [];

  // The data message being assembled (messageOpcode 0: none open).
  private messageOpcode = 0;
  private messageCompressed = false;
  private messageLength = 0;
  private messageFrames = 0;
  /** The message's only piece so far, uncopied. */
  private firstPiece: Buffer | undefined = undefined;
  /** Where the pieces are copied once there are several; messageLength bytes are used. */
  private assembly: Buffer | undefined = undefined;
  private utf8State = UTF8_ACCEPT;

  constructor(sink: FrameSink<T>, owner: T, options: FrameParserOptions = {}) {
    this.sink = sink;
    this.owner = owner;
    this.maxPayload = options.maxPayload ?? 0;
    this.expectMasked = options.expectMasked ?? true;
    this.allowRsv1 = options.allowRsv1 ?? false;
    this.maxCompressedPayload = compressedLimit(this.maxPayload);
    this.maxFragments = fragmentLimit(this.maxPayload);
  }

  /**
   * Lowers the message size limit (a limit of 0, none, can be lowered to any). Frames whose
   * header is read from now on are held to it, fragments of an open message included.
   */
  lowerMaxPayload(maxPayload: number): void {
    positiveInteger(maxPayload, 'maxPayload');
    if (this.maxPayload !== 0 && this.maxPayload <= maxPayload) return;
    this.maxPayload = maxPayload;
    this.maxCompressedPayload = compressedLimit(maxPayload);
    this.maxFragments = fragmentLimit(maxPayload);
  }

  /** The current message size limit; 0 for none. */
  get messageLimit(): number {
    return this.maxPayload;
  }

  /** True once a close frame or a protocol error ended parsing (or stop() was called). */
  get stopped(): boolean {
    return this.state === STATE_STOPPED;
  }

  /**
   * True when nothing is buffered and `chunk` is exactly one whole frame (16-bit lengths at
   * most): a read of one message in flight, told apart before it is parsed.
   */
  holdsOneFrame(chunk: Buffer): boolean {
    if (this.state !== STATE_HEADER || this.bufferedBytes !== 0 || chunk.length < 2) return false;
    const b1 = chunk[1];
    const length7 = b1 & 0x7f;
    const maskBytes = (b1 & 0x80) !== 0 ? 4 : 0;
    if (length7 < 126) return chunk.length === 2 + maskBytes + length7;
    if (length7 === 127 || chunk.length < 4) return false;
    return chunk.length === 4 + maskBytes + ((chunk[2] << 8) | chunk[3]);
  }

  /** Feeds bytes from the peer. The parser takes ownership of `chunk` (it unmasks in place). */
  push(chunk: Buffer): void {
    if (this.state === STATE_STOPPED || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bufferedBytes += chunk.length;
    this.run();
  }

  /** Holds delivery (bytes keep being buffered), e.g. while a message is inflated. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.run();
  }

  /** Discards everything buffered and ignores further input. */
  stop(): void {
    this.state = STATE_STOPPED;
    this.release();
  }

  private run(): void {
    // A sink callback may push, pause or resume; the outer loop picks that up.
    if (this.running) return;
    this.running = true;
    try {
      while (!this.paused && this.step());
    } finally {
      this.running = false;
    }
  }

  /** One state transition; false when it needs more bytes or parsing has stopped. */
  private step(): boolean {
    switch (this.state) {
      case STATE_HEADER:
        return this.readHeader();
      case STATE_LENGTH_16:
        if (this.bufferedBytes < 2) return false;
        this.payloadLength = (this.readByte() << 8) | this.readByte();
        return this.lengthKnown();
      case STATE_LENGTH_64:
        return this.readLength64();
      case STATE_MASKING_KEY:
        if (this.bufferedBytes < 4) return false;
        this.maskingKey = this.readUInt32();
        this.state = STATE_PAYLOAD;
        return true;
      case STATE_PAYLOAD:
        return this.readPayload();
      default:
        return false;
    }
  }

  private readHeader(): boolean {
    if (this.bufferedBytes < 2) return false;
    const b0 = this.readByte();
    const b1 = this.readByte();
    const opcode = b0 & 0x0f;
    const rsv = b0 & 0x70;
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = opcode;
    this.masked = (b1 & 0x80) !== 0;

    let compressed = false;
    if (rsv !== 0) {
      const startsMessage = opcode === Opcode.TEXT || opcode === Opcode.BINARY;
      if (rsv !== 0x40 || !this.allowRsv1 || !startsMessage) {
        return this.fail(
          'WS_ERR_UNEXPECTED_RSV',
          `Reserved bits set without a negotiated extension (0x${rsv.toString(16)})`,
        );
      }
      compressed = true;
    }

    if (opcode === Opcode.CONTINUATION) {
      if (this.messageOpcode === 0) {
        return this.fail('WS_ERR_UNEXPECTED_CONTINUATION', 'Continuation frame without a message to continue');
      }
    } else if (opcode === Opcode.TEXT || opcode === Opcode.BINARY) {
      if (this.messageOpcode !== 0) {
        return this.fail('WS_ERR_EXPECTED_CONTINUATION', 'New data frame while a fragmented message is still open');
      }
      this.messageOpcode = opcode;
      this.messageCompressed = compressed;
      this.messageFrames = 0;
    } else if (opcode === Opcode.CLOSE || opcode === Opcode.PING || opcode === Opcode.PONG) {
      if (!this.fin) return this.fail('WS_ERR_EXPECTED_FIN', 'Control frames must not be fragmented');
    } else {
      return this.fail('WS_ERR_INVALID_OPCODE', `Reserved opcode 0x${opcode.toString(16)}`);
    }

    if (this.masked !== this.expectMasked) {
      return this.masked
        ? this.fail('WS_ERR_UNEXPECTED_MASK', 'Frames from a server must not be masked')
        : this.fail('WS_ERR_EXPECTED_MASK', 'Frames from a client must be masked');
    }

    const length7 = b1 & 0x7f;
    if (opcode >= Opcode.CLOSE && length7 > MAX_CONTROL_PAYLOAD) {
      return this.fail('WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH', 'Control frame payload longer than 125 bytes');
    }
    if (length7 === 126) {
      this.state = STATE_LENGTH_16;
      return true;
    }
    if (length7 === 127) {
      this.state = STATE_LENGTH_64;
      return true;
    }
    this.payloadLength = length7;
    return this.lengthKnown();
  }

  private readLength64(): boolean {
    if (this.bufferedBytes < 8) return false;
    const high = this.readUInt32();
    const low = this.readUInt32();
    if (high > 0x7fff_ffff) {
      return this.fail('WS_ERR_INVALID_PAYLOAD_LENGTH', 'The most significant bit of a 64-bit length must be 0');
    }
    if (high > MAX_SAFE_HIGH_WORD) {
      return this.fail('WS_ERR_UNSUPPORTED_PAYLOAD_LENGTH', 'Payload length above 2^53 - 1');
    }
    this.payloadLength = high * TWO_POW_32 + low;
    return this.lengthKnown();
  }

  private lengthKnown(): boolean {
    // Checked against the header, before a byte of the payload is buffered.
    const limit = this.messageCompressed ? this.maxCompressedPayload : this.maxPayload;
    if (this.opcode < Opcode.CLOSE && limit > 0) {
      if (this.messageLength + this.payloadLength > limit) {
        return this.fail('WS_ERR_MESSAGE_TOO_BIG', `Message larger than ${this.maxPayload} bytes`);
      }
      if (++this.messageFrames > this.maxFragments) {
        return this.fail('WS_ERR_MESSAGE_TOO_BIG', `Message in more than ${this.maxFragments} fragments`);
      }
    }
    this.payloadReceived = 0;
    this.state = this.masked ? STATE_MASKING_KEY : STATE_PAYLOAD;
    return true;
  }

  private readPayload(): boolean {
    const isControl = this.opcode >= Opcode.CLOSE;
    const checkUtf8 = !isControl && this.messageOpcode === Opcode.TEXT && !this.messageCompressed;
    while (this.payloadReceived < this.payloadLength) {
      if (this.bufferedBytes === 0) return false;
      const chunk = this.chunks[0];
      const start = this.chunkOffset;
      const count = Math.min(chunk.length - start, this.payloadLength - this.payloadReceived);
      if (!isControl && this.messageLength > 0) {
        // A later piece of the message: unmasked straight into the assembly, no view made.
        if (!this.copyPiece(chunk, start, count, checkUtf8)) return false;
        continue;
      }
      const piece = start === 0 && count === chunk.length ? chunk : chunk.subarray(start, start + count);
      this.advance(count);
      if (this.masked) applyMask(piece, this.maskingKey, this.payloadReceived);
      this.payloadReceived += count;
      if (isControl) {
        this.controlPieces.push(piece);
        continue;
      }
      if (checkUtf8) {
        this.utf8State = utf8Step(this.utf8State, piece);
        if (this.utf8State === UTF8_REJECT) {
          return this.fail('WS_ERR_INVALID_UTF8', 'Text message is not valid UTF-8');
        }
      }
      this.appendPiece(piece);
    }
    this.state = STATE_HEADER;
    if (isControl) return this.controlFrameComplete();
    if (!this.fin) return true;
    return this.messageComplete();
  }

  private messageComplete(): boolean {
    const isBinary = this.messageOpcode === Opcode.BINARY;
    const compressed = this.messageCompressed;
    if (!isBinary && !compressed && this.utf8State !== UTF8_ACCEPT) {
      return this.fail('WS_ERR_INVALID_UTF8', 'Text message ends in the middle of a UTF-8 sequence');
    }
    const assembly = this.assembly;
    const data =
      this.firstPiece ??
      (assembly === undefined
        ? EMPTY_BUFFER
        : assembly.length === this.messageLength
          ? assembly
          : assembly.subarray(0, this.messageLength));
    this.firstPiece = undefined;
    this.assembly = undefined;
    this.messageOpcode = 0;
    this.messageCompressed = false;
    this.messageLength = 0;
    this.utf8State = UTF8_ACCEPT;
    this.sink.onMessage(this.owner, data, isBinary, compressed);
    return this.state !== STATE_STOPPED;
  }

  /** Keeps the first piece (never empty) of the data message being read, uncopied. */
  private appendPiece(piece: Buffer): void {
    this.messageLength = piece.length;
    this.firstPiece = piece;
  }

  /**
   * Copies `count` payload bytes of `chunk` from `start` to the end of the message being read
   * (it has bytes already), unmasking and UTF-8 checking them; false when they are not UTF-8.
   */
  private copyPiece(chunk: Buffer, start: number, count: number, checkUtf8: boolean): boolean {
    const at = this.messageLength;
    this.messageLength = at + count;
    let assembly = this.assembly;
    if (assembly === undefined || assembly.length < this.messageLength) {
      assembly = this.growAssembly(at, count);
      if (this.firstPiece !== undefined) {
        this.firstPiece.copy(assembly, 0);
        this.firstPiece = undefined;
      }
    }
    copyUnmasked(chunk, start, assembly, at, count, this.masked ? this.maskingKey : 0, this.payloadReceived);
    this.advance(count);
    this.payloadReceived += count;
    if (checkUtf8) {
      this.utf8State = utf8Step(this.utf8State, assembly, at, at + count);
      if (this.utf8State === UTF8_REJECT) return this.fail('WS_ERR_INVALID_UTF8', 'Text message is not valid UTF-8');
    }
    return true;
  }

  /**
   * A buffer for the message read so far (`used` bytes, copied over) and at least the rest of
   * the current frame. With the last frame's length known the size is exact; otherwise it
   * doubles, never beyond the limit (which the bytes announced so far are within).
   */
  private growAssembly(used: number, pieceLength: number): Buffer {
    const needed = this.messageLength + (this.payloadLength - this.payloadReceived - pieceLength);
    let capacity = needed;
    if (!this.fin) {
      capacity = Math.max(needed, 2 * (this.assembly?.length ?? 0), MIN_ASSEMBLY_BYTES);
      const limit = this.messageCompressed ? this.maxCompressedPayload : this.maxPayload;
      if (limit > 0) capacity = Math.max(needed, Math.min(capacity, limit));
    }
    const grown = Buffer.allocUnsafe(capacity);
    if (this.assembly !== undefined) this.assembly.copy(grown, 0, 0, used);
    this.assembly = grown;
    return grown;
  }

  private controlFrameComplete(): boolean {
    const pieces = this.controlPieces;
    const payload =
      pieces.length === 1 ? pieces[0] : pieces.length === 0 ? EMPTY_BUFFER : Buffer.concat(pieces, this.payloadLength);
    pieces.length = 0;
    switch (this.opcode) {
      case Opcode.PING:
        this.sink.onPing(this.owner, payload);
        break;
      case Opcode.PONG:
        this.sink.onPong(this.owner, payload);
        break;
      default:
        return this.closeFrameComplete(payload);
    }
    return this.state !== STATE_STOPPED;
  }

  private closeFrameComplete(payload: Buffer): boolean {
    if (payload.length === 1) {
      return this.fail('WS_ERR_INVALID_CLOSE_PAYLOAD_LENGTH', 'Close frame payload of 1 byte');
    }
    let code: number = CloseCode.NO_STATUS;
    let reason = EMPTY_BUFFER;
    if (payload.length >= 2) {
      code = (payload[0] << 8) | payload[1];
      if (!isValidCloseCode(code)) {
        return this.fail('WS_ERR_INVALID_CLOSE_CODE', `Invalid close code ${code}`);
      }
      reason = payload.subarray(2);
      if (!isValidUtf8(reason)) {
        return this.fail('WS_ERR_INVALID_UTF8', 'Close reason is not valid UTF-8');
      }
    }
    // Nothing after a close frame is data (RFC 6455 section 5.5.1).
    this.stop();
    this.sink.onClose(this.owner, code, reason);
    return false;
  }

  private fail(code: WebSocketErrorCode, message: string): false {
    this.stop();
    this.sink.onProtocolError(this.owner, protocolError(code, message));
    return false;
  }

  private release(): void {
    this.chunks = [];
    this.chunkOffset = 0;
    this.bufferedBytes = 0;
    this.firstPiece = undefined;
    this.assembly = undefined;
    this.controlPieces.length = 0;
  }

  private readByte(): number {
    const chunk = this.chunks[0];
    const byte = chunk[this.chunkOffset];
    this.advance(1);
    return byte;
  }

  private readUInt32(): number {
    return ((this.readByte() << 24) | (this.readByte() << 16) | (this.readByte() << 8) | this.readByte()) >>> 0;
  }

  /** Consumes `count` bytes of chunks[0] (never more than it holds). */
  private advance(count: number): void {
    this.bufferedBytes -= count;
    this.chunkOffset += count;
    if (this.chunkOffset === this.chunks[0].length) {
      this.chunks.shift();
      this.chunkOffset = 0;
    }
  }
}
