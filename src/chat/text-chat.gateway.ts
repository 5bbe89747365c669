import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../websocket/index.js';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError } from './chat-error.js';
import { lobbyRefusal, postRefusal } from './lobby-refusals.js';
import { CHAT_OPTIONS, maxLineBytes, type ResolvedChatOptions } from './chat-options.js';
import { frameBytes, SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection } from './connection-registry.js';
import { isMessageText, LOBBY } from './names.js';
import { peerNameOf } from './peer-name.js';
import { chatLine, logoutText, QUIT_COMMAND, readsAsLogout } from './text-lines.js';

/**
 * The plain-text protocol of the original socket servers on `ws /` (README, "Plain-text protocol
 * on /"): everyone is in
 * `lobby`, named by their address; each text frame is a line of chat, `quit` leaves.
 */
@WebSocketGateway({ path: '/' })
export class TextChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(TextChatGateway.name);
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
    socket.setMaxPayload?.(maxLineBytes(this.options));
    const name = peerNameOf(request);
    const connection = this.chat.connect(socket, {
      kind: 'text',
      name,
      remoteAddress: name,
      principal: socket.principal,
      // Named by its address, which no one else may take: connections from one address (two
      // tabs behind a proxy that forwards no port) are one person here and share the name.
      identity: `peer:${name}`,
    });
    socket.on('message', this.onFrame);
    try {
      // The newcomer gets the room's recent lines, then everyone (newcomer included) the welcome.
      await this.chat.join(connection, { room: LOBBY }, ({ history }) => {
        for (const message of history.messages) send(socket, chatLine(message, this.options.textEscapeHtml));
      });
    } catch (error) {
      const refusal = lobbyRefusal(error);
      if (refusal === undefined) return this.fail(socket, error);
      send(socket, `Error: ${refusal.text}`);
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
    const line = frameBytes(data).toString('utf8');
    if (line.trim() === QUIT_COMMAND) return this.quit(socket, connection);
    if (line.trim() === '') return;
    if (!this.chat.admit(connection)) return send(socket, 'Error: too many messages, slow down');
    if (!isMessageText(line, this.options.maxTextLength)) {
      return send(socket, `Error: a line can be at most ${this.options.maxTextLength} characters`);
    }
    if (readsAsLogout(line, connection.name))
      return send(socket, `Error: only ${QUIT_COMMAND} says that; send ${QUIT_COMMAND} to leave`);
    await this.chat.post(connection, LOBBY, line);
  }

  /** Everyone gets the logout line (the leaver too, directly), then the server closes. */
  private async quit(socket: ChatSocket, connection: ChatConnection): Promise<void> {
    await this.chat.leave(connection, LOBBY);
    try {
      const sender = { from: connection.name, fromId: connection.senderId };
      const logout = await this.chat.postAs(sender, LOBBY, logoutText(connection.name));
      send(socket, chatLine(logout, this.options.textEscapeHtml));
    } catch (error) {
      // Leaving does not depend on the room hearing about it.
      if (!(error instanceof ChatBusUnavailableError) && !(error instanceof ChatError)) throw error;
    }
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.NORMAL);
  }

  private fail(socket: ChatSocket, error: unknown): void {
    const refusal = postRefusal(error);
    if (refusal === null) return;
    if (refusal !== undefined) return send(socket, `Error: ${refusal}`);
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
  }
}

function send(socket: ChatSocket, line: string): void {
  if (socket.readyState === SOCKET_OPEN) socket.send(line);
}
