import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A raw TCP client that records everything the server sends and when it hung up. */
export class RawConnection {
  received = Buffer.alloc(0);
  readonly closed: Promise<void>;
  private readonly changed: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      for (const notify of this.changed.splice(0)) notify();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static open(port: number): Promise<RawConnection> {
    const socket = connect(port, '127.0.0.1');
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Resolves once `predicate(received)` holds; fails naming `what` after `ms`. */
  async waitFor(predicate: (received: Buffer) => boolean, what: string, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.isClosed) {
        if (predicate(this.received)) return;
        throw new Error(
          `no ${what} within ${ms} ms (received ${JSON.stringify(this.received.toString('latin1').slice(0, 200))})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.changed.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The status of the HTTP response head received so far, or undefined. */
  get status(): number | undefined {
    const text = this.received.toString('latin1');
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
    return match === null ? undefined : Number(match[1]);
  }

  /** Resolves when the server closed the connection; fails naming `what` after `ms`. */
  async waitClosed(what: string, ms = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not close ${what} within ${ms} ms`)), ms);
    });
    await Promise.race([this.closed, timeout]).finally(() => clearTimeout(timer));
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** One masked client frame (RFC 6455 section 5.2), FIN set. */
export function clientFrame(opcode: number, payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.alloc(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = data[i] ^ mask[i & 3];
  return frame;
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** Splits unmasked server frames (after the HTTP head); a partial frame at the end is left out. */
export function serverFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let offset = 0;
  while (offset + 2 <= bytes.length) {
    let length = bytes[offset + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      if (offset + 4 > bytes.length) break;
      length = bytes.readUInt16BE(offset + 2);
      header = 4;
    } else if (length === 127) {
      if (offset + 10 > bytes.length) break;
      length = Number(bytes.readBigUInt64BE(offset + 2));
      header = 10;
    }
    if (offset + header + length > bytes.length) break;
    frames.push({ opcode: bytes[offset] & 0x0f, payload: bytes.subarray(offset + header, offset + header + length) });
    offset += header + length;
  }
  return frames;
}

/** The frames after the 101 response head. */
export function framesAfterUpgrade(received: Buffer): ServerFrame[] {
  const end = received.indexOf('\r\n\r\n');
  return end === -1 ? [] : serverFrames(received.subarray(end + 4));
}

/** Writes `text` to `raw` one byte every `everyMs` until done or the socket is gone; returns a stop. */
export function trickle(raw: RawConnection, text: string, everyMs: number): () => void {
  let index = 0;
  const timer = setInterval(() => {
    if (index >= text.length || raw.isClosed) clearInterval(timer);
    else raw.socket.write(text[index++]);
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * Trickles an upgrade request for `path` to `port` far slower than `timeoutMs` allows and
 * expects a 408 (the request never completed: each byte did not restart the clock) and the
 * connection dropped no earlier than the timeout. The wait itself is the loose upper bound:
 * timeoutMs + 2 s, where Node's own default would take 30 s and more; no tighter bound, as a
 * busy machine delays the drop without the server doing anything wrong.
 */
export async function expectSlowlorisDropped(port: number, request: string, timeoutMs: number): Promise<void> {
  const raw = await RawConnection.open(port);
  const started = Date.now();
  const stop = trickle(raw, request, 40);
  try {
    await raw.waitClosed('the slow client', timeoutMs + 2000);
    const elapsed = Date.now() - started;
    expect(raw.status).toBe(408);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
  } finally {
    stop();
    raw.destroy();
  }
}
