import { Inject, Injectable, type Logger } from '@nestjs/common';
import type { OnGatewayConnection, OnGatewayDisconnect } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../websocket/index.js';
import type { ChatMessage } from './bus/chat-events.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { frameBytes, SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection } from './connection-registry.js';
import { lobbyRefusal, postRefusal } from './lobby-refusals.js';
import { LOBBY } from './names.js';

/**
 * What the one-room protocols (plain text on `/`, Tornado on `/tornado`) share: every
 * connection is in the lobby from its first frame on, each text frame it sends is one message
 * of the lobby, binary frames close it (1003), and what goes wrong is answered in the
 * protocol's own error frame. A subclass says how a connection starts, how a frame reads and
 * what an error frame looks like.
 */
@Injectable()
export abstract class LobbyGateway implements OnGatewayConnection, OnGatewayDisconnect {
  protected abstract readonly logger: Logger;
  // One listener for every connection (`this` is the socket), not a closure per connection.
  private readonly onFrame: (this: ChatSocket, data: unknown, isBinary: boolean) => void;

  constructor(
    protected readonly chat: ChatService,
    protected readonly registry: ConnectionRegistry,
    @Inject(CHAT_OPTIONS) protected readonly options: ResolvedChatOptions,
  ) {
    const gateway = this;
    this.onFrame = function (data, isBinary) {
      gateway.receive(this, data, isBinary).catch((error: unknown) => gateway.fail(this, error));
    };
  }

  abstract handleConnection(socket: ChatSocket, request: IncomingMessage): Promise<void>;

  /** The text of an error frame of this protocol. */
  protected abstract errorFrame(text: string): string;

  /** Takes one text frame of a member of the lobby. */
  protected abstract receiveText(socket: ChatSocket, connection: ChatConnection, frame: Buffer): Promise<void>;

  async handleDisconnect(socket: ChatSocket): Promise<void> {
    await this.chat.disconnect(socket);
  }

  /**
   * Reads the socket's frames from now on (call it in the turn of the connection, before any
   * frame is read) and joins the lobby, sending its history a frame per message; a refused
   * join is answered with an error frame and closes the connection.
   */
  protected async enterLobby(
    socket: ChatSocket,
    connection: ChatConnection,
    replay: (message: ChatMessage) => string,
  ): Promise<void> {
    socket.on('message', this.onFrame);
    try {
      await this.chat.join(connection, { room: LOBBY }, ({ history }) => {
        for (const message of history.messages) sendFrame(socket, replay(message));
      });
    } catch (error) {
      const refusal = lobbyRefusal(error);
      if (refusal === undefined) return this.fail(socket, error);
      sendFrame(socket, this.errorFrame(refusal.text));
      if (socket.readyState === SOCKET_OPEN) socket.close(refusal.code, refusal.reason);
    }
  }

  private async receive(socket: ChatSocket, data: unknown, isBinary: boolean): Promise<void> {
    const connection = this.registry.find(socket);
    if (connection === undefined || !connection.rooms.has(LOBBY)) return;
    if (isBinary) {
      socket.close(CloseCode.UNSUPPORTED_DATA, 'text frames only');
      return;
    }
    await this.receiveText(socket, connection, frameBytes(data));
  }

  private fail(socket: ChatSocket, error: unknown): void {
    const refusal = postRefusal(error);
    if (refusal === null) return;
    if (refusal !== undefined) return sendFrame(socket, this.errorFrame(refusal));
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
  }
}

/** Sends a text frame unless the socket is closing. */
export function sendFrame(socket: ChatSocket, frame: string): void {
  if (socket.readyState === SOCKET_OPEN) socket.send(frame);
}
