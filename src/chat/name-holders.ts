interface Hold {
  identity: string;
  /** Connections of that identity holding the name in the room. */
  count: number;
}

/**
 * Who holds which display name in each room of this instance: one identity per name, which any
 * number of its own connections may share (one user in two tabs). Map lookups only, so the
 * check costs the same in a room of ten members as in one of ten thousand.
 */
export class NameHolders {
  private readonly rooms = new Map<string, Map<string, Hold>>();

  /** True when an identity other than `identity` holds `name` in `room`. */
  isTakenFrom(room: string, name: string, identity: string): boolean {
    const hold = this.rooms.get(room)?.get(name);
    return hold !== undefined && hold.identity !== identity;
  }

  /** Counts one more connection of `identity` holding `name` (the first holder keeps it). */
  take(room: string, name: string, identity: string): void {
    let names = this.rooms.get(room);
    if (names === undefined) this.rooms.set(room, (names = new Map<string, Hold>()));
    const hold = names.get(name);
    if (hold === undefined) names.set(name, { identity, count: 1 });
    else hold.count++;
  }

  release(room: string, name: string): void {
    const names = this.rooms.get(room);
    const hold = names?.get(name);
    if (names === undefined || hold === undefined) return;
    if (--hold.count > 0) return;
    names.delete(name);
    if (names.size === 0) this.rooms.delete(room);
  }
}
