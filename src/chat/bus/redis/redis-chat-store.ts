import type { Cluster, Redis } from 'ioredis';
import type { ChatMessage, MessageDraft } from '../chat-events.js';
import { idempotencyKeyOf, type ResolvedIdempotencyWindow } from '../idempotency-window.js';
import type { RedisKeys } from './redis-keys.js';
import { ROOM_SCRIPTS, type RoomScriptName } from './redis-room-scripts.js';
import { NAME_TAKEN, scriptSource, SCRIPTS, type ScriptName } from './redis-scripts.js';
import { MAX_BATCH, StoreBatches } from './store-batches.js';
import { decodeRef, LEGACY_FROM_ID, timeOfId } from './redis-wire.js';

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;
type Reply = Array<string | number>;

/** A room and a name, as presence changes report them. */
export interface RoomName {
  room: string;
  name: string;
}

export interface RosterReply {
  count: number;
  members: string[];
}

export type RoomAdmission =
  | { admitted: true }
  | {
      admitted: false;
      /** Redis' clock (ms). */
      now: number;
      /** Score of the room idle the longest. */
      oldest: number;
      /** The rooms idle the longest (room, score), at least the minimum idle time. */
      candidates: Array<[room: string, score: string]>;
    };

export interface StreamPage {
  /** Oldest first. */
  messages: ChatMessage[];
  /** Entries trimmed from the stream so far; -1 unknown, -2 no stream (only with `since`). */
  dropped: number;
  /** The oldest id the stream still holds ('' when unknown). */
  firstKept: string;
}

/** Stream length, key expiry and idempotency window of a store. */
export interface StoreLimits {
  maxLength: number;
  ttlMs: number;
  window: ResolvedIdempotencyWindow;
}

export interface StoreOutcome {
  message: ChatMessage;
  replayed: boolean;
}

interface PendingStore {
  draft: MessageDraft & { fromId: string };
  envelope: string;
  limits: StoreLimits;
}

/** Either kind of connection the bus runs on: both define scripts and run commands alike. */
export type RedisCommands = Redis | Cluster;

/**
 * Typed calls of the bus's scripts on one Redis connection (or Redis Cluster), with the key
 * names of `keys`, as one instance (`node`) of the service. Knows the reply shapes and the
 * order in which multi-step changes (an instance's death, the list of rooms) are made; knows
 * nothing of the chat's rules.
 */
export class RedisChatStore {
  private readonly scripts: Record<ScriptName | RoomScriptName, ScriptCall>;
  private readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  private readonly batches: StoreBatches<PendingStore, StoreOutcome>;

