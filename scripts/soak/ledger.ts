/** Message ids are "<ms>-<seq>": compare the two numbers, not the strings. */
export function compareIds(a: string, b: string): number {
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  const msA = Number(a.slice(0, dashA));
  const msB = Number(b.slice(0, dashB));
  if (msA !== msB) return msA - msB;
  return Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1));
}

/**
 * Every message id known to exist in each room: acked to its sender or seen by any member.
 * A member that joined after `cursor` must end up with every one of them newer than that.
 */
export class Ledger {
  private readonly rooms = new Map<string, Set<string>>();
  acked = 0;

  known(room: string, id: string): void {
    let ids = this.rooms.get(room);
    if (ids === undefined) this.rooms.set(room, (ids = new Set()));
    ids.add(id);
  }

  ack(room: string, id: string): void {
    this.acked++;
    this.known(room, id);
  }

  /** How many messages of `room` are newer than `cursor` (all of them without one). */
  countAfter(room: string, cursor: string | undefined): number {
    const ids = this.rooms.get(room);
    if (ids === undefined) return 0;
    if (cursor === undefined) return ids.size;
    let count = 0;
    for (const id of ids) if (compareIds(id, cursor) > 0) count++;
    return count;
  }

  get messages(): number {
    let total = 0;
    for (const ids of this.rooms.values()) total += ids.size;
    return total;
  }
}
