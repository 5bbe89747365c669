import type { Socket } from 'node:net';
import type { ChatStormJob } from '../messages.js';
import { chatFrameKind, chatJoinFrame } from './chat-message.js';
import { maskedFrame, OPCODE_CLOSE, OPCODE_PING, OPCODE_PONG, OPCODE_TEXT } from './client-frames.js';
import { Driver } from './driver.js';
import { consume } from './open-websocket.js';
import { type FrameListener, ServerFrameReader } from './server-frame-reader.js';

const OPEN_CONCURRENCY = 64;
/** The start of a frame is enough to tell `joined` from `presence`. */
const HEAD_BYTES = 24;
const BATCHES = 20;

/**
 * A reconnect storm on the product's `/chat`: the connections are opened beforehand, and on
 * 'start' all of them join (in BATCHES spread over `spreadMs`), into one room or each into its
 * own. Counts `joined` replies as messages and `presence` frames.
 */
export class ChatStormDriver extends Driver {
  private readonly members: Socket[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(readonly job: ChatStormJob) {
    super();
  }

  async prepare(): Promise<void> {
    await this.openConnections(this.job, OPEN_CONCURRENCY, ({ socket, rest }) => {
      new StormMember(this, socket, rest);
      this.members.push(socket);
    });
  }

  start(): void {
    const { job, members } = this;
    const perBatch = Math.ceil(members.length / BATCHES);
    for (let batch = 0; batch < BATCHES; batch++) {
      const timer = setTimeout(
        () => {
          for (let i = batch * perBatch; i < Math.min(members.length, (batch + 1) * perBatch); i++) {
            members[i].write(chatJoinFrame(job.room ?? `${job.roomPrefix}${i}`));
            this.sent++;
          }
        },
        (job.spreadMs * batch) / BATCHES,
      );
      this.timers.push(timer);
    }
  }

  override stopSending(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }
}

class StormMember implements FrameListener {
  private readonly reader = new ServerFrameReader(this);

  constructor(
    private readonly driver: ChatStormDriver,
    private readonly socket: Socket,
    rest: Buffer,
  ) {
    this.reader.captureHead(HEAD_BYTES);
    if (rest.length > 0) this.reader.push(rest);
    consume(socket, (chunk) => this.reader.push(chunk));
  }

  onFrame(opcode: number, fin: boolean, _payloadLength: number, head: Buffer): void {
    const { driver } = this;
    if (opcode === OPCODE_TEXT) {
      if (!fin) return;
      const kind = chatFrameKind(head);
      if (kind === 'joined') driver.messages++;
      else if (kind === 'presence') driver.presence++;
    } else if (opcode === OPCODE_CLOSE) {
      driver.error(`server sent a close frame${head.length >= 2 ? ` (${head.readUInt16BE(0)})` : ''}`);
    } else if (opcode === OPCODE_PING) {
      this.socket.write(maskedFrame(OPCODE_PONG, head));
    }
  }
}
