import type { RoomSummary } from '../connection-registry.js';

export type { RoomSummary };

/** Injection token of the presence in use (the bus's own, or the local one). */
export const CHAT_PRESENCE = Symbol('CHAT_PRESENCE');

/** One connection in a room. */
export interface PresenceMember {
  /** The connection id (unique across instances). */
  id: string;
  name: string;
  /**
   * Who holds the name (README, "One name per person in a room"): members of one identity may
   * share a name in a room, members of two may not. Default: the connection id.
   */
  identity?: string;
}

/** Who is in a room: the first names (at most the member list limit, oldest first) and the total. */
export interface Roster {
  members: string[];
  count: number;
}

/**
 * Who is in which room, as every instance of the service sees it. Without a cross-instance
 * store it is this instance's connection registry (LocalPresence); the Redis bus brings one
 * shared by all instances.
 *
 * Calls about one room are applied in the order they are made.
 */
export interface RoomPresence {
  /**
   * Adds the member to the room; the roster after. Rejects when the change cannot be made, with
   * ChatError `name_taken` when a member of another identity holds its name there.
   */
  enter(room: string, member: PresenceMember): Promise<Roster>;
  /**
   * Removes the member from the room; the roster after, or undefined when the shared store
   * cannot be reached now: the removal is then applied (and announced) once it can.
   */
  exit(room: string, memberId: string): Promise<Roster | undefined>;
  /**
   * The member's name changed in these rooms. Rejects only with ChatError `name_taken` (in none
   * of the rooms then); any other failure is repaired later.
   */
  rename(memberId: string, name: string, rooms: Iterable<string>): Promise<void>;
  roster(room: string): Promise<Roster>;
  /** Rooms with at least one member, by name. */
  rooms(): Promise<RoomSummary[]>;
}
