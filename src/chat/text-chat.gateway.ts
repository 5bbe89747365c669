import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../websocket/index.js';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError } from './chat-error.js';
import { CHAT_OPTIONS, maxLineBytes, type ResolvedChatOptions } from './chat-options.js';
import { frameBytes, SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection } from './connection-registry.js';
import { isMessageText, LOBBY } from './names.js';
import { peerNameOf } from './peer-name.js';
import { chatLine, logoutText, QUIT_COMMAND, readsAsLogout } from './text-lines.js';

const UNAVAILABLE_LINE = 'Error: the chat is temporarily unavailable, try again shortly';
const MAYBE_STORED_LINE = 'Error: the chat did not answer in time; your line may still appear';

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
    });
    socket.on('message', this.onFrame);
    try {
      // The newcomer gets the room's recent lines, then everyone (newcomer included) the welcome.
      await this.chat.join(connection, { room: LOBBY }, ({ history }) => {
        for (const message of history.messages) send(socket, chatLine(message));
      });
    } catch (error) {
      if (error instanceof ChatError && error.code === 'forbidden') {
        // This protocol has no other room: a client kept out of the lobby has nothing to do here.
        send(socket, `Error: ${error.message}`);
        if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.POLICY_VIOLATION, 'forbidden');
        return;
      }
      if (!(error instanceof ChatBusUnavailableError)) return this.fail(socket, error);
      // Not in the lobby, and this protocol has no way to ask again: reconnecting is the retry.
      send(socket, UNAVAILABLE_LINE);
      if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.TRY_AGAIN_LATER, 'chat unavailable');
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
      send(socket, chatLine(logout));
    } catch (error) {
      // Leaving does not depend on the room hearing about it.
      if (!(error instanceof ChatBusUnavailableError) && !(error instanceof ChatError)) throw error;
    }
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.NORMAL);
  }

  private fail(socket: ChatSocket, error: unknown): void {
    // A line that raced the connection's own quit or close: nothing left to answer.
    if (error instanceof ChatError && error.code === 'not_in_room') return;
    // `canPost` said no: the line was not stored, the connection stays.
    if (error instanceof ChatError && error.code === 'forbidden') return send(socket, `Error: ${error.message}`);
    // The line was not stored (or may be, later: no ref on this protocol to resend it safely);
    // the connection stays, as it would for a rate-limited line.
    if (error instanceof ChatBusUnavailableError)
      return send(socket, error.maybeDone ? MAYBE_STORED_LINE : UNAVAILABLE_LINE);
    // The chat keeps as many rooms as it may, all in use (lobby has no history yet).
    if (error instanceof ChatError && error.code === 'too_many_rooms') return send(socket, `Error: ${error.message}`);
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.INTERNAL_ERROR, 'internal error');
  }
}

function send(socket: ChatSocket, line: string): void {
  if (socket.readyState === SOCKET_OPEN) socket.send(line);
}
