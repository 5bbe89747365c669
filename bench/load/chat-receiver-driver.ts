import type { Socket } from 'node:net';
import type { ChatReceiverJob } from '../messages.js';
import { monotonicMicros } from './broadcast-message.js';
import { CHAT_HEAD_BYTES, chatFrameKind, chatJoinFrame, readStamp } from './chat-message.js';
import { maskedFrame, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const OPEN_CONCURRENCY = 64;
const JOIN_POLL_MS = 20;

/**
 * Receivers on the product's `/chat`: each joins one room (spread over `rooms` when given) and then reads as data arrives,
 * counting every stamped `message` once (a second copy is a duplicate) and recording its
 * end-to-end latency from the publisher's time inside the text.
 */
export class ChatReceiverDriver extends Driver {
  joined = 0;

  constructor(readonly job: ChatReceiverJob) {
    super();
  }

  async prepare(): Promise<void> {
    const { job } = this;
    const joins = (job.rooms ?? [job.room]).map((room) => chatJoinFrame(room));
    const deadline = Date.now() + job.connectTimeoutMs;
    let opened = 0;
    await this.openConnections(job, OPEN_CONCURRENCY, ({ socket, rest }) => {
      new ChatReceiver(this, socket, rest);
      socket.write(joins[opened++ % joins.length]);
    });
    while (this.joined < job.connections) {
      if (this.errors > 0) throw new Error(`joining room ${job.room}: ${this.lastError}`);
      if (Date.now() >= deadline)
        throw new Error(
          `${this.joined} of ${job.connections} joined room ${job.room} within ${job.connectTimeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
    }
  }

  start(): void {}
}

class ChatReceiver implements FrameListener {
  private readonly reader = new ServerFrameReader(this);
  private readonly stamp: [number, number] = [0, 0];
  /** One byte per sequence number: whether it arrived. */
  private seen = new Uint8Array(1024);
  private now = 0;

  constructor(
    private readonly driver: ChatReceiverDriver,
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    this.reader.captureHead(CHAT_HEAD_BYTES);
    if (rest.length > 0) this.onData(rest);
    consume(socket, (chunk) => this.onData(chunk));
  }

  onFrame(opcode: number, fin: boolean, payloadLength: number, head: Buffer): void {
    const { driver } = this;
    if (opcode === OPCODE_TEXT) {
      if (!fin) return;
      const kind = chatFrameKind(head);
      if (kind === 'joined') driver.joined++;
      if (kind !== 'message') return;
      if (!readStamp(head, this.stamp)) {
        driver.error('a message without a stamped text');
        return;
      }
      if (this.markSeen(this.stamp[1])) {
        driver.duplicates++;
        return;
      }
      driver.messages++;
      driver.bytes += payloadLength;
      driver.histogram.record(this.now - this.stamp[0]);
    } else if (opcode === OPCODE_CLOSE) {
      driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  /** Records `seq`; true if it had arrived before. */
  private markSeen(seq: number): boolean {
    if (seq >= this.seen.length) {
      const grown = new Uint8Array(Math.max(seq + 1, this.seen.length * 2));
      grown.set(this.seen);
      this.seen = grown;
    }
    const before = this.seen[seq];
    this.seen[seq] = 1;
    return before === 1;
  }

  private onData(chunk: Buffer): void {
    this.now = monotonicMicros();
    this.reader.push(chunk);
  }
}
