import { Logger } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { principalName, type ChatSocket } from './chat-socket.js';
import type { ChatConnection } from './connection-registry.js';
import { LobbyGateway, sendFrame } from './lobby-gateway.js';
import { isMessageText, LOBBY } from './names.js';
import { peerNameOf } from './peer-name.js';
import { QUIT_COMMAND, readsAsLogout } from './text-lines.js';
import { errorFragment, messageFragment, tornadoName } from './tornado-fragments.js';

/**
 * The protocol of the Tornado chat room tutorial on `ws /tornado` (README, "Tornado chat room
 * protocol"): the first frame is the connection's uid, then the lobby's history and its live
 * messages, one HTML fragment each; each frame received is JSON `{"uid", "message"}`.
 */
@WebSocketGateway({ path: '/tornado' })
export class TornadoChatGateway extends LobbyGateway {
  protected readonly logger = new Logger(TornadoChatGateway.name);

  async handleConnection(socket: ChatSocket, request: IncomingMessage): Promise<void> {
    socket.setMaxPayload?.(this.options.maxFrameBytes);
    // The uid is the connection id: the `fromId` of its messages when it has no token.
    const uid = randomUUID();
    const connection = this.chat.connect(socket, {
      kind: 'tornado',
      id: uid,
      name: tornadoName(uid, this.options.maxNameLength),
      remoteAddress: peerNameOf(request),
      lockedName: principalName(socket.principal),
      principal: socket.principal,
    });
    sendFrame(socket, uid);
    await this.enterLobby(socket, connection, messageFragment);
  }

  protected errorFrame(text: string): string {
    return errorFragment(text);
  }

  protected async receiveText(socket: ChatSocket, connection: ChatConnection, frame: Buffer): Promise<void> {
    // Every frame costs a token, a malformed one too: the warnings it logs are bounded.
    if (!this.chat.admit(connection)) return sendFrame(socket, errorFragment('too many messages, slow down'));
    const text = messageOf(frame);
    if (text === undefined) {
      // The tutorial's server would have failed on it and kept the connection.
      this.logger.warn(`ignored a frame of ${connection.name}: not JSON with a string "message"`);
      return;
    }
    // The page sends what its input holds, empty or not: nothing to show.
    if (text.trim() === '') return;
    if (!isMessageText(text, this.options.maxTextLength)) {
      return sendFrame(socket, errorFragment(`a message can be at most ${this.options.maxTextLength} characters`));
    }
    if (readsAsLogout(text, connection.name)) {
      return sendFrame(socket, errorFragment(`only a plain-text client's ${QUIT_COMMAND} says that`));
    }
    await this.chat.post(connection, LOBBY, text);
  }
}

/**
 * The `message` of a frame `{"uid": ..., "message": ...}`; undefined when the frame is not a
 * JSON object with a string `message`. The `uid` it claims is not believed: a message is from
 * the uid the server gave the connection.
 */
export function messageOf(frame: Buffer): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { message } = parsed as { message?: unknown };
  return typeof message === 'string' ? message : undefined;
}
