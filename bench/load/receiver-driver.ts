import type { Socket } from 'node:net';
import type { ReceiverJob } from '../messages.js';
import { BROADCAST_HEAD_BYTES, monotonicMicros, readSendTime } from './broadcast-message.js';
import { maskedFrame, OPCODE_BINARY, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const OPEN_CONCURRENCY = 64;

/**
 * Broadcast receivers: count every delivery and record its end-to-end latency from the send
 * time the sender wrote into the message (one clock reading per TCP read).
 *
 * Reading a fan-out costs the reader about what writing it costs the server: one syscall and
 * one callback per delivery. At max rate, where only the server's throughput and CPU matter,
 * the receivers therefore read in batches: every socket is paused and all are resumed every
 * `readEveryMs`, so one read picks up many deliveries and the load generator stays off the
 * critical path. Latency is only meaningful when reading as data arrives (readEveryMs = 0).
 */
export class ReceiverDriver extends Driver {
  private readonly receivers: Receiver[] = [];
  private readTimer: NodeJS.Timeout | undefined;
  batched = false;

  constructor(readonly job: ReceiverJob) {
    super();
  }

  async prepare(): Promise<void> {
    const { job } = this;
    await this.openConnections(job, OPEN_CONCURRENCY, ({ socket, rest }) => {
      this.receivers.push(new Receiver(this, socket, rest));
    });
  }

  start(_send: unknown, readEveryMs: number): void {
    if (this.readTimer !== undefined) clearInterval(this.readTimer);
    this.readTimer = undefined;
    this.batched = readEveryMs > 0;
    if (this.batched) {
      this.readTimer = setInterval(() => this.resumeAll(), readEveryMs);
    } else {
      this.resumeAll();
    }
  }

  override close(): void {
    if (this.readTimer !== undefined) clearInterval(this.readTimer);
    super.close();
  }

  private resumeAll(): void {
    for (const receiver of this.receivers) receiver.socket.resume();
  }
}

class Receiver implements FrameListener {
  private readonly reader = new ServerFrameReader(this);
  private now = 0;

  constructor(
    private readonly driver: ReceiverDriver,
    readonly socket: Socket,
    rest: Buffer,
  ) {
    this.reader.captureHead(BROADCAST_HEAD_BYTES);
    if (rest.length > 0) this.onData(rest);
    consume(socket, (chunk) => this.onData(chunk));
  }

  onFrame(opcode: number, fin: boolean, payloadLength: number, head: Buffer): void {
    const { driver } = this;
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      driver.bytes += payloadLength;
      driver.messages++;
      const sentAt = readSendTime(head);
      if (Number.isNaN(sentAt) || !fin) driver.error('a delivery without a send time');
      else if (!driver.batched) driver.histogram.record(this.now - sentAt);
    } else if (opcode === OPCODE_CLOSE) {
      driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  /** In batch mode, one read per socket per period: returning false pauses the socket. */
  private onData(chunk: Buffer): boolean {
    this.now = monotonicMicros();
    this.reader.push(chunk);
    return !this.driver.batched;
  }
}
