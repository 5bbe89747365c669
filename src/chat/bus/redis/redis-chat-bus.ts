import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Subject, type Observable } from 'rxjs';
import { nonNegativeInteger, positiveInteger } from '../../../common/number-checks.js';
import type { RedisConnections } from '../../../infrastructure/redis/redis-connections.js';
import type { RedisSubscription, SubscriptionListener } from '../../../infrastructure/redis/redis-subscription.js';
import type { ShardedSubscription } from '../../../infrastructure/redis/sharded-subscription.js';
import type { ResolvedChatOptions } from '../../chat-options.js';
import { ChatBusUnavailableError, RoomLimitError } from '../bus-errors.js';
import type { ChatBus, HistoryPage, HistoryQuery } from '../chat-bus.js';
import type { ChatEvent, ChatMessage, MessageDraft, PresenceNotice } from '../chat-events.js';
import {
  resolveIdempotencyWindow,
  type IdempotencyWindow,
  type ResolvedIdempotencyWindow,
} from '../idempotency-window.js';
import { compareMessageIds } from '../message-id.js';
import { RedisChatStore } from './redis-chat-store.js';
import { mayHaveRun } from './redis-outcome.js';
import { RedisPresence } from './redis-presence.js';
import { RedisKeys } from './redis-keys.js';
import { assertDeliverable, assertOneRoomBatch, isWireString } from '../deliverable.js';
import { decodePublication, LEGACY_FROM_ID, messageEnvelope, presenceEnvelope } from './redis-wire.js';
import { RoomAdmission } from './room-admission.js';
import { RoomCursors } from './room-cursors.js';

export interface RedisChatBusOptions {
  /** Prefix of every key and channel, so several deployments (or test runs) share a Redis. Default `chat:`. */
  prefix?: string;
  /** Messages kept per room (`XADD … MAXLEN ~`): at least this many, trimmed in whole stream nodes. Default 100. */
  historySize?: number;
  /** Most names in rosters. Default 200. */
  memberListLimit?: number;
  /**
   * How long the members of an instance stay listed after its last heartbeat (it sends one
   * every third of this). Default 15000.
   */
  presenceTtlMs?: number;
  /** This instance's id on the bus. Default: host name, pid and random bits. */
  node?: string;
  /**
   * How long `close()` waits for messages still being stored (a sender may be waiting for its
   * ack) before letting go of Redis. Default 5000.
   */
  drainTimeoutMs?: number;
  /** Rooms with history (streams); see RoomAdmission. Default 1000. */
  maxRooms?: number;
  /** A room's history may make way for a new room after this long without messages or members. Default 600000. */
  roomMinIdleMs?: number;
  /** A room's stream expires this long after its last message; 0 never. Default 7 days. */
  roomTtlMs?: number;
  /** How long idempotency keys are remembered (in Redis, next to the room's stream). */
  idempotency?: IdempotencyWindow;
}

/**
 * What the bus uses of its Redis connections (RedisConnections in service): the commands
 * connection, and the events channel's feed, which a test may drive by hand.
 */
export interface ChatBusRedis {
  readonly commands: RedisConnections['commands'];
  /** Set on a Redis Cluster, where each room has its own sharded channel. */
  readonly cluster?: RedisConnections['cluster'];
  subscribe(channel: string, listener: SubscriptionListener): ChatBusSubscription;
  subscribeSharded?(listener: SubscriptionListener): ShardedSubscription;
}

export type ChatBusSubscription = Pick<RedisSubscription, 'isActive' | 'ready' | 'close'>;

/** Events held while the feed is interrupted, beyond which the catch-up reads the streams again. */
const MAX_HELD_EVENTS = 10_000;
/** Rooms caught up on at once after an interruption. */
const CATCH_UP_PARALLELISM = 32;

