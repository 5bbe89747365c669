import WebSocket from 'ws';
import { Histogram } from '../histogram.js';
import { monotonicMicros } from '../load/broadcast-message.js';
import { chatFrameKind, readStamp } from '../load/chat-message.js';

const JOIN_TIMEOUT_MS = 10_000;

/** Opens a `/chat` connection and resolves once the server has welcomed it. */
export function openChat(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`no welcome from ${url}`)), JOIN_TIMEOUT_MS);
    socket.once('error', reject);
    socket.once('message', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Joins `rooms` and resolves once every `joined` reply is in. */
export function joinRooms(socket: WebSocket, rooms: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let joined = 0;
    const timer = setTimeout(() => reject(new Error(`${joined} of ${rooms.length} rooms joined`)), JOIN_TIMEOUT_MS);
    const onMessage = (data: Buffer): void => {
      if (chatFrameKind(data) !== 'joined' || ++joined < rooms.length) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve();
    };
    socket.on('message', onMessage);
    for (const room of rooms) socket.send(JSON.stringify({ event: 'join', data: { room } }));
  });
}

/**
 * A member of every publishing room: counts each stamped message once (a second copy is a
 * duplicate) and records its publish-to-delivery latency, per measurement window.
 */
export class PublishReceiver {
  /** Unique messages received in the window. */
  messages = 0;
  duplicates = 0;
  readonly histogram = new Histogram();
  private seen = new Uint8Array(1 << 16);
  private readonly stamp: [number, number] = [0, 0];

  constructor(socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.receive(data, monotonicMicros()));
  }

  /** Starts a window: counts and latencies from now on. */
  mark(): void {
    this.messages = 0;
    this.duplicates = 0;
    this.histogram.reset();
  }

  /** Whether message `seq` has arrived (in any window). */
  has(seq: number): boolean {
    return seq < this.seen.length && this.seen[seq] === 1;
  }

  receive(data: Buffer, now: number): void {
    if (chatFrameKind(data) !== 'message' || !readStamp(data, this.stamp)) return;
    const [sentAt, seq] = this.stamp;
    if (seq >= this.seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    if (this.seen[seq] === 1) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    this.messages++;
    this.histogram.record(now - sentAt);
  }
}
