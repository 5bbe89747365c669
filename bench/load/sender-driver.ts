import type { Socket } from 'node:net';
import type { SendMode, SenderJob } from '../messages.js';
import { BroadcastFrames, monotonicMicros } from './broadcast-message.js';
import {
  maskedFrame,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  upgradeRequest,
} from './client-frames.js';
import { Driver } from './driver.js';
import { consume, openWebSocket } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

/** How often the fixed-rate sender checks what is due. */
const RATE_TICK_MS = 1;

/**
 * The broadcast publisher: one connection, opened after every receiver, so the server's fan-out
 * loop reaches it last and its own copy says "the server has written this broadcast to
 * everyone". `messages` counts those copies (acknowledgements), `sent` the broadcasts.
 *
 * At max rate it keeps `window` broadcasts unacknowledged; at a fixed rate a 1 ms timer sends
 * what is due, stamped with the time it leaves.
 */
export class SenderDriver extends Driver implements FrameListener {
  private readonly frames: BroadcastFrames;
  private socket: Socket | undefined;
  private readonly reader = new ServerFrameReader(this);
  private mode: SendMode | undefined;
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private rateStart = 0;
  private rateSent = 0;
  private acksThisRead = 0;

  constructor(readonly job: SenderJob) {
    super();
    this.frames = new BroadcastFrames(job.size);
  }

  async prepare(): Promise<void> {
    const { job } = this;
    const request = upgradeRequest(job.endpoint.host, job.endpoint.port, job.endpoint.path);
    const { socket, rest } = await openWebSocket(job.endpoint, job.localAddress, request, job.connectTimeoutMs);
    this.socket = socket;
    this.own(socket);
    if (rest.length > 0) this.onData(rest);
    consume(socket, (chunk) => this.onData(chunk));
  }

  start(send: SendMode | undefined, _readEveryMs = 0): void {
    if (send === undefined) throw new Error('the sender needs a send mode');
    this.mode = send;
    this.sending = true;
    if (send.mode === 'max') {
      this.send(send.window);
      return;
    }
    this.rateStart = performance.now();
    this.rateSent = 0;
    this.timer = setInterval(() => this.sendDue(send.perSecond), RATE_TICK_MS);
  }

  override stopSending(): void {
    this.sending = false;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  onFrame(opcode: number, _fin: boolean, _payloadLength: number, head: Buffer): void {
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      this.messages++;
      this.acksThisRead++;
    } else if (opcode === OPCODE_CLOSE) {
      this.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket?.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  private onData(chunk: Buffer): void {
    this.acksThisRead = 0;
    this.reader.push(chunk);
    if (this.sending && this.mode?.mode === 'max' && this.acksThisRead > 0) this.send(this.acksThisRead);
  }

  private sendDue(perSecond: number): void {
    const due = Math.floor(((performance.now() - this.rateStart) * perSecond) / 1000) - this.rateSent;
    if (due <= 0) return;
    this.rateSent += due;
    this.send(due);
  }

  private send(count: number): void {
    if (this.socket === undefined) return;
    this.socket.write(this.frames.build(count, monotonicMicros(), this.sent));
    this.sent += count;
  }
}