  constructor(
    private readonly redis: RedisCommands,
    readonly keys: RedisKeys,
    readonly node: string,
    /** Most messages of a room stored by one call (1: one call per message). Default MAX_BATCH. */
    maxBatch = MAX_BATCH,
  ) {
    this.batches = new StoreBatches(
      (room, items) => this.storeBatch(room, items),
      ({ message }) => ({ message, replayed: true }),
      maxBatch,
    );
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      redis.defineCommand(name, { numberOfKeys: SCRIPTS[name].keys, lua: scriptSource(name) });
    }
    for (const name of Object.keys(ROOM_SCRIPTS) as RoomScriptName[]) {
      redis.defineCommand(name, { numberOfKeys: ROOM_SCRIPTS[name].keys, lua: ROOM_SCRIPTS[name].lua });
    }
    this.scripts = redis as unknown as Record<ScriptName | RoomScriptName, ScriptCall>;
    this.publishCommand = keys.clustered ? 'SPUBLISH' : 'PUBLISH';
  }

  /**
   * Stores the message (its room's keys expire about `ttlMs` later, see redis-room-scripts.ts;
   * 0 never) and publishes it: the stored message. When the room remembers the draft's
   * idempotency key (within `window`), nothing is stored: the message stored under the key (its
   * fields taken from the draft once trimmed from the stream), with `replayed`. An empty
   * `fromId` is not stored (entries without one read back as LEGACY_FROM_ID). The messages of
   * a room given in one turn of the event loop are stored by one call, in the order given
   * (StoreBatches); `limits` are those of the first of them.
   */
  publish(
    draft: MessageDraft & { fromId: string },
    envelope: string,
    limits: StoreLimits,
  ): Promise<{ message: ChatMessage; replayed: boolean }> {
    return this.batches.add(draft.room, idempotencyKeyOf(draft), { draft, envelope, limits });
  }

  /**
   * `publish` for each draft (all of one room), in the order given: given in one turn, they
   * are stored in as few script calls as the batch size allows (one round trip). Each draft's
   * outcome, or its error if it failed.
   */
  async publishMany(
    batch: ReadonlyArray<{ draft: MessageDraft & { fromId: string }; envelope: string }>,
    limits: StoreLimits,
  ): Promise<Array<StoreOutcome | { error: Error }>> {
    const settled = await Promise.allSettled(batch.map(({ draft, envelope }) => this.publish(draft, envelope, limits)));
    return settled.map((outcome) =>
      outcome.status === 'fulfilled'
        ? outcome.value
        : { error: outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason)) },
    );
  }

  private async storeBatch(room: string, items: PendingStore[]): Promise<StoreOutcome[]> {
    const { limits } = items[0];
    const keys: string[] = [];
    const messages: string[] = [];
    // The script writes `{"id":"…",` in front of each (redis-wire.ts).
    const envelopes = items.map(({ envelope }) => envelope.slice(1)).join('\n');
    for (const { draft } of items) {
      const key = idempotencyKeyOf(draft);
      if (key !== undefined) keys.push(key);
      messages.push(draft.from, draft.text, draft.fromId, draft.ref === undefined ? '' : JSON.stringify(draft.ref));
    }
    const replies = (await this.scripts.chatStore(
      this.keys.stream(room),
      this.keys.sent(room),
      this.keys.sentPrev(room),
      this.keys.channel(room),
      this.publishCommand,
      limits.maxLength,
      limits.ttlMs,
      limits.window.windowMs,
      limits.window.keysPerRoom,
      keys.length,
      ...keys,
      envelopes,
      ...messages,
    )) as Array<string | [string, string[]]>;
    return items.map(({ draft }, i) => outcomeOf(draft, replies[i]));
  }

  /**
   * Admits the room to the index of rooms with history, first forgetting those dropped
   * (`forget`: room and the score it was dropped at) and refreshing those found in use.
   */
  async admitRoom(
    room: string,
    limits: { maxRooms: number; ttlMs: number; minIdleMs: number; candidates: number },
    forget: Array<[room: string, score: string]>,
    inUse: string[],
  ): Promise<RoomAdmission> {
    const reply = (await this.scripts.chatAdmitRoom(
      this.keys.roomIndex(),
      room,
      limits.maxRooms,
      limits.ttlMs,
      limits.minIdleMs,
      limits.candidates,
      forget.length,
      ...forget.flat(),
      ...inUse,
    )) as Reply;
    if (reply[0] === 1) return { admitted: true };
    const candidates: Array<[string, string]> = [];
    for (let i = 3; i + 1 < reply.length; i += 2) candidates.push([String(reply[i]), String(reply[i + 1])]);
    return { admitted: false, now: Number(reply[1]), oldest: Number(reply[2]), candidates };
  }

  /** Drops the room's history if nobody is in it and it has no message after `idleBefore` (ms). */
  async evictRoom(room: string, idleBefore: number): Promise<boolean> {
    const { keys } = this;
    const evicted = await this.scripts.chatEvictRoom(
      keys.stream(room),
      keys.members(room),
      keys.sent(room),
      keys.sentPrev(room),
      keys.sentAt(room),
      idleBefore,
    );
    return evicted === 1;
  }

  async history(
    room: string,
    since: string | undefined,
    before: string | undefined,
    limit: number,
  ): Promise<StreamPage> {
    const [entries, dropped, firstKept] = (await this.scripts.chatHistory(
      this.keys.stream(room),
      since ?? '',
      before ?? '',
      limit,
    )) as [Array<[string, string[]]>, number, string];
    const messages = entries.map((entry) => messageOf(room, entry));
    if (since === undefined) messages.reverse();
    return { messages, dropped: Number(dropped), firstKept: String(firstKept) };
  }

  /**
   * Adds the member to the room: the room's newest message id and its roster after; or `taken`
   * (nothing written) when another identity holds its name there.
   */
  async enter(
    room: string,
    member: { id: string; name: string; identity: string },
    limit: number,
  ): Promise<{ taken: true } | { taken: false; newestId: string; roster: RosterReply }> {
    const { id, name, identity } = member;
    const reply = (await this.scripts.chatEnter(
      ...this.roomKeys(room),
      this.keys.stream(room),
      this.member(id),
      JSON.stringify(name),
      limit,
      identity,
    )) as Reply;
    if (reply[0] === NAME_TAKEN) return { taken: true };
    return { taken: false, newestId: String(reply[0]), roster: rosterOf(reply, 1) };
  }

  async exit(room: string, id: string, limit: number): Promise<RosterReply> {
    return rosterOf((await this.scripts.chatExit(...this.roomKeys(room), this.member(id), limit)) as Reply, 0);
  }

  /**
   * Renames the member in the room where it still is (`write` false: only checks): false, and
   * nothing written, when another identity holds the name there.
   */
  async rename(member: { id: string; name: string; identity: string }, room: string, write: boolean): Promise<boolean> {
    const { id, name, identity } = member;
    const reply = await this.scripts.chatRename(
      ...this.roomKeys(room),
      this.member(id),
      JSON.stringify(name),
      identity,
      write ? '1' : '0',
    );
    return reply === 1;
  }

  /** This node has members in the room (registered: it was not listed as alive). */
  async nodeEnter(room: string, ttlMs: number): Promise<{ registered: boolean }> {
    const reply = await this.scripts.chatNodeEnter(...this.nodeKeys(this.node), this.node, ttlMs, room);
    return { registered: reply === 1 };
  }

  /** This node has no member left in the room. */
  async nodeLeave(room: string, ttlMs: number): Promise<{ registered: boolean }> {
    const reply = await this.scripts.chatNodeLeave(...this.nodeKeys(this.node), this.node, ttlMs, room);
    return { registered: reply === 1 };
  }

  /**
   * Makes this node's members of the room exactly `members`: the names of those it added, and
   * the connection ids and names of those it removed.
   */
  async sync(
    room: string,
    members: Iterable<[id: string, member: { name: string; identity: string }]>,
  ): Promise<{ joined: string[]; left: Map<string, string> }> {
    const args: string[] = [];
    for (const [id, { name, identity }] of members) args.push(id, JSON.stringify(name), identity);
    const reply = (await this.scripts.chatSync(...this.roomKeys(room), this.node, ...args)) as Reply;
    const joinedEnd = 1 + Number(reply[0]);
    const joined = reply.slice(1, joinedEnd).map((name) => JSON.parse(String(name)) as string);
    const left = new Map<string, string>();
    for (let i = joinedEnd; i + 1 < reply.length; i += 2)
      left.set(String(reply[i]), JSON.parse(String(reply[i + 1])) as string);
    return { joined, left };
  }

  /** Keeps this node alive; the ids of expired nodes (at most `maxExpired`). */
  async heartbeat(ttlMs: number, maxExpired: number): Promise<{ registered: boolean; expired: string[] }> {
    const reply = (await this.scripts.chatHeartbeat(this.keys.nodes(), this.node, ttlMs, maxExpired)) as Reply;
    return { registered: reply[0] === 1, expired: reply.slice(1).map(String) };
  }

  /**
   * Removes every member of `node` (an expired one, or with `onlyExpired` false this node):
   * takes it off the registry, then removes its members room by room. The rooms and names of
   * those removed; none when the node turned out to be alive.
   */
  async removeNode(node: string, onlyExpired: boolean, alsoIn: Iterable<string> = []): Promise<RoomName[]> {
    const claim = (await this.scripts.chatClaimNode(...this.nodeKeys(node), node, onlyExpired ? '1' : '0')) as Reply;
    if (claim.length === 0) return [];
    const claimedAt = Number(claim[0]);
    const rooms = new Set([...claim.slice(1).map(String), ...alsoIn]);
    const removed = await Promise.all(
      [...rooms].map(async (room) => {
        const names = (await this.scripts.chatRemoveNode(...this.roomKeys(room), node, claimedAt)) as Reply;
        return names.map((name) => ({ room, name: JSON.parse(String(name)) as string }));
      }),
    );
    await this.scripts.chatForgetNode(...this.nodeKeys(node), node);
    return removed.flat();
  }

  async announce(room: string, envelope: string, limit: number): Promise<void> {
    await this.scripts.chatAnnounce(
      ...this.rosterKeys(room),
      limit,
      envelope,
      this.keys.channel(room),
      this.publishCommand,
    );
  }

  async roster(room: string, limit: number): Promise<RosterReply> {
    return rosterOf((await this.scripts.chatRoster(...this.rosterKeys(room), limit)) as Reply, 0);
  }

  /** Rooms where some instance has members, with their member counts. */
  async rooms(): Promise<Array<{ room: string; members: number }>> {
    const nodes = await this.redis.zrange(this.keys.nodes(), '0', '-1');
    const listed = await Promise.all(nodes.map((node) => this.redis.smembers(this.keys.nodeRooms(node))));
    const rooms = [...new Set(listed.flat())];
    const counts = await Promise.all(rooms.map((room) => this.redis.zcard(this.keys.members(room))));
    return rooms.map((room, i) => ({ room, members: counts[i] })).filter(({ members }) => members > 0);
  }

  private member(id: string): string {
    return `${this.node}/${id}`;
  }

  /** The keys of the presence scripts of a room: members, names, name holders. */
  private roomKeys(room: string): [members: string, names: string, holders: string] {
    return [this.keys.members(room), this.keys.names(room), this.keys.holders(room)];
  }

  /** The keys of the scripts that only read the roster: members, names. */
  private rosterKeys(room: string): [members: string, names: string] {
    return [this.keys.members(room), this.keys.names(room)];
  }

  private nodeKeys(node: string): [nodes: string, rooms: string] {
    return [this.keys.nodes(), this.keys.nodeRooms(node)];
  }
}

