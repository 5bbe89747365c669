/**
 * The names of the Redis bus's keys and channels under one prefix P (default `chat:`). The
 * scripts are handed every key they touch (KEYS), so this is the one place that spells them.
 *
 *   P stream:<room>       STREAM  the room's history; entry ids are the message ids
 *   P members:<room>      ZSET    `<node>/<connection id>` scored by the time it joined
 *   P names:<room>        HASH    `<node>/<connection id>` -> its name as a JSON string
 *   P holders:<room>      HASH    name as a JSON string -> `<members holding it>:<their identity>`
 *                                 (one identity per name; README "One name per person in a room")
 *   P sent:<room>         HASH    idempotency key (JSON [fromId, ref]) -> the id stored under it
 *   P sent-prev:<room>    HASH    the same, the generation before (redis-room-scripts.ts)
 *   P sent-at:<room>      ZSET    written by earlier versions (key -> when stored); only deleted
 *   P events              channel every room event (standalone Redis: PUBLISH)
 *   P events:<room>       channel the room's events (Redis Cluster: SPUBLISH, sharded)
 *   P nodes               ZSET    instance id -> the time (ms) its presence expires unless refreshed
 *   P node:<id>:rooms     SET     rooms where that instance has members (to remove them when it dies)
 *   P room-activity       ZSET    room -> when it was last admitted or found in use (RoomAdmission)
 *
 * On a Redis Cluster the room part is a hash tag, `{<room>}`, so that a room's stream, members,
 * names, name holders, idempotency keys and channel live on one shard and its scripts can run there; the instance registry
 * (`nodes`, `node:<id>:rooms`) shares the tag `{nodes}`. On a single Redis the names are
 * unchanged from before the cluster existed, so an upgrade keeps its data.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    /** Redis Cluster: hash tags, and a sharded channel per room. */
    readonly clustered: boolean,
  ) {}

  stream(room: string): string {
    return `${this.prefix}stream:${this.tag(room)}`;
  }

  members(room: string): string {
    return `${this.prefix}members:${this.tag(room)}`;
  }

  names(room: string): string {
    return `${this.prefix}names:${this.tag(room)}`;
  }

  holders(room: string): string {
    return `${this.prefix}holders:${this.tag(room)}`;
  }

  /** The room's idempotency keys -> the ids stored under them. */
  sent(room: string): string {
    return `${this.prefix}sent:${this.tag(room)}`;
  }

  /** The room's previous generation of idempotency keys. */
  sentPrev(room: string): string {
    return `${this.prefix}sent-prev:${this.tag(room)}`;
  }

  /** What earlier versions kept of the room's idempotency keys by time: deleted with the room. */
  sentAt(room: string): string {
    return `${this.prefix}sent-at:${this.tag(room)}`;
  }

  /** The channel a room's events are published on (the shared one on a single Redis). */
  channel(room: string): string {
    return this.clustered ? `${this.prefix}events:${this.tag(room)}` : this.sharedChannel();
  }

  /** The channel of every room on a single Redis. */
  sharedChannel(): string {
    return `${this.prefix}events`;
  }

  nodes(): string {
    return this.clustered ? `${this.prefix}{nodes}` : `${this.prefix}nodes`;
  }

  nodeRooms(node: string): string {
    return this.clustered ? `${this.prefix}{nodes}:node:${node}:rooms` : `${this.prefix}node:${node}:rooms`;
  }

  roomIndex(): string {
    return this.clustered ? `${this.prefix}{room-activity}` : `${this.prefix}room-activity`;
  }

  private tag(room: string): string {
    if (!this.clustered) return room;
    // A `}` would end the tag early (and `{}` is no tag at all): such rooms are tagged by their hex.
    return room.includes('}') ? `{${Buffer.from(room).toString('hex')}}` : `{${room}}`;
  }
}
