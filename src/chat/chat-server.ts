import { Inject, Injectable } from '@nestjs/common';
import { positiveInteger } from '../common/number-checks.js';
import { CloseCode } from '../websocket/index.js';
import type { HistoryPage } from './bus/chat-bus.js';
import type { ChatMessage, MessageRef } from './bus/chat-events.js';
import { isWireRef, MAX_REF_LENGTH } from './bus/deliverable.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import type { ProtocolKind } from './chat-socket.js';
import { ChatService, type Sender } from './chat.service.js';
import { ConnectionRegistry, type ChatConnection, type RoomSummary } from './connection-registry.js';
import { isChatName, isMessageText, isRoomName } from './names.js';
import { CHAT_PRESENCE, type RoomPresence } from './presence/room-presence.js';
import { SYSTEM_SENDER_ID, SYSTEM_SENDER_NAME } from './sender-id.js';

export interface RoomPresenceSnapshot {
  room: string;
  /** Names of the members, oldest first, at most the module's `memberListLimit`. */
  members: string[];
  /** How many are in the room (may exceed `members.length`). */
  count: number;
}

/** A connection of this instance, as the host's code sees it. */
export interface ConnectionInfo {
  /** The connection id (`welcome.id`). */
  id: string;
  /** The `fromId` of its messages: the principal's id, or the connection id when anonymous. */
  fromId: string;
  name: string;
  protocol: ProtocolKind;
  remoteAddress: string;
  rooms: string[];
  /** What the adapter's `authorize` hook returned; undefined for an anonymous connection. */
  principal: unknown;
}

export interface DisconnectOptions {
  /** A close code the protocol allows a server to send. Default 1008 (policy violation). */
  code?: number;
  /** At most 123 bytes of UTF-8. Default "disconnected by the server". */
  reason?: string;
}

export interface HistoryOptions {
  since?: string;
  before?: string;
  /** Default: the module's `historySize`. */
  limit?: number;
}

export interface PostOptions {
  /** Idempotency key of the message: a finite number or a string of at most 64 characters. */
  ref?: MessageRef;
}

const DEFAULT_DISCONNECT_REASON = 'disconnected by the server';

/**
 * The chat as the host application's own code uses it: inject it anywhere in the app that
 * imports ChatModule. Posts here skip `canPost` (the host is trusted) but are validated like
 * a client's. Presence, rooms and history cover every instance when the bus is shared
 * (Redis); `connections` and the disconnects act on this instance's connections only.
 */
@Injectable()
export class ChatServer {
  constructor(
    private readonly chat: ChatService,
    private readonly registry: ConnectionRegistry,
    @Inject(CHAT_PRESENCE) private readonly presence: RoomPresence,
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
  ) {}

  /**
   * Posts into the room; every member gets it like any message. Without `sender` it is a
   * notice from `system` (`fromId: "system"`); with it, a message on behalf of that user.
   * With `ref` (an idempotency key, scoped to the sender id and the room), posting again after
   * a failure or a restart resolves with the message stored first and delivers nothing twice.
   */
  post(room: string, text: string, sender?: Sender, options: PostOptions = {}): Promise<ChatMessage> {
    if (!isRoomName(room)) throw new RangeError(`not a room name: ${JSON.stringify(room)}`);
    if (!isMessageText(text, this.options.maxTextLength)) {
      throw new RangeError(`text must be 1 to ${this.options.maxTextLength} characters`);
    }
    if (sender !== undefined) {
      if (!isChatName(sender.from, this.options.maxNameLength)) {
        throw new RangeError(`not a chat name: ${JSON.stringify(sender.from)}`);
      }
      if (typeof sender.fromId !== 'string' || sender.fromId === '')
        throw new RangeError('fromId must be a non-empty string');
    }
    const { ref } = options;
    if (ref !== undefined && !isWireRef(ref)) {
      throw new RangeError(`ref must be a finite number or a string of at most ${MAX_REF_LENGTH} characters`);
    }
    const from = sender ?? { from: SYSTEM_SENDER_NAME, fromId: SYSTEM_SENDER_ID };
    return this.chat.postAs(from, room, text, undefined, ref);
  }

  /** Oldest first: the first `limit` after `since`, or the newest `limit` (before `before`). */
  history(room: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    const limit = options.limit ?? this.options.historySize;
    positiveInteger(limit, 'limit');
    return this.chat.history(room, { since: options.since, before: options.before, limit });
  }

  async presenceOf(room: string): Promise<RoomPresenceSnapshot> {
    const { members, count } = await this.presence.roster(room);
    return { room, members, count };
  }

  /** Rooms with members, by name. */
  rooms(): Promise<RoomSummary[]> {
    return this.chat.rooms();
  }

  /** This instance's connections. */
  connections(): ConnectionInfo[] {
    return Array.from(this.registry.connections(), infoOf);
  }

  /**
   * Closes every connection of this instance whose `fromId` is `userId` (a principal's id; for
   * an anonymous client its connection id). Returns how many it closed; their rooms see them
   * leave. Throws for a close code or reason the protocol does not allow, closing none.
   */
  disconnectUser(userId: string, options: DisconnectOptions = {}): number {
    const matching = [...this.registry.connections()].filter((connection) => connection.senderId === userId);
    for (const connection of matching) close(connection, options);
    return matching.length;
  }

  /** Closes one connection of this instance by its id (`welcome.id`); false when there is none. */
  disconnectConnection(connectionId: string, options: DisconnectOptions = {}): boolean {
    for (const connection of this.registry.connections()) {
      if (connection.id !== connectionId) continue;
      close(connection, options);
      return true;
    }
    return false;
  }
}

function infoOf(connection: ChatConnection): ConnectionInfo {
  return {
    id: connection.id,
    fromId: connection.senderId,
    name: connection.name,
    protocol: connection.kind,
    remoteAddress: connection.remoteAddress,
    rooms: [...connection.rooms.keys()],
    principal: connection.principal,
  };
}

function close(connection: ChatConnection, options: DisconnectOptions): void {
  connection.socket.close(options.code ?? CloseCode.POLICY_VIOLATION, options.reason ?? DEFAULT_DISCONNECT_REASON);
}
