/**
 * The load generator's minimal parser for frames coming back from a server. It finds frame
 * boundaries and never copies payloads, except the first bytes of data frames when asked (a
 * timestamp to read, an echo to verify) and control payloads (at most 125 bytes, always
 * captured: close codes, ping data). Masked frames are accepted, because the raw
 * echo server used for calibration sends the client's own masked frames back.
 *
 * It validates nothing beyond what it needs to stay in sync: correctness is the conformance
 * suite's job, speed is this one's.
 */
export interface FrameListener {
  /**
   * One complete frame. `head` holds the first captured payload bytes (unmasked), valid only
   * during the call; it is empty when nothing was captured.
   */
  onFrame(opcode: number, fin: boolean, payloadLength: number, head: Buffer): void;
}

const MAX_HEADER = 14;
const MAX_CONTROL_PAYLOAD = 125;
const EMPTY = Buffer.alloc(0);

export class ServerFrameReader {
  /** How many leading payload bytes of each data frame to hand to the listener. */
  private dataCaptureLimit = 0;
  /** The limit for the current frame. */
  private captureLimit = 0;
  private capture: Buffer = Buffer.allocUnsafe(MAX_CONTROL_PAYLOAD);
  private captured = 0;

  private readonly header = Buffer.allocUnsafe(MAX_HEADER);
  private headerFill = 0;
  private inPayload = false;
  private remaining = 0;

  private opcode = 0;
  private fin = false;
  /** RSV1 of the frame being delivered: a permessage-deflate compressed message. */
  rsv1 = false;
  private payloadLength = 0;
  private masked = false;
  private readonly maskingKey = Buffer.allocUnsafe(4);

  constructor(private readonly listener: FrameListener) {}

  /** Starts (or, with 0, stops) capturing the first `bytes` payload bytes of each data frame. */
  captureHead(bytes: number): void {
    this.dataCaptureLimit = bytes;
    if (this.capture.length < bytes) this.capture = Buffer.allocUnsafe(bytes);
  }

  push(chunk: Buffer): void {
    const end = chunk.length;
    let at = 0;
    while (at < end) {
      if (this.inPayload) {
        const take = Math.min(this.remaining, end - at);
        if (this.captured < this.captureLimit) this.copyHead(chunk, at, take);
        this.remaining -= take;
        at += take;
        if (this.remaining === 0) this.finishFrame();
        continue;
      }
      if (this.headerFill === 0 && end - at >= 2) {
        // Fast path: the whole header is inside this chunk.
        const size = headerSize(chunk[at + 1]);
        if (end - at >= size) {
          this.parseHeader(chunk, at);
          at += size;
          continue;
        }
      }
      // Slow path: gather the header across chunks.
      this.header[this.headerFill++] = chunk[at++];
      if (this.headerFill < 2) continue;
      const size = headerSize(this.header[1]);
      const take = Math.min(size - this.headerFill, end - at);
      chunk.copy(this.header, this.headerFill, at, at + take);
      this.headerFill += take;
      at += take;
      if (this.headerFill === size) {
        this.headerFill = 0;
        this.parseHeader(this.header, 0);
      }
    }
  }

  private parseHeader(bytes: Buffer, at: number): void {
    const b0 = bytes[at];
    const b1 = bytes[at + 1];
    this.fin = (b0 & 0x80) !== 0;
    this.rsv1 = (b0 & 0x40) !== 0;
    this.opcode = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    const length7 = b1 & 0x7f;
    let next = at + 2;
    if (length7 === 126) {
      this.payloadLength = bytes.readUInt16BE(next);
      next += 2;
    } else if (length7 === 127) {
      this.payloadLength = bytes.readUInt32BE(next) * 2 ** 32 + bytes.readUInt32BE(next + 4);
      next += 8;
    } else {
      this.payloadLength = length7;
    }
    if (this.masked) bytes.copy(this.maskingKey, 0, next, next + 4);
    this.captureLimit = this.opcode >= 0x8 ? MAX_CONTROL_PAYLOAD : this.dataCaptureLimit;
    this.captured = 0;
    this.remaining = this.payloadLength;
    if (this.payloadLength === 0) this.finishFrame();
    else this.inPayload = true;
  }

  private copyHead(chunk: Buffer, at: number, available: number): void {
    const count = Math.min(available, this.captureLimit - this.captured);
    chunk.copy(this.capture, this.captured, at, at + count);
    if (this.masked) {
      for (let i = this.captured; i < this.captured + count; i++) this.capture[i] ^= this.maskingKey[i & 3];
    }
    this.captured += count;
  }

  private finishFrame(): void {
    this.inPayload = false;
    const head = this.captured === 0 ? EMPTY : this.capture.subarray(0, this.captured);
    this.listener.onFrame(this.opcode, this.fin, this.payloadLength, head);
  }
}

/** Header bytes announced by the second header byte (length form and MASK bit). */
function headerSize(b1: number): number {
  const length7 = b1 & 0x7f;
  return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0);
}
