import { Logger } from '@nestjs/common';
import type { PresenceNotice } from '../chat-events.js';
import { nameTaken } from '../../chat-error.js';
import { ChatBusUnavailableError } from '../bus-errors.js';
import type { PresenceMember, RoomPresence, RoomSummary, Roster } from '../../presence/room-presence.js';
import type { RedisChatStore, RoomName } from './redis-chat-store.js';

export interface RedisPresenceOptions {
  /** How long this instance's members stay listed without a heartbeat. */
  ttlMs: number;
  memberListLimit: number;
  /** Most expired instances one heartbeat cleans up after. */
  sweepBatch?: number;
}

/** What the presence tells its bus. */
export interface PresenceHooks {
  /**
   * The first member on this instance is entering `room` (called before the store is); the
   * room's events are followed here once it resolves.
   */
  firstEntering(room: string): Promise<void>;
  /** The newest message id of `room` when its first member here entered. */
  entered(room: string, newestId: string): void;
  /** The last member on this instance left `room`. */
  lastLeft(room: string): void;
  /** Tells every instance about a change the presence found by itself (sweeps, repairs). */
  announce(notice: Pick<PresenceNotice, 'room' | 'name' | 'event'>): Promise<void>;
}

interface LocalMember {
  name: string;
  identity: string;
}

/**
 * Presence shared by every instance through Redis. This instance's own members are kept here
 * too, as the truth: when a change cannot be written (Redis down), the room is marked and
 * written again from that truth later; when Redis forgot this instance (restarted without its
 * data, or declared it dead during a long partition), all of it is written again. Each repair
 * announces the joins and leaves it makes, so clients' member lists converge.
 *
 * Entries of an instance that stops sending heartbeats expire after `ttlMs`; the next
 * heartbeat of any live instance removes them and announces the leaves.
 */
export class RedisPresence implements RoomPresence {
  private readonly logger = new Logger('RedisPresence');
  /** room -> connection id -> name and identity, for the members connected to this instance. */
  private readonly local = new Map<string, Map<string, LocalMember>>();
  private readonly dirty = new Set<string>();
  /**
   * room -> connection id -> name of leaves that could not be written: the write may still
   * have happened (a timed-out command can run later), so the repair announces them whatever it
   * finds.
   */
  private readonly unannouncedLeaves = new Map<string, Map<string, string>>();
  /**
   * room -> how many members here are entering it: the repair leaves such a room for later, as
   * it writes names without refusing them and the entering member's name is not checked yet.
   */
  private readonly entering = new Map<string, number>();
  /** Rooms whose first member here is entering: the feed and the registry are being told. */
  private readonly registering = new Map<string, Promise<void>>();
  private repairing: Promise<void> | undefined;
  private readonly sweepBatch: number;
  private closed = false;

  constructor(
    private readonly store: RedisChatStore,
    private readonly options: RedisPresenceOptions,
    private readonly hooks: PresenceHooks,
  ) {
    this.sweepBatch = options.sweepBatch ?? 16;
  }

  async enter(room: string, member: PresenceMember): Promise<Roster> {
    if (this.closed) throw new ChatBusUnavailableError('join the room', new Error('the chat bus is closed'));
    let members = this.local.get(room);
    const first = members === undefined;
    if (members === undefined) {
      members = new Map();
      this.local.set(room, members);
      const registering = this.registerRoom(room).finally(() => this.registering.delete(room));
      this.registering.set(room, registering);
    }
    const entering = { name: member.name, identity: member.identity ?? member.id };
    members.set(member.id, entering);
    let reply: Awaited<ReturnType<RedisChatStore['enter']>>;
    this.entering.set(room, (this.entering.get(room) ?? 0) + 1);
    try {
      await this.registering.get(room);
      reply = await this.store.enter(room, { id: member.id, ...entering }, this.options.memberListLimit);
    } catch (error) {
      // The script may have run even though its reply was lost: the caller's exit repairs it.
      this.dirty.add(room);
      throw new ChatBusUnavailableError('join the room', error);
    } finally {
      const left = (this.entering.get(room) ?? 1) - 1;
      if (left > 0) this.entering.set(room, left);
      else this.entering.delete(room);
    }
    if (reply.taken) {
      // Nothing was written: forgotten here too, with no exit to follow.
      if (members.get(member.id) === entering) members.delete(member.id);
      if (members.size === 0 && this.local.get(room) === members) {
        this.local.delete(room);
        this.hooks.lastLeft(room);
        await this.leaveRoom(room).catch(() => void this.dirty.add(room));
      }
      throw nameTaken(member.name, room);
    }
    if (first) this.hooks.entered(room, reply.newestId);
    return { members: reply.roster.members, count: reply.roster.count };
  }

  async exit(room: string, memberId: string): Promise<Roster | undefined> {
    const members = this.local.get(room);
    const name = members?.get(memberId)?.name;
    const lastHere = members !== undefined && members.delete(memberId) && members.size === 0;
    if (lastHere) {
      this.local.delete(room);
      this.hooks.lastLeft(room);
    }
    // Deregistering removed every member of this instance already.
    if (this.closed) return undefined;
    try {
      const roster = await this.store.exit(room, memberId, this.options.memberListLimit);
      if (lastHere) await this.leaveRoom(room);
      return { members: roster.members, count: roster.count };
    } catch {
      this.dirty.add(room);
      if (name !== undefined) {
        let leaves = this.unannouncedLeaves.get(room);
        if (leaves === undefined) this.unannouncedLeaves.set(room, (leaves = new Map<string, string>()));
        leaves.set(memberId, name);
      }
      return undefined;
    }
  }