/**
 * The bus of a service running as several instances on one Redis (`BUS=redis`; README,
 * "Running several instances (Redis)"):
 *
 * - a message is stored in its room's stream and published on the events channel by one Lua
 *   script, so its stream id is its message id and every instance receives the messages of a
 *   room in id order;
 * - every instance, the publisher included, delivers what arrives on the channel to its own
 *   sockets, and nothing else: exactly once per instance, in the same order everywhere;
 * - when the subscription is interrupted (Redis restarted, connection lost) incoming events are
 *   held, and once it is back the messages missed meanwhile are read from the streams of the
 *   rooms that have members here, after the newest one delivered; then delivery resumes;
 * - presence lives in Redis too (RedisPresence), with per-instance expiry.
 *
 * Requests fail fast while Redis is unreachable (no offline queue; every command has a
 * timeout): `publish` rejects with ChatBusUnavailableError, never acknowledging a message that
 * was not stored. Its `maybeDone` is true when the store was sent and not answered (it may
 * run later, e.g. once a frozen Redis resumes): the sender resends with the same `ref`, which
 * the store script remembers atomically with the message, so the resend never stores twice.
 */
export class RedisChatBus implements ChatBus {
  readonly node: string;
  readonly prefix: string;
  readonly historySize: number;
  readonly presence: RedisPresence;
  readonly events$: Observable<ChatEvent>;
  private readonly logger = new Logger('RedisChatBus');
  private readonly subject = new Subject<ChatEvent>();
  private readonly store: RedisChatStore;
  private readonly cursors = new RoomCursors();
  private readonly keys: RedisKeys;
  /** The one events channel (single Redis), or the rooms' sharded channels (Redis Cluster). */
  private readonly subscription: ChatBusSubscription | ShardedSubscription;
  private readonly memberListLimit: number;
  private readonly timer: NodeJS.Timeout;
  private readonly drainTimeoutMs: number;
  private readonly roomTtlMs: number;
  private readonly admission: RoomAdmission;
  /** Stores (XADD + PUBLISH) sent and not answered yet: `close()` waits for them. */
  private readonly storing = new Set<Promise<unknown>>();
  private readonly storeLimits: { maxLength: number; ttlMs: number; window: ResolvedIdempotencyWindow };
  private closed = false;
  /** Events received while the feed is not known to be complete; null while delivering live. */
  private held: ChatEvent[] | null = [];
  private heldOverflow = false;
  private catchUpPending = false;
  private catchingUp: Promise<void> | undefined;
  private heartbeating: Promise<void> | undefined;
  private readonly firstHeartbeat: Promise<void>;
  private redisDown = false;
  private malformed = 0;
  private recovered = 0;
  private onCommandsReady: () => void = () => undefined;

