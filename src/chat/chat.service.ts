import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CloseCode } from '../websocket/index.js';
import { RoomLimitError } from './bus/bus-errors.js';
import { CHAT_BUS, type ChatBus, type HistoryPage } from './bus/chat-bus.js';
import type { ChatMessage, MessageDraft, MessageRef } from './bus/chat-events.js';
import { ChatError, nameTaken } from './chat-error.js';
import { CHAT_OPTIONS, type ResolvedChatOptions } from './chat-options.js';
import { SOCKET_OPEN, type ChatSocket, type ProtocolKind } from './chat-socket.js';
import { ChatConnection, ConnectionRegistry, type RoomSummary } from './connection-registry.js';
import { PresenceBatcher, type PresenceChange } from './presence/presence-batcher.js';
import { CHAT_PRESENCE, type RoomPresence, type Roster } from './presence/room-presence.js';
import { RoomAccess } from './room-access.js';
import { RoomCreationLimiter } from './room-creation-limiter.js';
import { RoomFanout } from './room-fanout.js';
import { principalId } from './sender-id.js';
import { TokenBucket } from './token-bucket.js';

export interface NewChatClient {
  kind: ProtocolKind;
  /** The connection id, when the protocol has already shown the client one. Default: a new UUID. */
  id?: string;
  /** Default: `guest-` and the start of the connection id. */
  name?: string;
  remoteAddress: string;
  /** A name from the authenticated principal: used and never changed by the client. */
  lockedName?: string;
  /** What the adapter's `authorize` hook returned, if anything: its id becomes `fromId`. */
  principal?: unknown;
  /**
   * Who holds the connection's name (README, "One name per person in a room"). Default: its
   * `fromId`, the principal's id when authenticated, else the connection id.
   */
  identity?: string;
  /** An anonymous client's sender id across its connections (session-sender.ts); the connection id without it. */
  sessionId?: string;
}

/** Who a message is from: display name and stable id (`fromId`). */
export interface Sender {
  from: string;
  fromId: string;
}

export interface JoinRequest {
  room: string;
  /** A new name for the connection; ignored when the name is locked to the principal. */
  name?: string;
  /** The newest message id the client has: the reply then holds exactly what came after. */
  since?: string;
}

export interface JoinReply {
  room: string;
  members: string[];
  count: number;
  history: HistoryPage;
  /** Without `since`: whether the room keeps messages older than those in `history`. */
  earlier: boolean;
}

/** A page of older messages for a member of the room. */
export interface EarlierPage {
  messages: ChatMessage[];
  /** Whether the room keeps messages older than these. */
  earlier: boolean;
}

/**
 * What both protocols and the REST API do to rooms: join, leave, post, rename, read history.
 * This instance's connections and their rooms live in the registry, who is in a room across
 * instances in the presence, messages and presence notices go through the bus.
 */
