import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../websocket/index.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { frameBytes, principalName, SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry } from './connection-registry.js';
import { lobbyRefusal, postRefusal } from './lobby-refusals.js';
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
export class TornadoChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(TornadoChatGateway.name);
  // One listener for every connection (`this` is the socket), not a closure per connection.
  private readonly onFrame: (this: ChatSocket, data: unknown, isBinary: boolean) => void;

  constructor(
    private readonly chat: ChatService,
    private readonly registry: ConnectionRegistry,
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
  ) {
    const gateway = this;
    this.onFrame = function (data, isBinary) {
      gateway.receive(this, data, isBinary).catch((error: unknown) => gateway.fail(this, error));
    };
  }

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
    socket.on('message', this.onFrame);
    send(socket, uid);
    try {
      await this.chat.join(connection, { room: LOBBY }, ({ history }) => {
        for (const message of history.messages) send(socket, messageFragment(message));
      });
    } catch (error) {
      const refusal = lobbyRefusal(error);
      if (refusal === undefined) return this.fail(socket, error);
      send(socket, errorFragment(refusal.text));
      if (socket.readyState === SOCKET_OPEN) socket.close(refusal.code, refusal.reason);
    }
  }

  async handleDisconnect(socket: ChatSocket): Promise<void> {
    await this.chat.disconnect(socket);
  }

  private async receive(socket: ChatSocket, data: unknown, isBinary: boolean): Promise<void> {
    const connection = this.registry.find(socket);
    if (connection === undefined || !connection.rooms.has(LOBBY)) return;
    if (isBinary) {
      socket.close(CloseCode.UNSUPPORTED_DATA, 'text frames only');
      return;
    }
    // Every frame costs a token, a malformed one too: the warnings it logs are bounded.
    if (!this.chat.admit(connection)) return send(socket, errorFragment('too many messages, slow down'));
    const text = messageOf(frameBytes(data));
    if (text === undefined) {
      // The tutorial's server would have failed on it and kept the connection.
      this.logger.warn(`ignored a frame of ${connection.name}: not JSON with a string "message"`);
      return;
    }
    // The page sends what its input holds, empty or not: nothing to show.
    if (text.trim() === '') return;
    if (!isMessageText(text, this.options.maxTextLength)) {
      return send(socket, errorFragment(`a message can be at most ${this.options.maxTextLength} characters`));
    }
    if (readsAsLogout(text, connection.name)) {
      return send(socket, errorFragment(`only a plain-text client's ${QUIT_COMMAND} says that`));
    }
    await this.chat.post(connection, LOBBY, text);
  }

  private fail(socket: ChatSocket, error: unknown): void {
    const refusal = postRefusal(error);
    if (refusal === null) return;
    if (refusal !== undefined) return send(socket, errorFragment(refusal));
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
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

function send(socket: ChatSocket, frame: string): void {
  if (socket.readyState === SOCKET_OPEN) socket.send(frame);
}