  constructor(
    private readonly redis: ChatBusRedis,
    options: RedisChatBusOptions = {},
  ) {
    this.prefix = options.prefix ?? 'chat:';
    this.node = options.node ?? defaultNodeId();
    if (this.node.includes('/') || this.node === '')
      throw new RangeError(`a bus node id cannot be empty or contain "/": ${this.node}`);
    this.historySize = positiveInteger(options.historySize ?? 100, 'historySize');
    this.memberListLimit = positiveInteger(options.memberListLimit ?? 200, 'memberListLimit');
    const ttlMs = positiveInteger(options.presenceTtlMs ?? 15_000, 'presenceTtlMs');
    this.drainTimeoutMs = positiveInteger(options.drainTimeoutMs ?? 5000, 'drainTimeoutMs');
    this.keys = new RedisKeys(this.prefix, redis.cluster !== undefined);
    this.store = new RedisChatStore(redis.commands, this.keys, this.node);
    this.roomTtlMs = nonNegativeInteger(options.roomTtlMs ?? 7 * 24 * 3600 * 1000, 'roomTtlMs');
    this.storeLimits = {
      maxLength: this.historySize,
      ttlMs: this.roomTtlMs,
      window: resolveIdempotencyWindow(options.idempotency),
    };
    this.admission = new RoomAdmission(this.store, {
      maxRooms: positiveInteger(options.maxRooms ?? 1000, 'maxRooms'),
      minIdleMs: nonNegativeInteger(options.roomMinIdleMs ?? 600_000, 'roomMinIdleMs'),
      ttlMs: this.roomTtlMs,
    });
    this.presence = new RedisPresence(
      this.store,
      { ttlMs, memberListLimit: this.memberListLimit },
      {
        firstEntering: (room) => {
          this.cursors.track(room);
          return this.follow(room);
        },
        entered: (room, newestId) => this.cursors.seed(room, newestId),
        lastLeft: (room) => {
          this.cursors.untrack(room);
          if (this.keys.clustered) (this.subscription as ShardedSubscription).unfollow(this.keys.channel(room));
        },
        announce: (notice) => this.publishPresence(notice),
      },
    );
    this.events$ = this.subject.asObservable();
    const listener = {
      message: (payload: string) => this.receive(payload),
      subscribed: () => this.startCatchUp(),
      interrupted: () => {
        this.held ??= [];
      },
    };
    if (!this.keys.clustered) this.subscription = redis.subscribe(this.keys.sharedChannel(), listener);
    else if (redis.subscribeSharded !== undefined) this.subscription = redis.subscribeSharded(listener);
    else throw new Error('on a Redis Cluster the chat bus needs sharded subscriptions');
    // One timer per instance: heartbeat, expiry sweep, repairs, and retrying a failed catch-up.
    this.timer = setInterval(() => void this.tick(), Math.max(1, Math.floor(ttlMs / 3)));
    this.timer.unref();
    // And a heartbeat as soon as Redis is (back) up: registers this instance, and repairs its
    // presence at once if Redis came back without its data.
    this.firstHeartbeat = new Promise((resolve) => {
      this.onCommandsReady = () => void this.tick().then(resolve);
      redis.commands.on('ready', this.onCommandsReady);
      if (redis.commands.status === 'ready') this.onCommandsReady();
    });
  }

  async publish(draft: MessageDraft): Promise<ChatMessage> {
    if (this.closed) throw new Error('the chat bus is closed');
    assertDeliverable(draft);
    const message = { ...draft, fromId: draft.fromId ?? LEGACY_FROM_ID };
    let sent = false;
    const storing = this.admission.admit(draft.room).then(() => {
      sent = true;
      return this.store.publish(message, messageEnvelope(this.node, message), this.storeLimits);
    });
    this.storing.add(storing);
    try {
      return (await storing).message;
    } catch (error) {
      if (error instanceof RoomLimitError) throw error;
      throw new ChatBusUnavailableError('store the message', error, sent && mayHaveRun(error));
    } finally {
      this.storing.delete(storing);
    }
  }

  /**
   * The room admitted once, then every draft's store script in one pipeline (one round trip;
   * the room's keys share a hash tag, so on a Cluster it goes to the room's shard). Any draft
   * failing fails the batch with ChatBusUnavailableError, `maybeDone` when some draft was or
   * may have been stored: the sender resends the whole batch with the same refs.
   */
  async publishMany(drafts: MessageDraft[]): Promise<ChatMessage[]> {
    if (this.closed) throw new Error('the chat bus is closed');
    assertOneRoomBatch(drafts);
    if (drafts.length === 0) return [];
    const batch = drafts.map((draft) => {
      const message = { ...draft, fromId: draft.fromId ?? LEGACY_FROM_ID };
      return { draft: message, envelope: messageEnvelope(this.node, message) };
    });
    let sent = false;
    const storing = this.admission.admit(drafts[0].room).then(() => {
      sent = true;
      return this.store.publishMany(batch, this.storeLimits);
    });
    this.storing.add(storing);
    let outcomes;
    try {
      outcomes = await storing;
    } catch (error) {
      if (error instanceof RoomLimitError) throw error;
      throw new ChatBusUnavailableError('store the messages', error, sent && mayHaveRun(error));
    } finally {
      this.storing.delete(storing);
    }
    const messages: ChatMessage[] = [];
    let failure: Error | undefined;
    let maybeStored = false;
    for (const outcome of outcomes) {
      if ('error' in outcome) {
        failure ??= outcome.error;
        maybeStored ||= mayHaveRun(outcome.error);
      } else {
        messages.push(outcome.message);
        maybeStored = true;
      }
    }
    if (failure !== undefined) throw new ChatBusUnavailableError('store the messages', failure, maybeStored);
    return messages;
  }

