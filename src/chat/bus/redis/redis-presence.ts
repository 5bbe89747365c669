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
  /** The first member on this instance is entering `room` (called before the store is). */
  firstEntering(room: string): void;
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
      this.hooks.firstEntering(room);
    }
    const entering = { name: member.name, identity: member.identity ?? member.id };
    members.set(member.id, entering);
    let reply: Awaited<ReturnType<RedisChatStore['enter']>>;
    try {
      reply = await this.store.enter(
        room,
        { id: member.id, ...entering },
        this.options.ttlMs,
        this.options.memberListLimit,
      );
    } catch (error) {
      // The script may have run even though its reply was lost: the caller's exit repairs it.
      this.dirty.add(room);
      throw new ChatBusUnavailableError('join the room', error);
    }
    if (reply.registered) this.forgotten();
    if (reply.taken) {
      // Nothing was written: forgotten here too, with no exit to follow.
      if (members.get(member.id) === entering) members.delete(member.id);
      if (members.size === 0 && this.local.get(room) === members) {
        this.local.delete(room);
        this.hooks.lastLeft(room);
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
      const reply = await this.store.exit(room, memberId, lastHere, this.options.ttlMs, this.options.memberListLimit);
      if (reply.registered) this.forgotten();
      return { members: reply.roster.members, count: reply.roster.count };
    } catch {
      this.dirty.add(room);
      if (name !== undefined) {
        let leaves = this.unannouncedLeaves.get(room);
        if (leaves === undefined) this.unannouncedLeaves.set(room, (leaves = new Map()));
        leaves.set(memberId, name);
      }
      return undefined;
    }
  }

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
    let takenIn: string | undefined;
    try {
      const reply = await this.store.rename({ id: memberId, name, identity }, where, this.options.ttlMs);
      if (reply.registered) this.forgotten();
      takenIn = reply.takenIn;
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
    await this.announceAll(reply.removed, 'leave');
    await this.repair();
  }

  /** Removes this instance's members (graceful shutdown), announcing their leaves. */
  async deregister(): Promise<void> {
    this.closed = true;
    await this.repairing?.catch(() => undefined);
    this.local.clear();
    this.dirty.clear();
    this.unannouncedLeaves.clear();
    await this.announceAll(await this.store.deregister(), 'leave');
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

  private repair(): Promise<void> {
    this.repairing ??= this.repairDirtyRooms().finally(() => (this.repairing = undefined));
    return this.repairing;
  }

  private async repairDirtyRooms(): Promise<void> {
    for (const room of [...this.dirty]) {
      if (this.closed) return;
      this.dirty.delete(room);
      try {
        const members = this.local.get(room) ?? new Map<string, LocalMember>();
        const { joined, left } = await this.store.sync(room, members.entries(), this.options.ttlMs);
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
