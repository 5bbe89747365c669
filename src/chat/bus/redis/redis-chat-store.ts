import type { Redis } from 'ioredis';
import type { ChatMessage, MessageDraft } from '../chat-events.js';
import { idempotencyKeyOf, type ResolvedIdempotencyWindow } from '../idempotency-window.js';
import { ROOM_SCRIPTS, roomIndexKey, roomKeys, type RoomScriptName } from './redis-room-scripts.js';
import { eventsChannel, NAME_TAKEN, scriptSource, SCRIPTS, type ScriptName } from './redis-scripts.js';
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

/**
 * Typed calls of the bus's scripts on one Redis connection, all under one key prefix, as one
 * instance (`node`) of the service. Knows the reply shapes; knows nothing of the chat's rules.
 */
export class RedisChatStore {
  private readonly scripts: Record<ScriptName | RoomScriptName, ScriptCall>;

  constructor(
    redis: Redis,
    readonly prefix: string,
    readonly node: string,
  ) {
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      redis.defineCommand(name, { numberOfKeys: 0, lua: scriptSource(name) });
    }
    for (const name of Object.keys(ROOM_SCRIPTS) as RoomScriptName[]) {
      redis.defineCommand(name, { numberOfKeys: ROOM_SCRIPTS[name].keys, lua: ROOM_SCRIPTS[name].lua });
    }
    this.scripts = redis as unknown as Record<ScriptName | RoomScriptName, ScriptCall>;
  }

  /**
   * Stores the message (its room's keys expire `ttlMs` later; 0 never) and publishes it: the
   * stored message. When the room remembers the draft's idempotency key (within `window`),
   * nothing is stored: the message stored under the key (its fields taken from the draft once
   * trimmed from the stream), with `replayed`. An empty `fromId` is not stored (entries without
   * one read back as LEGACY_FROM_ID).
   */
  async publish(
    draft: MessageDraft & { fromId: string },
    envelope: string,
    limits: { maxLength: number; ttlMs: number; window: ResolvedIdempotencyWindow },
  ): Promise<{ message: ChatMessage; replayed: boolean }> {
    const { room, from, text, fromId, ref } = draft;
    const { stream, sent, sentAt } = roomKeys(this.prefix, room);
    const [id, fields] = (await this.scripts.chatStore(
      stream,
      sent,
      sentAt,
      limits.maxLength,
      from,
      text,
      envelope,
      limits.ttlMs,
      eventsChannel(this.prefix),
      fromId,
      idempotencyKeyOf(draft) ?? '',
      ref === undefined ? '' : JSON.stringify(ref),
      limits.window.windowMs,
      limits.window.keysPerRoom,
    )) as [string, string[] | undefined];
    const stored: ChatMessage = { id: String(id), room, from, fromId, text, at: timeOfId(String(id)) };
    if (ref !== undefined) stored.ref = ref;
    if (fields === undefined) return { message: stored, replayed: false };
    return { message: fields.length > 0 ? messageOf(room, [stored.id, fields]) : stored, replayed: true };
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
      roomIndexKey(this.prefix),
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
    const { stream, members, sent, sentAt } = roomKeys(this.prefix, room);
    return (await this.scripts.chatEvictRoom(stream, members, sent, sentAt, idleBefore)) === 1;
  }

  async history(
    room: string,
    since: string | undefined,
    before: string | undefined,
    limit: number,
  ): Promise<StreamPage> {
    const [entries, dropped, firstKept] = (await this.call('chatHistory', room, since ?? '', before ?? '', limit)) as [
      Array<[string, string[]]>,
      number,
      string,
    ];
    const messages = entries.map((entry) => messageOf(room, entry));
    if (since === undefined) messages.reverse();
    return { messages, dropped: Number(dropped), firstKept: String(firstKept) };
  }

  /** Enters the member, unless another identity holds its name there (`taken`, nothing written). */
  async enter(
    room: string,
    member: { id: string; name: string; identity: string },
    ttlMs: number,
    limit: number,
  ): Promise<
    { registered: boolean; taken: true } | { registered: boolean; taken: false; newestId: string; roster: RosterReply }
  > {
    const { id, name, identity } = member;
    const reply = (await this.call(
      'chatEnter',
      this.node,
      ttlMs,
      room,
      id,
      JSON.stringify(name),
      limit,
      identity,
    )) as Reply;
    const registered = reply[0] === 1;
    if (reply[1] === NAME_TAKEN) return { registered, taken: true };
    return { registered, taken: false, newestId: String(reply[1]), roster: rosterOf(reply, 2) };
  }

  async exit(
    room: string,
    id: string,
    lastHere: boolean,
    ttlMs: number,
    limit: number,
  ): Promise<{ registered: boolean; roster: RosterReply }> {
    const reply = (await this.call('chatExit', this.node, ttlMs, room, id, lastHere ? '1' : '0', limit)) as Reply;
    return { registered: reply[0] === 1, roster: rosterOf(reply, 1) };
  }

  /** Renames the member where it is, or nowhere when another identity holds the name in one of them (`takenIn`). */
  async rename(
    member: { id: string; name: string; identity: string },
    rooms: string[],
    ttlMs: number,
  ): Promise<{ registered: boolean; takenIn: string | undefined }> {
    const { id, name, identity } = member;
    const reply = (await this.call(
      'chatRename',
      this.node,
      ttlMs,
      id,
      JSON.stringify(name),
      identity,
      ...rooms,
    )) as Reply;
    return { registered: reply[0] === 1, takenIn: reply[1] === '' ? undefined : String(reply[1]) };
  }

  /**
   * Makes this node's members of the room exactly `members`: the names of those it added, and
   * the connection ids and names of those it removed.
   */
  async sync(
    room: string,
    members: Iterable<[id: string, member: { name: string; identity: string }]>,
    ttlMs: number,
  ): Promise<{ registered: boolean; joined: string[]; left: Map<string, string> }> {
    const args: string[] = [];
    for (const [id, { name, identity }] of members) args.push(id, JSON.stringify(name), identity);
    const reply = (await this.call('chatSync', this.node, ttlMs, room, ...args)) as Reply;
    const joinedEnd = 2 + Number(reply[1]);
    const joined = reply.slice(2, joinedEnd).map((name) => JSON.parse(String(name)) as string);
    const left = new Map<string, string>();
    for (let i = joinedEnd; i + 1 < reply.length; i += 2)
      left.set(String(reply[i]), JSON.parse(String(reply[i + 1])) as string);
    return { registered: reply[0] === 1, joined, left };
  }

  /** Keeps this node alive; the members removed from expired nodes. */
  async heartbeat(ttlMs: number, maxExpired: number): Promise<{ registered: boolean; removed: RoomName[] }> {
    const reply = (await this.call('chatHeartbeat', this.node, ttlMs, maxExpired)) as Reply;
    return { registered: reply[0] === 1, removed: roomNamesOf(reply, 1) };
  }

  /** Removes every member of this node; those removed. */
  async deregister(): Promise<RoomName[]> {
    return roomNamesOf((await this.call('chatDeregister', this.node)) as Reply, 0);
  }

  async announce(room: string, envelope: string, limit: number): Promise<void> {
    await this.call('chatAnnounce', room, limit, envelope);
  }

  async roster(room: string, limit: number): Promise<RosterReply> {
    return rosterOf((await this.call('chatRoster', room, limit)) as Reply, 0);
  }

  async rooms(): Promise<Array<{ room: string; members: number }>> {
    const reply = (await this.call('chatRooms')) as Reply;
    const rooms: Array<{ room: string; members: number }> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) rooms.push({ room: String(reply[i]), members: Number(reply[i + 1]) });
    return rooms;
  }

  private call(script: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    return this.scripts[script](this.prefix, ...args);
  }
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

function roomNamesOf(reply: Reply, start: number): RoomName[] {
  const pairs: RoomName[] = [];
  for (let i = start; i + 1 < reply.length; i += 2) {
    pairs.push({ room: String(reply[i]), name: JSON.parse(String(reply[i + 1])) as string });
  }
  return pairs;
}