  /** The roster in the notice is replaced by the room's roster at the time it is published. */
  async announce(presence: PresenceNotice): Promise<void> {
    if (this.closed) return;
    await this.publishPresence(presence);
  }

  async history(room: string, { since, before, limit }: HistoryQuery): Promise<HistoryPage> {
    // Nothing is older than 0-0 (and Redis refuses an exclusive range ending there).
    if (before === '0-0') return { messages: [], truncated: false };
    let page;
    try {
      page = await this.store.history(room, since, before, limit);
    } catch (error) {
      throw new ChatBusUnavailableError('read the history', error);
    }
    return {
      messages: page.messages,
      truncated: since !== undefined && this.lostAfter(since, page.dropped, page.firstKept),
    };
  }

  /**
   * Resolves once the instance is subscribed and caught up, after its first heartbeat
   * (attempted: it may have failed); rejects when the catch-up failed and is waiting to retry.
   */
  async ready(): Promise<void> {
    await this.subscription.ready();
    await this.firstHeartbeat;
    while (this.catchingUp !== undefined || this.held !== null) {
      if (this.catchingUp === undefined) throw new Error('the chat bus is still catching up on missed events');
      await this.catchingUp;
    }
  }

  /** Messages delivered by catching up after an interruption rather than live (for tests and metrics). */
  get recoveredMessages(): number {
    return this.recovered;
  }

  /**
   * Refuses new messages, waits (up to drainTimeoutMs) for those being stored, removes this
   * instance's members from presence (announcing their leaves), stops its timer and
   * subscription. The connections belong to the caller.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.redis.commands.off('ready', this.onCommandsReady);
    await this.drain();
    await this.heartbeating;
    try {
      await this.presence.deregister();
    } catch (error) {
      this.logger.warn(`could not remove this instance's members from presence: ${String(error)}`);
    }
    await this.subscription.close();
    this.held = null;
    this.subject.complete();
  }

  /**
   * Receives the room's events on this instance from now on, without a member here (tools and
   * tests: the chat follows the rooms of its members by itself). Nothing to do on a single
   * Redis, where every room's events reach every instance.
   */
  async followRoom(room: string): Promise<void> {
    if (!this.keys.clustered) return;
    this.cursors.track(room);
    await this.follow(room);
  }

  /**
   * On a Redis Cluster, subscribes the room's sharded channel before its first member here
   * reads where the room stands; on a single Redis every room is on the one channel already.
   */
  private follow(room: string): Promise<void> {
    if (!this.keys.clustered) return Promise.resolve();
    return (this.subscription as ShardedSubscription).follow(this.keys.channel(room));
  }

