/**
 * The test client's side of permessage-deflate (RFC 7692), written against Node's zlib and
 * independent of src/websocket: it reads the server's answer, compresses the client's
 * messages as the agreed parameters allow, and decompresses the server's holding it to them.
 * Context takeover is reproduced with zlib's preset dictionary: the window a compressor keeps
 * between messages is exactly the tail of the messages before, so compressing or inflating
 * with that tail as the dictionary gives the same bytes, synchronously.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

const SYNC_FLUSH = { finishFlush: constants.Z_SYNC_FLUSH };
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

export interface NegotiatedDeflate {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  readonly serverMaxWindowBits: number;
  readonly clientMaxWindowBits: number;
}

/** Parses the 101's Sec-WebSocket-Extensions; returns a message when it is not a valid answer. */
export function parseDeflateResponse(header: string): NegotiatedDeflate | string {
  const [name, ...params] = header.split(';').map((part) => part.trim());
  if (name !== 'permessage-deflate') return `unexpected extension ${JSON.stringify(name)}`;
  const seen = new Set<string>();
  const result = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: 15,
    clientMaxWindowBits: 15,
  };
  for (const param of params) {
    const [key, value] = param.split('=').map((part) => part.trim());
    if (seen.has(key)) return `parameter ${key} repeated`;
    seen.add(key);
    const bits = Number(value);
    const validBits = value !== undefined && /^(8|9|1[0-5])$/.test(value);
    if (key === 'server_no_context_takeover' && value === undefined) result.serverNoContextTakeover = true;
    else if (key === 'client_no_context_takeover' && value === undefined) result.clientNoContextTakeover = true;
    else if (key === 'server_max_window_bits' && validBits) result.serverMaxWindowBits = bits;
    else if (key === 'client_max_window_bits' && validBits) result.clientMaxWindowBits = bits;
    else return `invalid parameter ${JSON.stringify(param)}`;
  }
  return result;
}

/** One direction's LZ77 window: the tail of the messages that went through the codec. */
class Window {
  private history = Buffer.alloc(0);

  constructor(
    private readonly takeover: boolean,
    readonly windowBits: number,
  ) {}

  get dictionary(): Buffer | undefined {
    return this.takeover && this.history.length > 0 ? this.history : undefined;
  }

  add(message: Buffer): void {
    if (!this.takeover) return;
    const size = 1 << this.windowBits;
    this.history = Buffer.concat([this.history, message]);
    if (this.history.length > size) this.history = this.history.subarray(this.history.length - size);
  }
}

/** Compresses the client's messages the way a conformant client may. */
export class ClientCompressor {
  private readonly window: Window;

  constructor(params: { noContextTakeover: boolean; windowBits: number }) {
    this.window = new Window(!params.noContextTakeover, params.windowBits);
  }

  /** The payload of a compressed message: raw deflate, sync-flushed, trailer removed. */
  compress(message: Buffer | string): Buffer {
    const data = typeof message === 'string' ? Buffer.from(message) : message;
    // zlib refuses an 8-bit window for raw deflate; a 9-bit one never reaches past 250 bytes.
    const windowBits = Math.max(this.window.windowBits, 9);
    const out = deflateRawSync(data, { ...SYNC_FLUSH, windowBits, dictionary: this.window.dictionary });
    this.window.add(data);
    return out.subarray(0, out.length - 4);
  }
}

/** Decompresses the server's messages with the window the agreed parameters allow it. */
export class ServerDecompressor {
  private readonly window: Window;

  constructor(params: NegotiatedDeflate) {
    this.window = new Window(!params.serverNoContextTakeover, params.serverMaxWindowBits);
  }

  /** Throws when the data is not valid deflate for the agreed window and context. */
  decompress(payload: Buffer): Buffer {
    const out = inflateRawSync(Buffer.concat([payload, TRAILER]), {
      ...SYNC_FLUSH,
      windowBits: this.window.windowBits,
      dictionary: this.window.dictionary,
    });
    this.window.add(out);
    return out;
  }
}
