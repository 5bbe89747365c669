import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ChatRoundTripJob } from '../messages.js';
import { CHAT_HEAD_BYTES, chatFrameKind, chatJoinFrame, chatMessageFrame } from './chat-message.js';
import { maskedFrame, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const JOIN_POLL_MS = 20;
const TEXT = 'one message in flight';

/**
 * The chat's one message in flight: member A sends a `message` with a `ref`, and sends the
 * next once both its `ack` and member B's copy are in. Records the time to the ack or to B's
 * copy (the job says which), from one clock reading per TCP read.
 */
export class ChatRoundTripDriver extends Driver {
  running = false;
  private sender: ChatMember | undefined;
  private receiver: ChatMember | undefined;
  private sentAt = 0;
  private acked = false;
  private delivered = false;

  constructor(readonly job: ChatRoundTripJob) {
    super();
  }

  async prepare(): Promise<void> {
    const { job } = this;
    const members: ChatMember[] = [];
    const join = chatJoinFrame(job.room);
    await this.openConnections({ ...job, connections: 2 }, 1, ({ socket, rest }) => {
      members.push(new ChatMember(this, socket, rest));
      socket.write(join);
    });
    [this.sender, this.receiver] = members;
    const deadline = Date.now() + job.connectTimeoutMs;
    while (!members.every((member) => member.joined)) {
      if (this.errors > 0) throw new Error(`joining room ${job.room}: ${this.lastError}`);
      if (Date.now() >= deadline) throw new Error(`the two members did not join ${job.room} in time`);
      await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
    }
  }

  start(): void {
    this.running = true;
    this.send(performance.now());
  }

  override stopSending(): void {
    this.running = false;
  }

  /** A `message` or `ack` frame reached `member` at `now`. */
  arrived(member: ChatMember, kind: 'message' | 'ack', now: number): void {
    if (member === this.sender) {
      if (kind !== 'ack') return; // A's own copy of its message
      this.acked = true;
      if (this.job.measure === 'ack') this.histogram.record((now - this.sentAt) * 1000);
    } else {
      this.delivered = true;
      if (this.job.measure === 'delivery') this.histogram.record((now - this.sentAt) * 1000);
    }
    if (!this.acked || !this.delivered) return;
    this.messages++;
    if (this.running) this.send(now);
  }

  private send(now: number): void {
    this.acked = false;
    this.delivered = false;
    this.sentAt = now;
    this.sent++;
    // A ref of its own per message: the chat takes a repeated ref as a resend (idempotency key),
    // acked again but neither stored nor delivered twice. One small frame per round trip.
    this.sender!.socket.write(chatMessageFrame(this.job.room, TEXT, `r${this.sent}`));
  }
}

class ChatMember implements FrameListener {
  joined = false;
  private readonly reader = new ServerFrameReader(this);
  private now = 0;

  constructor(
    private readonly driver: ChatRoundTripDriver,
    readonly socket: Socket,
    rest: Buffer,
  ) {
    this.reader.captureHead(CHAT_HEAD_BYTES);
    if (rest.length > 0) this.onData(rest);
    consume(socket, (chunk) => this.onData(chunk));
  }

  onFrame(opcode: number, fin: boolean, payloadLength: number, head: Buffer): void {
    const { driver } = this;
    if (opcode === OPCODE_TEXT) {
      driver.bytes += payloadLength;
      if (!fin) return;
      const kind = chatFrameKind(head);
      if (kind === 'joined') this.joined = true;
      else if (kind === 'message' || kind === 'ack') driver.arrived(this, kind, this.now);
    } else if (opcode === OPCODE_CLOSE) {
      driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  private onData(chunk: Buffer): void {
    this.now = performance.now();
    this.reader.push(chunk);
  }
}
