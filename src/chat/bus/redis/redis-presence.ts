import { Logger } from '@nestjs/common';
import type { PresenceNotice } from '../chat-events.js';
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
  /** room -> connection id -> name, for the members connected to this instance. */
  private readonly local = new Map<string, Map<string, string>>();
  private readonly dirty = new Set<string>();
  /**
   * room -> connection id -> name of leaves that could not be written: the write may still
   * have happened (a timed-out command can run later), so the repair announces them whatever it
   * finds.
   */
  private readonly unannouncedLeaves = new Map<string, Map<string, string>>();
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
    members.set(member.id, member.name);
    try {
      await this.registering.get(room);
      const reply = await this.store.enter(room, member.id, member.name, this.options.memberListLimit);
      if (first) this.hooks.entered(room, reply.newestId);
      return { members: reply.roster.members, count: reply.roster.count };
    } catch (error) {
      // The script may have run even though its reply was lost: the caller's exit repairs it.
      this.dirty.add(room);
      throw new ChatBusUnavailableError('join the room', error);
    }
  }

  async exit(room: string, memberId: string): Promise<Roster | undefined> {
    const members = this.local.get(room);
    const name = members?.get(memberId);
    const lastHere = members !== undefined && members.delete(memberId) && members.size === 0;
    if (lastHere) {
      this.local.delete(room);
      this.hooks.lastLeft(room);
    }
    // Deregistering removed every member of this instance already.
    if (this.closed) return undefined;
    try {
      const roster = await this.store.exit(room, memberId, this.options.memberListLimit);
      // Unless a member here entered the room again meanwhile (its registration is on its way).
      if (lastHere && !this.local.has(room)) {
        if ((await this.store.nodeLeave(room, this.options.ttlMs)).registered) this.forgotten();
      }
      return { members: roster.members, count: roster.count };
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
    for (const room of rooms) {
      const members = this.local.get(room);
      if (members?.has(memberId)) {
        members.set(memberId, name);
        where.push(room);
      }
    }
    if (this.closed) return;
    await Promise.all(
      where.map((room) => this.store.rename(memberId, name, room).catch(() => void this.dirty.add(room))),
    );
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
      this.dirty.delete(room);
      try {
        const members = this.local.get(room) ?? new Map<string, string>();
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