@Injectable()
export class ChatService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(ChatService.name);
  private readonly roomCreations: RoomCreationLimiter | undefined;
  private readonly presenceBatcher: PresenceBatcher | undefined;
  /** Disconnects whose leaves are not announced yet (shutdown waits for them). */
  private readonly leaving = new Set<Promise<void>>();
  /** Messages on their way to the bus (shutdown lets them finish, so their senders get the ack). */
  private readonly publishing = new Set<Promise<unknown>>();
  /** Set once the application starts shutting down: no new message is taken. */
  private closing = false;

  constructor(
    @Inject(CHAT_OPTIONS) private readonly options: ResolvedChatOptions,
    @Inject(CHAT_BUS) private readonly bus: ChatBus,
    @Inject(CHAT_PRESENCE) private readonly presence: RoomPresence,
    private readonly registry: ConnectionRegistry,
    private readonly fanout: RoomFanout,
    private readonly access: RoomAccess,
  ) {
    const { roomCreatePerMinute } = options;
    if (roomCreatePerMinute !== false) this.roomCreations = new RoomCreationLimiter(roomCreatePerMinute);
    if (options.presenceBatch !== false) {
      this.presenceBatcher = new PresenceBatcher(options.presenceBatch, (room, change, roster) =>
        this.sendPresence(room, change, roster),
      );
    }
  }

  /**
   * Before the servers close the connections (1001): messages already on their way to the bus
   * finish, and their acks are written ahead of the close frame, so a sender is never left
   * guessing whether a message it sent before the shutdown was stored. Messages arriving from
   * now on are refused with `unavailable` (not stored: send them again after reconnecting).
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.publishing]);
    // The handlers awaiting those messages write their acks in the turns that follow.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Before the chat module closes the bus: the servers have closed every connection, whose
   * leaves may still be on their way (the adapter does not wait for disconnect handlers), and
   * busy rooms may hold summed-up leaves; both reach the other instances first.
   */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.leaving]);
    await this.presenceBatcher?.flush();
  }

  connect(socket: ChatSocket, client: NewChatClient): ChatConnection {
    const { rateLimit } = this.options;
    const id = client.id ?? randomUUID();
    const senderId = principalId(client.principal) ?? client.sessionId ?? id;
    return this.registry.register(socket, {
      id,
      name: client.lockedName ?? client.name ?? `guest-${id.slice(0, 8)}`,
      remoteAddress: client.remoteAddress,
      kind: client.kind,
      nameLocked: client.lockedName !== undefined,
      bucket: rateLimit === false ? null : new TokenBucket(rateLimit.burst, rateLimit.perSecond, performance.now()),
      principal: client.principal,
      senderId,
      identity: client.identity ?? senderId,
    });
  }

  /** Forgets the socket and tells the rooms it was in. Never rejects: nobody is left to answer. */
  async disconnect(socket: ChatSocket): Promise<void> {
    const gone = this.registry.unregister(socket);
    if (gone === undefined) return;
    const leaving = Promise.all(gone.rooms.map((room) => this.exitAndAnnounce(room, gone.connection))).then(() => {
      this.leaving.delete(leaving);
    });
    this.leaving.add(leaving);
    await leaving;
  }

  /**
   * Takes a token from the connection's rate limit; false when it has none left. A client that
   * keeps sending past `rateLimit.closeAfter` refusals is flooding, not bursting: closed with 1008.
   */
  admit(connection: ChatConnection): boolean {
    const { bucket } = connection;
    if (bucket === null) return true;
    if (bucket.take(performance.now())) {
      connection.strikes = 0;
      return true;
    }
    const { rateLimit } = this.options;
    if (rateLimit !== false && ++connection.strikes > rateLimit.closeAfter) {
      const { socket } = connection;
      if (socket.readyState === SOCKET_OPEN) socket.close(CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
    }
    return false;
  }

  /**
   * Enters the room (joining again just repeats the reply) and calls `reply` with the history.
   * Room events arriving while the history is read are held back and delivered after the
   * reply, without the ones it already holds, so the client neither misses nor repeats one.
   */
  async join(connection: ChatConnection, request: JoinRequest, reply: (joined: JoinReply) => void): Promise<void> {
    const { room, since } = request;
    // Awaited only when the hook is asynchronous: without one the join goes on in this turn.
    const checking = this.access.requireJoinOf(connection, room);
    if (checking !== undefined) await checking;
    this.assertRoomFor(connection, room);
    if (!connection.rooms.has(room) && this.roomCreations !== undefined) {
      await this.admitRoomCreation(connection, room);
      // Other joins of this connection may have gone ahead meanwhile.
      this.assertRoomFor(connection, room);
    }
    const { name } = request;
    const asked = name !== undefined && name !== connection.name && !connection.nameLocked ? name : undefined;
    const renamedFrom = connection.name;
    if (asked !== undefined) {
      // Refused before the rename, which would otherwise stay although the join fails.
      this.assertNameFreeIn(connection, room, asked);
      await this.rename(connection, asked);
    }
    // Checked again in the turn of the join itself: the rename above gave others a turn.
    this.assertNameFreeIn(connection, room, connection.name);
    const membership = this.registry.join(connection, room);
    let roster: Roster;
    let history: HistoryPage;
    let earlier = false;
    try {
      // Presence first: a shared presence (Redis) relies on the history being read after it.
      roster =
        membership === undefined
          ? await this.presence.roster(room)
          : await this.presence.enter(room, {
              id: connection.id,
              name: connection.name,
              identity: connection.identity,
            });
      if (since === undefined) {
        ({ page: history, earlier } = await this.newestBefore(room, undefined, this.options.historySize));
      } else {
        history = await this.bus.history(room, { since, limit: this.options.historySize });
      }
    } catch (error) {
      // Not left half-joined, holding back the room's events for a reply that never comes.
      if (membership !== undefined && connection.rooms.get(room) === membership) {
        this.registry.leave(connection, room);
        // A name refused by the shared presence was not entered there.
        if (!(error instanceof ChatError && error.code === 'name_taken')) await this.presence.exit(room, connection.id);
      }
      // Taken on another instance: the name asked for with the join goes too, if the old one is still free.
      if (
        error instanceof ChatError &&
        error.code === 'name_taken' &&
        asked !== undefined &&
        connection.name === asked
      ) {
        await this.rename(connection, renamedFrom).catch(() => undefined);
      }
      throw error;
    }
    const current = connection.rooms.get(room);
    // Left the room, or closed, while the history was read.
    if (current === undefined || (membership !== undefined && current !== membership)) return;
    reply({ room, members: roster.members, count: roster.count, history, earlier });
    if (membership === undefined) return;
    const newest = history.messages[history.messages.length - 1];
    this.fanout.release(membership, newest?.id ?? since);
    await this.announce(room, connection.name, 'join', roster);
  }

  private assertRoomFor(connection: ChatConnection, room: string): void {
    if (!connection.rooms.has(room) && connection.rooms.size >= this.options.maxRoomsPerConnection) {
      throw new ChatError(
        'too_many_rooms',
        `a connection can be in at most ${this.options.maxRoomsPerConnection} rooms; leave one first`,
      );
    }
  }

  async leave(connection: ChatConnection, room: string): Promise<void> {
    if (!this.registry.leave(connection, room)) throw notInRoom(room);
    await this.exitAndAnnounce(room, connection);
  }

  /**
   * Posts as a connected member of the room, if `canPost` allows it (else `forbidden`). With a
   * `ref` (idempotency key), a resend of a message the bus still remembers resolves with the
   * message stored first, and stores and delivers nothing.
   */
  post(connection: ChatConnection, room: string, text: string, ref?: MessageRef): Promise<ChatMessage> {
    if (!connection.rooms.has(room)) throw notInRoom(room);
    const draft = draftOf(room, { from: connection.name, fromId: connection.senderId }, text, ref);
    const checking = this.access.requirePostOf(connection, room);
    if (checking === undefined) return this.publish(draft);
    return checking.then(() => {
      // Left the room while the host's hook was thinking.
      if (!connection.rooms.has(room)) throw notInRoom(room);
      return this.publish(draft);
    });
  }

  /**
   * Posts on behalf of the server side (REST, host code); no hook is asked. `client` (its
   * principal or address) is charged for the room when the message creates it. `ref`: as for `post`.
   */
  async postAs(sender: Sender, room: string, text: string, client?: string, ref?: MessageRef): Promise<ChatMessage> {
    if (client !== undefined) await this.admitRoomCreation(client, room);
    return this.publish(draftOf(room, sender, text, ref));
  }

  /**
   * `postAs` for several messages of one room in one go (one round trip to a Redis store):
   * stored and delivered in their order, the room charged to `client` once. The stored
   * messages in that order; a message whose `ref` was already stored answers that message.
   */
  async postManyAs(
    posts: ReadonlyArray<{ sender: Sender; text: string; ref?: MessageRef }>,
    room: string,
    client?: string,
  ): Promise<ChatMessage[]> {
    if (client !== undefined) await this.admitRoomCreation(client, room);
    return this.publishMany(posts.map(({ sender, text, ref }) => draftOf(room, sender, text, ref)));
  }

  /**
   * Renames the connection; later messages carry the new name. Throws at once when the name is
   * locked; the promise settles when the rooms' member lists have the new name.
   */
  rename(connection: ChatConnection, name: string): Promise<void> {
    if (name === connection.name) return Promise.resolve();
    if (connection.nameLocked) {
      throw new ChatError('name_locked', 'the name comes from your access token and cannot be changed');
    }
    for (const room of connection.rooms.keys()) this.assertNameFreeIn(connection, room, name);
    const previous = connection.name;
    this.registry.rename(connection, name);
    return this.presence.rename(connection.id, name, connection.rooms.keys()).catch((error: unknown) => {
      // Another instance's member holds it: back to the old name, unless renamed again since.
      if (error instanceof ChatError && error.code === 'name_taken' && connection.name === name) {
        this.registry.rename(connection, previous);
      }
      throw error;
    });
  }

  /** One name per person in a room (README): refused when another identity here holds it. */
  private assertNameFreeIn(connection: ChatConnection, room: string, name: string): void {
    if (this.registry.isNameTaken(room, name, connection)) throw nameTaken(name, room);
  }

  history(room: string, query: { since?: string; before?: string; limit: number }): Promise<HistoryPage> {
    return this.bus.history(room, query);
  }

  /** History for a member of the room only, like posting (README, "Operating it"). */
  async memberHistory(
    connection: ChatConnection,
    room: string,
    query: { before?: string; limit: number },
  ): Promise<EarlierPage> {
    if (!connection.rooms.has(room)) throw notInRoom(room);
    const { page, earlier } = await this.newestBefore(room, query.before, query.limit);
    return { messages: page.messages, earlier };
  }

  /** The newest `limit` messages before `before`, and whether older ones exist: one read of one more. */
  private async newestBefore(
    room: string,
    before: string | undefined,
    limit: number,
  ): Promise<{ page: HistoryPage; earlier: boolean }> {
    const page = await this.bus.history(room, { before, limit: limit + 1 });
    if (page.messages.length <= limit) return { page, earlier: false };
    return { page: { ...page, messages: page.messages.slice(1) }, earlier: true };
  }

  /** Rooms with members (on every instance when the presence is shared). */
  rooms(): Promise<RoomSummary[]> {
    return this.presence.rooms();
  }

  private publish(draft: MessageDraft): Promise<ChatMessage> {
    return this.tracked(() => this.bus.publish(draft));
  }

  /** The bus's batch when it has one, else the drafts one after the other (the same order). */
  private publishMany(drafts: MessageDraft[]): Promise<ChatMessage[]> {
    const { bus } = this;
    return this.tracked(async () => {
      if (bus.publishMany !== undefined) return bus.publishMany(drafts);
      const stored: ChatMessage[] = [];
      for (const draft of drafts) stored.push(await bus.publish(draft));
      return stored;
    });
  }

  /**
   * A publication the shutdown waits for (refused once it has begun), with the bus's
   * RoomLimitError as the chat's `too_many_rooms`.
   */
  private tracked<T>(send: () => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(
        new ChatError('unavailable', 'the server is shutting down; send the message again once reconnected', 1),
      );
    }
    const publishing = send().catch((error: unknown) => {
      if (error instanceof RoomLimitError)
        throw new ChatError('too_many_rooms', error.message, error.retryAfterSeconds);
      throw error;
    });
    this.publishing.add(publishing);
    const forget = (): void => {
      this.publishing.delete(publishing);
    };
    publishing.then(forget, forget);
    return publishing;
  }

  /**
   * Charges the client one room creation when the room is new (no members anywhere, no
   * history); rate_limited when it has created its share of rooms for now.
   */
  private async admitRoomCreation(client: object | string, room: string): Promise<void> {
    const limiter = this.roomCreations;
    if (limiter === undefined || this.registry.memberCount(room) > 0) return;
    const [roster, page] = await Promise.all([this.presence.roster(room), this.bus.history(room, { limit: 1 })]);
    if (roster.count > 0 || page.messages.length > 0 || limiter.take(client)) return;
    const seconds = limiter.retryAfterSeconds;
    throw new ChatError('rate_limited', `too many new rooms; try again in ${seconds} s`, seconds);
  }

  /** Never rejects: the connection has already left, whatever Redis says. */
  private async exitAndAnnounce(room: string, connection: ChatConnection): Promise<void> {
    // Undefined when the shared presence is unreachable: it repairs and announces later.
    const roster = await this.presence.exit(room, connection.id).catch(() => undefined);
    if (roster !== undefined) await this.announce(room, connection.name, 'leave', roster);
  }

  /**
   * Tells every member, at once or (in a busy room) summed up with the room's next changes; the
   * change itself is already made.
   */
  private announce(room: string, name: string, event: 'join' | 'leave', roster: Roster): Promise<void> {
    if (this.presenceBatcher !== undefined) return this.presenceBatcher.change(room, name, event, roster);
    return this.sendPresence(room, { name, event }, roster);
  }

  /**
   * A notice that cannot be sent is only logged (the next notice of the room carries its current
   * members). A summary reads the room's members when it is sent.
   */
  private async sendPresence(room: string, change: PresenceChange, roster: Roster | undefined): Promise<void> {
    try {
      const { members, count } = roster ?? (await this.presence.roster(room));
      await this.bus.announce({ room, ...change, members, count });
    } catch (error) {
      this.logger.warn(`could not announce the ${change.event} of ${change.name} in ${room}: ${String(error)}`);
    }
  }
}

function notInRoom(room: string): ChatError {
  return new ChatError('not_in_room', `you are not in room ${JSON.stringify(room)}; join it first`);
}

/** The message to store: `ref` only when there is one (the bus stores what it is given). */
function draftOf(room: string, sender: Sender, text: string, ref: MessageRef | undefined): MessageDraft {
  const draft: MessageDraft = { room, from: sender.from, fromId: sender.fromId, text };
  if (ref !== undefined) draft.ref = ref;
  return draft;
}
