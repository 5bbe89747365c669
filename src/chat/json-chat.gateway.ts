import { Inject, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { ChatError } from './chat-error.js';
import { ChatExceptionFilter } from './chat-exception.filter.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { frameBytes, principalName, sendEvent, type ChatSocket } from './chat-socket.js';
import { ChatService } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection } from './connection-registry.js';
import { WsPayloadPipe } from './dto/chat-validation.pipe.js';
import {
  DEFAULT_HISTORY_LIMIT,
  HistoryPayload,
  JoinPayload,
  LeavePayload,
  MessagePayload,
  NickPayload,
} from './dto/ws-payloads.js';
import { FrameScreen } from './frame-screen.js';
import { gateMessages } from './message-gate.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { messagesFor } from './own-ref.js';
import { peerNameOf } from './peer-name.js';
import { RoomAccess } from './room-access.js';
import { sessionSenderId } from './session-sender.js';
import { subscribedEvents } from './subscribed-events.js';

/** The JSON chat protocol on `ws /chat` (README, "JSON protocol on /chat"). */
@WebSocketGateway({ path: '/chat' })
@UseFilters(ChatExceptionFilter)
@UseGuards(RateLimitGuard)
@UsePipes(WsPayloadPipe)
export class JsonChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  /** Answers what no handler takes: the events are those of this class's handlers (and a subclass's). */
  private readonly screen = new FrameScreen(subscribedEvents(this));
  // One gate for every connection, not a closure per connection.
  private readonly admitFrame: (socket: ChatSocket, data: unknown) => boolean;

  constructor(
    private readonly chat: ChatService,
    private readonly registry: ConnectionRegistry,
    private readonly access: RoomAccess,
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
  ) {
    this.admitFrame = (socket, data) => this.screenFrame(socket, data);
  }

  handleConnection(socket: ChatSocket, request: IncomingMessage): void {
    // Before any frame is read: the server's limit (1 MiB by default) is sized for other gateways.
    socket.setMaxPayload?.(this.options.maxFrameBytes);
    const connection = this.chat.connect(socket, {
      kind: 'json',
      remoteAddress: peerNameOf(request),
      lockedName: principalName(socket.principal),
      principal: socket.principal,
      sessionId: sessionSenderId(request),
    });
    gateMessages(socket, this.admitFrame);
    const welcome = { id: connection.id, name: connection.name, fromId: connection.senderId };
    const { instance } = this.options;
    sendEvent(socket, 'welcome', instance === undefined ? welcome : { ...welcome, instance });
  }

  async handleDisconnect(socket: ChatSocket): Promise<void> {
    await this.chat.disconnect(socket);
  }

  @SubscribeMessage('join')
  async join(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: JoinPayload): Promise<void> {
    const connection = this.connectionOf(socket);
    const { room, name, since } = payload;
    await this.chat.join(connection, { room, name, since }, (joined) =>
      sendEvent(socket, 'joined', {
        room: joined.room,
        you: { id: connection.id, name: connection.name, fromId: connection.senderId },
        members: joined.members,
        count: joined.count,
        history: messagesFor(joined.history.messages, connection.senderId),
        truncated: joined.history.truncated,
        earlier: joined.earlier,
      }),
    );
  }

  /** With a `ref`, a resend of a message already stored is answered with the same `ack` and stored no more. */
  @SubscribeMessage('message')
  async message(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: MessagePayload): Promise<void> {
    const stored = await this.chat.post(this.connectionOf(socket), payload.room, payload.text, payload.ref);
    sendEvent(socket, 'ack', { ref: payload.ref, id: stored.id });
  }

  @SubscribeMessage('leave')
  async leave(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: LeavePayload): Promise<void> {
    await this.chat.leave(this.connectionOf(socket), payload.room);
  }

  @SubscribeMessage('nick')
  async nick(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: NickPayload): Promise<void> {
    await this.chat.rename(this.connectionOf(socket), payload.name);
  }

  @SubscribeMessage('history')
  async history(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: HistoryPayload): Promise<void> {
    await this.access.requireJoinOf(this.connectionOf(socket), payload.room);
    const connection = this.connectionOf(socket);
    const page = await this.chat.memberHistory(connection, payload.room, {
      before: payload.before,
      limit: payload.limit ?? DEFAULT_HISTORY_LIMIT,
    });
    sendEvent(socket, 'history', {
      room: payload.room,
      messages: messagesFor(page.messages, connection.senderId),
      earlier: page.earlier,
    });
  }

  private connectionOf(socket: ChatSocket): ChatConnection {
    const connection = this.registry.find(socket);
    // Only possible for a frame racing the close of its own connection.
    if (connection === undefined) throw new ChatError('not_in_room', 'the connection is closing');
    return connection;
  }

  /** True when a handler is to take the frame; otherwise answers it here, and only here. */
  private screenFrame(socket: ChatSocket, data: unknown): boolean {
    const error = this.screen.check(frameBytes(data));
    if (error === null) return true;
    const connection = this.registry.find(socket);
    // Refused frames cost a token too, but only those within the limit get an answer.
    if (connection !== undefined && this.chat.admit(connection)) sendEvent(socket, 'error', error);
    return false;
  }
}