  /**
   * Renames the member in every room where it is, or in none when another identity holds the
   * name in one of them. A room's keys live on one shard of a Redis Cluster, so the rooms are
   * checked first, then written one by one (each write checks again); a name taken between the
   * check and the write in one room is undone in the others by the repair, which writes the
   * names this instance holds (the old ones then).
   */
  async rename(memberId: string, name: string, rooms: Iterable<string>): Promise<void> {
    const where: string[] = [];
    let identity = memberId;
    for (const room of rooms) {
      const member = this.local.get(room)?.get(memberId);
      if (member !== undefined) {
        identity = member.identity;
        where.push(room);
      }
    }
    if (where.length === 0 || this.closed) return;
    const renamed = { id: memberId, name, identity };
    let takenIn: string | undefined;
    try {
      const free = await Promise.all(where.map((room) => this.store.rename(renamed, room, false)));
      takenIn = where.find((_, i) => !free[i]);
      if (takenIn === undefined) {
        const written = await Promise.all(where.map((room) => this.store.rename(renamed, room, true)));
        takenIn = where.find((_, i) => !written[i]);
        if (takenIn !== undefined) {
          // Taken meanwhile: the repair writes the old names back where the new one was written.
          for (const room of where) this.dirty.add(room);
          void this.repair().catch(() => undefined);
        }
      }
    } catch {
      // Whether it was written is unknown: the repair writes the new name, as this instance holds it.
      for (const room of where) this.dirty.add(room);
    }
    if (takenIn !== undefined) throw nameTaken(name, takenIn);
    for (const room of where) {
      const member = this.local.get(room)?.get(memberId);
      if (member !== undefined) member.name = name;
    }
  }

  async roster(room: string): Promise<Roster> {
    try {
      const reply = await this.store.roster(room, this.options.memberListLimit);
      return { members: reply.members, count: reply.count };
    } catch (error) {
      throw new ChatBusUnavailableError('read the room members', error);
    }
  }

  async rooms(): Promise<RoomSummary[]> {
    try {
      const rooms = await this.store.rooms();
      return rooms.sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0));
    } catch (error) {
      throw new ChatBusUnavailableError('list the rooms', error);
    }
  }

  /**
   * Keeps this instance listed, removes the members of expired ones (announcing their leaves)
   * and repairs what could not be written before. Rejects when Redis cannot be reached.
   */
  async heartbeat(): Promise<void> {
    if (this.closed) return;
    const reply = await this.store.heartbeat(this.options.ttlMs, this.sweepBatch);
    if (reply.registered) this.forgotten();
    for (const node of reply.expired) await this.announceAll(await this.store.removeNode(node, true), 'leave');
    await this.repair();
  }

  /** Removes this instance's members (graceful shutdown), announcing their leaves. */
  async deregister(): Promise<void> {
    this.closed = true;
    await this.repairing?.catch(() => undefined);
    const rooms = [...this.local.keys()];
    this.local.clear();
    this.dirty.clear();
    this.unannouncedLeaves.clear();
    await this.announceAll(await this.store.removeNode(this.store.node, false, rooms), 'leave');
  }

  /** Rooms whose members here are waiting to be written again (for tests and metrics). */
  get pendingRepairs(): number {
    return this.dirty.size;
  }

  /** Redis has no trace of this instance: write every room again, now. */
  private forgotten(): void {
    if (this.closed) return;
    for (const room of this.local.keys()) this.dirty.add(room);
    if (this.dirty.size > 0) void this.repair().catch(() => undefined);
  }

  /** Takes the room off this instance's, unless a member here entered it again meanwhile. */
  private async leaveRoom(room: string): Promise<void> {
    if (this.local.has(room) || this.closed) return;
    if ((await this.store.nodeLeave(room, this.options.ttlMs)).registered) this.forgotten();
  }

  /** Follows the room's events here, then lists the room among this instance's. */
  private async registerRoom(room: string): Promise<void> {
    await this.hooks.firstEntering(room);
    if ((await this.store.nodeEnter(room, this.options.ttlMs)).registered) this.forgotten();
  }

  private repair(): Promise<void> {
    this.repairing ??= this.repairDirtyRooms().finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  private async repairDirtyRooms(): Promise<void> {
    for (const room of [...this.dirty]) {
      if (this.closed) return;
      // Stays dirty: repaired by a later heartbeat, once its names are checked.
      if (this.entering.has(room)) continue;
      this.dirty.delete(room);
      try {
        const members = this.local.get(room) ?? new Map<string, LocalMember>();
        const { joined, left } = await this.store.sync(room, members.entries());
        const { registered } =
          members.size > 0
            ? await this.store.nodeEnter(room, this.options.ttlMs)
            : await this.store.nodeLeave(room, this.options.ttlMs);
        if (registered) this.forgotten();
        const leaves = this.unannouncedLeaves.get(room) ?? new Map<string, string>();
        this.unannouncedLeaves.delete(room);
        for (const [id, name] of left) leaves.set(id, name);
        // Rejoined since: its leave is no news any more.
        for (const id of members.keys()) leaves.delete(id);
        await this.announceAll(
          [...leaves.values()].map((name) => ({ room, name })),
          'leave',
        );
        await this.announceAll(
          joined.map((name) => ({ room, name })),
          'join',
        );
      } catch (error) {
        this.dirty.add(room);
        throw error;
      }
    }
  }

  private async announceAll(changes: RoomName[], event: 'join' | 'leave'): Promise<void> {
    for (const { room, name } of changes) {
      await this.hooks.announce({ room, name, event }).catch((error: unknown) => {
        this.logger.warn(`could not announce the ${event} of ${name} in ${room}: ${String(error)}`);
      });
    }
  }
}
