import { isUtf8 } from 'node:buffer';
import type { ServerDecompressor } from './deflate.js';
import { Op } from './frame.js';
import type { ServerEvent } from './events.js';

/** Server frames larger than this are treated as a runaway length, not a payload to wait for. */
const MAX_SERVER_FRAME = 64 * 1024 * 1024;

/**
 * Parses what the server sends after the 101 into events, holding the server to RFC 6455:
 * unmasked frames, no RSV bits (RSV1 only on the first frame of a data message, and only when
 * permessage-deflate was agreed: such messages must then decompress with the agreed window
 * and context), known opcodes, minimal length encoding, unfragmented control frames of at most
 * 125 bytes, valid UTF-8 text and close reasons, valid close codes, and nothing after the
 * close frame. The first violation is reported as an event and parsing stops.
 */
export class ServerFrameReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private fragmentOpcode = -1;
  private fragments: Buffer[] = [];
  private compressed = false;
  private state: 'open' | 'closed' | 'broken' = 'open';

  constructor(
    private readonly emit: (event: ServerEvent) => void,
    /** Present when permessage-deflate was agreed. */
    private readonly deflate?: ServerDecompressor,
  ) {}

  push(chunk: Buffer): void {
    if (this.state === 'closed') {
      this.fail(`${chunk.length} bytes after the close frame`);
      return;
    }
    if (this.state === 'broken') return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.parseFrame());
    // parseFrame() changes the state; TypeScript cannot see that through the call.
    const state = this.state as ServerFrameReader['state'];
    if (state === 'closed' && this.buffered > 0) this.fail(`${this.buffered} bytes after the close frame`);
  }

  /** Returns false when the next frame is not complete yet. */
  private parseFrame(): boolean {
    if (this.state !== 'open' || this.buffered < 2) return false;
    const start = this.peek(2);
    const fin = (start[0] & 0x80) !== 0;
    const rsv = (start[0] >> 4) & 7;
    const opcode = start[0] & 0x0f;
    const masked = (start[1] & 0x80) !== 0;
    const length7 = start[1] & 0x7f;

    let lengthBytes = 0;
    if (length7 === 126) lengthBytes = 2;
    else if (length7 === 127) lengthBytes = 8;
    const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
    if (this.buffered < headerLength) return false;
    const header = this.peek(headerLength);

    let payloadLength = length7;
    if (lengthBytes === 2) {
      payloadLength = header.readUInt16BE(2);
      if (payloadLength < 126) return this.fail(`length ${payloadLength} sent in a 16-bit field`);
    } else if (lengthBytes === 8) {
      const big = header.readBigUInt64BE(2);
      if (big > BigInt(MAX_SERVER_FRAME)) return this.fail(`frame length ${big} is not plausible`);
      payloadLength = Number(big);
      if (payloadLength <= 0xffff) return this.fail(`length ${payloadLength} sent in a 64-bit field`);
    }

    if (masked) return this.fail('server frame is masked');
    const firstDataFrame = opcode === Op.TEXT || opcode === Op.BINARY;
    if (rsv !== 0 && !(rsv === 4 && this.deflate !== undefined && firstDataFrame)) {
      const where = this.deflate === undefined ? 'without an extension' : `on opcode 0x${opcode.toString(16)}`;
      return this.fail(`RSV bits ${rsv.toString(2).padStart(3, '0')} set ${where}`);
    }
    if (opcode >= 0x8) {
      if (opcode > Op.PONG) return this.fail(`reserved control opcode 0x${opcode.toString(16)}`);
      if (!fin) return this.fail('fragmented control frame');
      if (payloadLength > 125) return this.fail(`control frame of ${payloadLength} bytes`);
    } else if (opcode > Op.BINARY) {
      return this.fail(`reserved data opcode 0x${opcode.toString(16)}`);
    }

    if (this.buffered < headerLength + payloadLength) return false;
    this.take(headerLength);
    const payload = this.take(payloadLength);
    if (opcode >= 0x8) this.control(opcode, payload);
    else this.data(opcode, fin, payload, rsv === 4);
    return true;
  }

  private data(opcode: number, fin: boolean, payload: Buffer, rsv1: boolean): void {
    if (opcode === Op.CONTINUATION) {
      if (this.fragmentOpcode < 0) return void this.fail('continuation frame without a message in progress');
    } else {
      if (this.fragmentOpcode >= 0) return void this.fail('new data frame before the previous message ended');
      this.fragmentOpcode = opcode;
      this.compressed = rsv1;
    }
    this.fragments.push(payload);
    if (!fin) return;
    let data = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments);
    const binary = this.fragmentOpcode === Op.BINARY;
    const compressed = this.compressed;
    this.fragments = [];
    this.fragmentOpcode = -1;
    this.compressed = false;
    if (compressed) {
      try {
        data = this.deflate!.decompress(data);
      } catch (error) {
        return void this.fail(
          `compressed message does not inflate with the agreed parameters: ${(error as Error).message}`,
        );
      }
    }
    if (!binary && !isUtf8(data)) return void this.fail('text message is not valid UTF-8');
    this.emit(compressed ? { type: 'message', binary, data, compressed } : { type: 'message', binary, data });
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === Op.PING) return this.emit({ type: 'ping', data: payload });
    if (opcode === Op.PONG) return this.emit({ type: 'pong', data: payload });
    if (payload.length === 1) return void this.fail('close frame with a 1-byte body');
    const code = payload.length === 0 ? null : payload.readUInt16BE(0);
    const reason = payload.subarray(2);
    if (code !== null && !isSendableCloseCode(code)) return void this.fail(`close code ${code} may not be sent`);
    if (!isUtf8(reason)) return void this.fail('close reason is not valid UTF-8');
    this.state = 'closed';
    this.emit({ type: 'close', code, reason });
  }

  private fail(message: string): false {
    this.state = 'broken';
    this.emit({ type: 'violation', message });
    return false;
  }

  /** The first `n` buffered bytes without consuming them (n is small: a header). */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    return Buffer.concat(this.chunks, n);
  }

  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) return this.chunks.shift()!;
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return out;
  }
}

/** RFC 6455 7.4: codes an endpoint may put on the wire (1004-1006 and 1015 are reserved). */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}
