import type { ConnectionRegistry } from '../connection-registry.js';
import type { PresenceMember, RoomPresence, RoomSummary, Roster } from './room-presence.js';

/** Presence of a single instance: exactly its connection registry, which is always up to date. */
export class LocalPresence implements RoomPresence {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly memberListLimit: number,
  ) {}

  async enter(room: string, _member: PresenceMember): Promise<Roster> {
    return this.current(room);
  }

  async exit(room: string, _memberId: string): Promise<Roster | undefined> {
    return this.current(room);
  }

  async rename(_memberId: string, _name: string, _rooms: Iterable<string>): Promise<void> {
    // The registry reads names from the connections themselves.
  }

  async roster(room: string): Promise<Roster> {
    return this.current(room);
  }

  async rooms(): Promise<RoomSummary[]> {
    return this.registry.roomSummaries();
  }

  private current(room: string): Roster {
    return { members: this.registry.memberNames(room, this.memberListLimit), count: this.registry.memberCount(room) };
  }
}