  /** Settles once every store in flight has been answered, or after drainTimeoutMs. */
  private async drain(): Promise<void> {
    if (this.storing.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.drainTimeoutMs)));
    const settled = Promise.allSettled([...this.storing]).then(() => false);
    if (await Promise.race([settled, timedOut])) {
      this.logger.warn(
        `closing with ${this.storing.size} message(s) still being stored after ${this.drainTimeoutMs} ms`,
      );
    }
    clearTimeout(timer);
  }

  private async publishPresence(
    notice: Pick<PresenceNotice, 'room' | 'name' | 'event' | 'joins' | 'leaves'>,
  ): Promise<void> {
    if (!isWireString(notice.name))
      throw new TypeError('the chat bus cannot carry this presence notice: name is not a string');
    try {
      await this.store.announce(notice.room, presenceEnvelope(this.node, notice), this.memberListLimit);
    } catch (error) {
      throw new ChatBusUnavailableError('announce presence', error);
    }
  }

  /** Were messages after `since` trimmed away (or the whole stream lost)? */
  private lostAfter(since: string, dropped: number, firstKept: string): boolean {
    if (since === '0-0') return false;
    if (dropped === -2) return true;
    return dropped !== 0 && firstKept !== '' && compareMessageIds(since, firstKept) < 0;
  }

  private receive(payload: string): void {
    if (this.closed) return;
    for (const decoded of decodePublication(payload)) {
      if (typeof decoded === 'string') {
        // Another version of the service during a rolling upgrade, or something else on our channel.
        if (this.malformed++ % 1000 === 0)
          this.logger.warn(`ignored an event on the bus (${decoded}): ${payload.slice(0, 200)}`);
      } else if (this.held === null) {
        this.deliver(decoded.event);
      } else if (this.held.length < MAX_HELD_EVENTS) {
        this.held.push(decoded.event);
      } else {
        // Messages of rooms followed here are read back from their streams by another pass.
        this.heldOverflow = true;
      }
    }
  }

  /** False when the event is a message already delivered. */
  private deliver(event: ChatEvent): boolean {
    if (event.type === 'message' && !this.cursors.admit(event.message.room, event.message.id)) return false;
    this.subject.next(event);
    return true;
  }

  private startCatchUp(): void {
    this.catchUpPending = true;
    this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = undefined));
  }

  /** Delivers what was missed while the feed was down, then what was held, then goes live. */
  private async catchUp(): Promise<void> {
    while (this.catchUpPending && !this.closed) {
      this.catchUpPending = false;
      this.heldOverflow = false;
      try {
        const points = this.cursors.resumePoints();
        for (let i = 0; i < points.length; i += CATCH_UP_PARALLELISM) {
          await Promise.all(
            points.slice(i, i + CATCH_UP_PARALLELISM).map(({ room, after }) => this.readMissed(room, after)),
          );
        }
      } catch (error) {
        // Redis went away again: the next subscription, or the next tick, tries again.
        this.logger.warn(`could not catch up on missed room events yet: ${String(error)}`);
        this.catchUpPending = true;
        return;
      }
      if (this.heldOverflow) {
        this.catchUpPending = true;
        continue;
      }
      const held = this.held ?? [];
      // Still interrupted (the subscription dropped during the catch-up): keep holding.
      this.held = this.subscription.isActive ? null : [];
      for (const event of held) this.deliver(event);
    }
  }

  private async readMissed(room: string, after: string): Promise<void> {
    for (;;) {
      const page = await this.store.history(room, after, undefined, this.historySize);
      // Left the room (and stopped following it) while this was read.
      if (!this.cursors.isTracked(room)) return;
      for (const message of page.messages) if (this.deliver({ type: 'message', message })) this.recovered++;
      if (page.messages.length < this.historySize) return;
      after = page.messages[page.messages.length - 1].id;
    }
  }

  private tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.heartbeating ??= (async () => {
      try {
        await this.presence.heartbeat();
        if (this.redisDown) this.logger.log('presence heartbeat is back');
        this.redisDown = false;
      } catch (error) {
        if (!this.redisDown) this.logger.warn(`presence heartbeat failed; members here may expire: ${String(error)}`);
        this.redisDown = true;
      }
      if (this.catchUpPending && this.subscription.isActive) this.startCatchUp();
    })().finally(() => (this.heartbeating = undefined));
    return this.heartbeating;
  }
}

/**
 * The bus factory for `ChatModule` options: the Redis bus on the given connections, sized by
 * the module's resolved options (history size, member list limit).
 */
export function redisChatBus(
  connections: RedisConnections,
  options: Omit<
    RedisChatBusOptions,
    'historySize' | 'memberListLimit' | 'maxRooms' | 'roomMinIdleMs' | 'roomTtlMs' | 'idempotency'
  > = {},
): (chat: ResolvedChatOptions) => RedisChatBus {
  return (chat) =>
    new RedisChatBus(connections, {
      ...options,
      historySize: chat.historySize,
      memberListLimit: chat.memberListLimit,
      maxRooms: chat.maxRooms,
      roomMinIdleMs: chat.roomMinIdleMs,
      roomTtlMs: chat.roomTtlMs,
      idempotency: chat.idempotency,
    });
}

function defaultNodeId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '')
      .slice(0, 40) || 'node';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