/** The message stored for the draft, from the script's reply: its id, or {id, fields} when replayed. */
function outcomeOf(draft: MessageDraft & { fromId: string }, reply: string | [string, string[]]): StoreOutcome {
  const { room, from, text, fromId, ref } = draft;
  const [id, fields] = typeof reply === 'string' ? [reply, undefined] : reply;
  const stored: ChatMessage = { id: String(id), room, from, fromId, text, at: timeOfId(String(id)) };
  if (ref !== undefined) stored.ref = ref;
  if (fields === undefined) return { message: stored, replayed: false };
  return { message: fields.length > 0 ? messageOf(room, [stored.id, fields]) : stored, replayed: true };
}

function messageOf(room: string, [id, fields]: [string, string[]]): ChatMessage {
  let from = '';
  let fromId = LEGACY_FROM_ID;
  let text = '';
  let ref: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'from') from = fields[i + 1];
    else if (fields[i] === 'fromId') fromId = fields[i + 1];
    else if (fields[i] === 'text') text = fields[i + 1];
    else if (fields[i] === 'ref') ref = fields[i + 1];
  }
  const message: ChatMessage = { id, room, from, fromId, text, at: timeOfId(id) };
  const decoded = ref === undefined ? undefined : decodeRef(ref);
  if (decoded !== undefined) message.ref = decoded;
  return message;
}

function rosterOf(reply: Reply, start: number): RosterReply {
  return {
    count: Number(reply[start]),
    members: reply.slice(start + 1).map((name) => JSON.parse(String(name)) as string),
  };
}
