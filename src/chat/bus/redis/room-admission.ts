import { RoomLimitError } from '../bus-errors.js';
import type { RedisChatStore } from './redis-chat-store.js';

export interface RoomLimits {
  maxRooms: number;
  /** A room's history may make way for a new room after this long without messages or members. */
  minIdleMs: number;
  /** Streams expire this long after their last message; 0 never. */
  ttlMs: number;
}

/** Idle rooms examined per round trip to the index, and rounds before giving up. */
const CANDIDATES = 16;
const ROUNDS = 4;
/** Rooms remembered as recently admitted; beyond it the memory starts afresh. */
const MAX_REMEMBERED = 10_000;

/**
 * Keeps the Redis bus within `maxRooms` rooms with history. Before a message is stored, its
 * room must be in the room index: when the index is full, the rooms idle the longest are
 * examined one by one, and the first without members or recent messages loses its history;
 * rooms found in use count as active again. With none idle, RoomLimitError.
 *
 * A room admitted here cannot be evicted for `minIdleMs` (its score is then recent), nor expire
 * from the index for `ttlMs`: within half the shorter of the two it is not asked again, so a
 * busy room costs the index one call per that period, not one per message.
 */
export class RoomAdmission {
  private readonly admittedAt = new Map<string, number>();
  private readonly fresh: number;

  constructor(
    private readonly store: RedisChatStore,
    private readonly limits: RoomLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.fresh = (limits.ttlMs > 0 ? Math.min(limits.minIdleMs, limits.ttlMs) : limits.minIdleMs) / 2;
  }

  async admit(room: string): Promise<void> {
    const at = this.admittedAt.get(room);
    if (at !== undefined && this.now() - at < this.fresh) return;
    const started = this.now();
    await this.admitNow(room);
    if (this.admittedAt.size >= MAX_REMEMBERED) this.admittedAt.clear();
    this.admittedAt.set(room, started);
  }

  private async admitNow(room: string): Promise<void> {
    const { maxRooms, minIdleMs, ttlMs } = this.limits;
    let forget: Array<[string, string]> = [];
    let inUse: string[] = [];
    for (let round = 0; ; round++) {
      const reply = await this.store.admitRoom(
        room,
        { maxRooms, ttlMs, minIdleMs, candidates: CANDIDATES },
        forget,
        inUse,
      );
      if (reply.admitted) return;
      if (reply.candidates.length === 0 || round + 1 === ROUNDS) {
        const retryAfter = Math.max(1, Math.ceil((reply.oldest + minIdleMs - reply.now) / 1000));
        throw new RoomLimitError(
          maxRooms,
          reply.candidates.length === 0 ? retryAfter : Math.ceil(minIdleMs / 1000) || 1,
        );
      }
      forget = [];
      inUse = [];
      for (const [candidate, score] of reply.candidates) {
        if (await this.store.evictRoom(candidate, reply.now - minIdleMs)) {
          forget.push([candidate, score]);
          this.admittedAt.delete(candidate);
          break;
        }
        inUse.push(candidate);
      }
    }
  }
}
