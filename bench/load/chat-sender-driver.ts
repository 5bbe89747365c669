import type { Socket } from 'node:net';
import type { ChatSenderJob, SendMode } from '../messages.js';
import { monotonicMicros } from './broadcast-message.js';
import { CHAT_HEAD_BYTES, chatFrameKind, chatJoinFrame, chatMessageFrame, stampedText } from './chat-message.js';
import { maskedFrame, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const JOIN_POLL_MS = 20;
/** How often the sender checks what is due. */
const RATE_TICK_MS = 1;

/**
 * The chat fan-out's publisher: a member of `room` on the product's `/chat` that posts
 * `message`s at a fixed rate, each text stamped with the time it leaves (`<time>:<seq>`, what
 * the chat receivers read). `sent` counts the messages, `messages` its own copies of them.
 */
export class ChatSenderDriver extends Driver implements FrameListener {
  private socket: Socket | undefined;
  private readonly reader = new ServerFrameReader(this);
  private joined = false;
  private timer: NodeJS.Timeout | undefined;
  private rateStart = 0;
  private rateSent = 0;

  constructor(readonly job: ChatSenderJob) {
    super();
    this.reader.captureHead(CHAT_HEAD_BYTES);
  }

  async prepare(): Promise<void> {
    const { job } = this;
    await this.openConnections({ ...job, connections: 1 }, 1, ({ socket, rest }) => {
      this.socket = socket;
      if (rest.length > 0) this.reader.push(rest);
      consume(socket, (chunk) => this.reader.push(chunk));
      socket.write(chatJoinFrame(job.room));
    });
    const deadline = Date.now() + job.connectTimeoutMs;
    while (!this.joined) {
      if (this.errors > 0) throw new Error(`joining room ${job.room}: ${this.lastError}`);
      if (Date.now() >= deadline) throw new Error(`the sender did not join ${job.room} in time`);
      await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS));
    }
  }

  start(send: SendMode | undefined): void {
    if (send?.mode !== 'rate') throw new Error('the chat sender needs a fixed rate');
    this.rateStart = performance.now();
    this.rateSent = 0;
    this.timer = setInterval(() => this.sendDue(send.perSecond), RATE_TICK_MS);
  }

  override stopSending(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  onFrame(opcode: number, fin: boolean, _payloadLength: number, head: Buffer): void {
    if (opcode === OPCODE_TEXT) {
      if (!fin) return;
      const kind = chatFrameKind(head);
      if (kind === 'joined') this.joined = true;
      else if (kind === 'message') this.messages++;
      else if (kind === 'other' && head.includes('"event":"error"')) this.error(head.toString('utf8'));
    } else if (opcode === OPCODE_CLOSE) {
      this.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket?.write(maskedFrame(OPCODE_PONG, head));
    }
  }

  private sendDue(perSecond: number): void {
    const due = Math.floor(((performance.now() - this.rateStart) * perSecond) / 1000) - this.rateSent;
    if (due <= 0 || this.socket === undefined) return;
    this.rateSent += due;
    const now = monotonicMicros();
    const frames: Buffer[] = [];
    for (let i = 0; i < due; i++) frames.push(chatMessageFrame(this.job.room, stampedText(now, this.sent + i)));
    this.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
    this.sent += due;
  }
}
