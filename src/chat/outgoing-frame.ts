import { prepareFrame, type PreparedFrame } from '../websocket/index.js';
import type { ChatSocket } from './chat-socket.js';

/**
 * One text message for many recipients: framed at most once, the same bytes written to every
 * connection of ours; other connections (`ws` under `@nestjs/platform-ws`) get the string.
 */
export class OutgoingFrame {
  private frame: PreparedFrame | undefined;

  constructor(readonly text: string) {}

  writeTo(socket: ChatSocket): void {
    if (socket.sendFrame !== undefined) socket.sendFrame((this.frame ??= prepareFrame(this.text)));
    else socket.send(this.text);
  }
}
