import { compareMessageIds } from '../message-id.js';

interface Cursor {
  /** The newest message id delivered (or known to be covered) for the room. */
  id: string;
  /** False until the room's newest stream id at the time of the first join is known. */
  seeded: boolean;
}

/**
 * The newest message delivered per room that has members on this instance. It makes delivery
 * exactly-once and in order when the subscription is resumed: the messages missed meanwhile
 * are read back from the stream after the cursor, and anything at or before it is dropped.
 * Rooms without local members need no cursor: nobody here would receive their events.
 */
export class RoomCursors {
  private readonly cursors = new Map<string, Cursor>();

  /** Starts following a room (its first member here is joining). */
  track(room: string): void {
    if (!this.cursors.has(room)) this.cursors.set(room, { id: '0-0', seeded: false });
  }

  /**
   * The room's newest stored id when its first member here joined: every message up to it is
   * in the history that member reads next, so none of them is delivered live.
   */
  seed(room: string, newestId: string): void {
    const cursor = this.cursors.get(room);
    if (cursor === undefined) return;
    if (compareMessageIds(newestId, cursor.id) > 0) cursor.id = newestId;
    cursor.seeded = true;
  }

  /** Stops following a room (its last member here left). */
  untrack(room: string): void {
    this.cursors.delete(room);
  }

  isTracked(room: string): boolean {
    return this.cursors.has(room);
  }

  /** True when the message is new for the room, and then it becomes the room's cursor. */
  admit(room: string, id: string): boolean {
    const cursor = this.cursors.get(room);
    if (cursor === undefined) return true;
    if (compareMessageIds(id, cursor.id) <= 0) return false;
    cursor.id = id;
    return true;
  }

  /** Rooms to catch up on after an interruption, with the id to read after. */
  resumePoints(): Array<{ room: string; after: string }> {
    const points: Array<{ room: string; after: string }> = [];
    for (const [room, cursor] of this.cursors) if (cursor.seeded) points.push({ room, after: cursor.id });
    return points;
  }

  get size(): number {
    return this.cursors.size;
  }
}
