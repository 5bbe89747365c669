import { Logger } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../websocket/index.js';
import { ChatBusUnavailableError } from './bus/bus-errors.js';
import { ChatError } from './chat-error.js';
import { maxLineBytes } from './chat-options.js';
import { SOCKET_OPEN, type ChatSocket } from './chat-socket.js';
import type { ChatConnection } from './connection-registry.js';
import { LobbyGateway, sendFrame } from './lobby-gateway.js';
import { isMessageText, LOBBY } from './names.js';
import { peerNameOf } from './peer-name.js';
import { chatLine, logoutText, QUIT_COMMAND, readsAsLogout } from './text-lines.js';

/**
 * The plain-text protocol of the original socket servers on `ws /` (README, "Plain-text protocol
 * on /"): everyone is in
 * `lobby`, named by their address; each text frame is a line of chat, `quit` leaves.
 */
@WebSocketGateway({ path: '/' })
export class TextChatGateway extends LobbyGateway {
  protected readonly logger = new Logger(TextChatGateway.name);

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
    // The newcomer gets the room's recent lines, then everyone (newcomer included) the welcome.
    await this.enterLobby(socket, connection, (message) => chatLine(message, this.options.textEscapeHtml));
  }

  protected errorFrame(text: string): string {
    return `Error: ${text}`;
  }

  protected async receiveText(socket: ChatSocket, connection: ChatConnection, frame: Buffer): Promise<void> {
    const line = frame.toString('utf8');
    if (line.trim() === QUIT_COMMAND) return this.quit(socket, connection);
    if (line.trim() === '') return;
    if (!this.chat.admit(connection)) return sendFrame(socket, this.errorFrame('too many messages, slow down'));
    if (!isMessageText(line, this.options.maxTextLength)) {
      return sendFrame(socket, this.errorFrame(`a line can be at most ${this.options.maxTextLength} characters`));
    }
    if (readsAsLogout(line, connection.name))
      return sendFrame(socket, this.errorFrame(`only ${QUIT_COMMAND} says that; send ${QUIT_COMMAND} to leave`));
    await this.chat.post(connection, LOBBY, line);
  }

  /** Everyone gets the logout line (the leaver too, directly), then the server closes. */
  private async quit(socket: ChatSocket, connection: ChatConnection): Promise<void> {
    await this.chat.leave(connection, LOBBY);
    try {
      const sender = { from: connection.name, fromId: connection.senderId };
      const logout = await this.chat.postAs(sender, LOBBY, logoutText(connection.name));
      sendFrame(socket, chatLine(logout, this.options.textEscapeHtml));
    } catch (error) {
      // Leaving does not depend on the room hearing about it.
      if (!(error instanceof ChatBusUnavailableError) && !(error instanceof ChatError)) throw error;
    }
    if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.NORMAL);
  }
}
