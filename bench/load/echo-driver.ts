import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { EchoJob } from '../messages.js';
import {
  compressMessage,
  decompressMessage,
  DEFLATE_OFFER,
  echoPayload,
  maskedFrame,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  repeatFrame,
} from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const OPEN_CONCURRENCY = 32;

/** The client window a permessage-deflate response allows (client_max_window_bits=N), else 15. */
export function clientWindowBits(extensions: string): number {
  const match = /client_max_window_bits\s*=\s*"?(\d+)/.exec(extensions);
  return match === null ? 15 : Math.max(Number(match[1]), 9);
}

/**
 * Closed-loop echo: every connection keeps `inFlight` messages outstanding and sends one more
 * for each reply. Replies found in one TCP read are answered with one write of k precomputed
 * frames, and stamped with one clock reading, so the generator costs little per message.
 * With `deflate` the frames carry the message compressed (a browser compresses every message),
 * and a server that did not negotiate permessage-deflate fails the run.
 */
export class EchoDriver extends Driver {
  readonly payload: Buffer;
  frameLength = 0;
  batch: Buffer = Buffer.alloc(0);
  running = false;
  private readonly connections: EchoConnection[] = [];

  constructor(readonly job: EchoJob) {
    super();
    this.payload = echoPayload(job.size, job.json);
    if (!job.deflate) this.prepareFrames(this.payload, false);
  }

  async prepare(): Promise<void> {
    const { job } = this;
    await this.openConnections(
      job,
      OPEN_CONCURRENCY,
      ({ socket, rest, extensions }) => {
        if (job.deflate) {
          if (!extensions.startsWith('permessage-deflate'))
            throw new Error('the server did not negotiate permessage-deflate');
          if (this.frameLength === 0)
            this.prepareFrames(compressMessage(this.payload, clientWindowBits(extensions)), true);
        }
        this.connections.push(new EchoConnection(this, socket, rest));
      },
      job.deflate ? DEFLATE_OFFER : undefined,
    );
  }

  private prepareFrames(wirePayload: Buffer, compressed: boolean): void {
    const frame = maskedFrame(this.job.json ? OPCODE_TEXT : OPCODE_BINARY, wirePayload, undefined, compressed);
    this.frameLength = frame.length;
    this.batch = repeatFrame(frame, this.job.inFlight);
  }

  start(): void {
    this.running = true;
    for (const connection of this.connections) connection.send(this.job.inFlight, performance.now());
  }

  override stopSending(): void {
    this.running = false;
  }
}

class EchoConnection implements FrameListener {
  private readonly reader = new ServerFrameReader(this);
  /** Send times of the outstanding messages, oldest at `head` (replies come back in order). */
  private readonly sentAt: Float64Array;
  private head = 0;
  private outstanding = 0;
  private verified = false;
  /** Clock reading of the TCP read being parsed. */
  private now = 0;
  private replies = 0;

  constructor(
    private readonly driver: EchoDriver,
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    this.sentAt = new Float64Array(driver.job.inFlight);
    // A compressed reply may be a few bytes longer than the message (data deflate cannot shrink).
    this.reader.captureHead(driver.payload.length + 64);
    if (rest.length > 0) this.onData(rest);
    consume(socket, (chunk) => this.onData(chunk));
  }

  send(count: number, now: number): void {
    const { driver } = this;
    const bytes = count === driver.job.inFlight ? driver.batch : driver.batch.subarray(0, count * driver.frameLength);
    this.socket.write(bytes);
    const capacity = this.sentAt.length;
    for (let i = 0; i < count; i++) this.sentAt[(this.head + this.outstanding + i) % capacity] = now;
    this.outstanding += count;
    driver.sent += count;
  }

  onFrame(opcode: number, fin: boolean, payloadLength: number, head: Buffer): void {
    const { driver } = this;
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY || opcode === 0) {
      driver.bytes += payloadLength;
      if (!fin) return;
      driver.messages++;
      this.replies++;
      if (this.outstanding > 0) {
        driver.histogram.record((this.now - this.sentAt[this.head]) * 1000);
        this.head = (this.head + 1) % this.sentAt.length;
        this.outstanding--;
      }
      if (!this.verified) this.verify(head);
    } else if (opcode === OPCODE_CLOSE) {
      driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  private onData(chunk: Buffer): void {
    this.now = performance.now();
    this.replies = 0;
    this.reader.push(chunk);
    if (this.replies > 0 && this.driver.running) this.send(this.replies, this.now);
  }

  /** The first reply of each connection must be the message, byte for byte (once inflated). */
  private verify(head: Buffer): void {
    this.verified = true;
    this.reader.captureHead(0);
    let message = head;
    if (this.reader.rsv1) {
      try {
        message = decompressMessage(head);
      } catch {
        this.driver.error('the compressed echo does not inflate');
        return;
      }
    }
    if (!message.equals(this.driver.payload)) this.driver.error('the echo differs from the message sent');
  }
}
