import { Injectable } from '@nestjs/common';
import type { ChatEvent } from './bus/chat-events.js';
import type { ChatSocket, ProtocolKind } from './chat-socket.js';
import { NameHolders } from './name-holders.js';
import type { TokenBucket } from './token-bucket.js';

export class ChatConnection {
  /** The rooms this connection is in. */
  readonly rooms = new Map<string, Membership>();
  /** Frames refused by the rate limit since the last one it accepted. */
  strikes = 0;

  constructor(
    readonly id: string,
    public name: string,
    readonly remoteAddress: string,
    readonly kind: ProtocolKind,
    readonly socket: ChatSocket,
    /** True when the name comes from the authenticated principal and cannot be changed. */
    readonly nameLocked: boolean,
    readonly bucket: TokenBucket | null,
    /** What the adapter's `authorize` hook returned; undefined for an anonymous upgrade. */
    readonly principal: unknown = undefined,
    /** The `fromId` of its messages: the principal's id, else the connection id. */
    readonly senderId: string = id,
    /**
     * Who holds its name (README, "One name per person in a room"): connections of one
     * identity may share a name in a room, those of two may not. Default: `senderId`.
     */
    readonly identity: string = senderId,
  ) {}
}

export class Membership {
  /**
   * Room events that arrived while the join reply was being prepared, delivered after it;
   * null once the member receives events as they come.
   */
  pending: ChatEvent[] | null = [];
  /**
   * The newest message id the join reply covered, until a newer message is delivered live: a
   * message stored before the history read can still be on its way through the bus (the
   * in-memory bus emits on a later turn, Redis publishes on another connection), and its
   * copy must not reach the member a second time.
   */
  resumeAfter: string | undefined = undefined;

  constructor(
    readonly connection: ChatConnection,
    readonly room: string,
  ) {}
}

export interface NewConnection {
  id: string;
  name: string;
  remoteAddress: string;
  kind: ProtocolKind;
  nameLocked?: boolean;
  bucket?: TokenBucket | null;
  principal?: unknown;
  senderId?: string;
  identity?: string;
}

export interface RoomSummary {
  room: string;
  members: number;
}

/**
 * Who is connected to this instance and which rooms each is in: the one place that knows.
 * A connection is forgotten completely by `unregister`.
 */
@Injectable()
export class ConnectionRegistry {
  private readonly bySocket = new Map<ChatSocket, ChatConnection>();
  private readonly rooms = new Map<string, Set<Membership>>();
  private readonly names = new NameHolders();

  register(socket: ChatSocket, details: NewConnection): ChatConnection {
    if (this.bySocket.has(socket)) throw new Error('socket is already registered');
    const connection = new ChatConnection(
      details.id,
      details.name,
      details.remoteAddress,
      details.kind,
      socket,
      details.nameLocked ?? false,
      details.bucket ?? null,
      details.principal,
      details.senderId ?? details.id,
      details.identity,
    );
    this.bySocket.set(socket, connection);
    return connection;
  }

  find(socket: ChatSocket): ChatConnection | undefined {
    return this.bySocket.get(socket);
  }

  /**
   * True when another identity's connection here holds `name` in `room` (README, "One name per
   * person in a room"). Checked in the same turn as the `join` or `rename` it guards.
   */
  isNameTaken(room: string, name: string, connection: ChatConnection): boolean {
    return this.names.isTakenFrom(room, name, connection.identity);
  }

  /** Adds the connection to the room; undefined when it already is a member. */
  join(connection: ChatConnection, room: string): Membership | undefined {
    if (connection.rooms.has(room)) return undefined;
    this.names.take(room, connection.name, connection.identity);
    const membership = new Membership(connection, room);
    connection.rooms.set(room, membership);
    let members = this.rooms.get(room);
    if (members === undefined) {
      members = new Set();
      this.rooms.set(room, members);
    }
    members.add(membership);
    return membership;
  }

  /** False when the connection was not in the room. */
  leave(connection: ChatConnection, room: string): boolean {
    const membership = connection.rooms.get(room);
    if (membership === undefined) return false;
    connection.rooms.delete(room);
    this.dropMembership(membership);
    return true;
  }

  /** The connection's new name, in every room it is in (checked beforehand with `isNameTaken`). */
  rename(connection: ChatConnection, name: string): void {
    for (const room of connection.rooms.keys()) {
      this.names.release(room, connection.name);
      this.names.take(room, name, connection.identity);
    }
    connection.name = name;
  }

  /** Forgets the connection; returns it with the rooms it was in, or undefined if unknown. */
  unregister(socket: ChatSocket): { connection: ChatConnection; rooms: string[] } | undefined {
    const connection = this.bySocket.get(socket);
    if (connection === undefined) return undefined;
    this.bySocket.delete(socket);
    const rooms = [...connection.rooms.keys()];
    for (const membership of connection.rooms.values()) this.dropMembership(membership);
    connection.rooms.clear();
    return { connection, rooms };
  }

  /** The memberships of a room on this instance (live view: do not keep it). */
  membersOf(room: string): ReadonlySet<Membership> | undefined {
    return this.rooms.get(room);
  }

  memberCount(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  /** Names of up to `limit` members, in the order they joined. */
  memberNames(room: string, limit = Infinity): string[] {
    const names: string[] = [];
    const members = this.rooms.get(room);
    if (members === undefined) return names;
    for (const membership of members) {
      if (names.length >= limit) break;
      names.push(membership.connection.name);
    }
    return names;
  }

  /** Rooms with at least one member here, by name. */
  roomSummaries(): RoomSummary[] {
    const summaries: RoomSummary[] = [];
    for (const [room, members] of this.rooms) summaries.push({ room, members: members.size });
    return summaries.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
  }

  /** Every connection of this instance (live view: do not keep it). */
  connections(): IterableIterator<ChatConnection> {
    return this.bySocket.values();
  }

  get connectionCount(): number {
    return this.bySocket.size;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  private dropMembership(membership: Membership): void {
    membership.pending = null;
    this.names.release(membership.room, membership.connection.name);
    const members = this.rooms.get(membership.room);
    if (members === undefined) return;
    members.delete(membership);
    if (members.size === 0) this.rooms.delete(membership.room);
  }
}
