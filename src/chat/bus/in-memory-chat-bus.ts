import { Subject, type Observable } from 'rxjs';
import { nonNegativeInteger, positiveInteger } from '../../common/number-checks.js';
import { RoomLimitError } from './bus-errors.js';
import type { ChatBus, HistoryPage, HistoryQuery } from './chat-bus.js';
import type { ChatEvent, ChatMessage, MessageDraft, PresenceNotice } from './chat-events.js';
import { assertDeliverable, assertOneRoomBatch } from './deliverable.js';
import {
  idempotencyKeyOf,
  resolveIdempotencyWindow,
  type IdempotencyWindow,
  type ResolvedIdempotencyWindow,
} from './idempotency-window.js';
import { compareMessageIds, MessageIdGenerator } from './message-id.js';
import { RecentKeys } from './recent-keys.js';
import { RoomHistory } from './room-history.js';

export interface InMemoryChatBusOptions {
  /** Messages kept per room. Default 100. */
  historySize?: number;
  /**
   * Rooms whose history is kept. Beyond it, a new room takes the place of the room written to
   * least recently among those idle (no members, no message for `roomMinIdleMs`); with none
   * idle, `publish` to a new room rejects with RoomLimitError. Default 1000.
   */
  maxRooms?: number;
  /** How long a room must have gone without messages before its history may be dropped. Default 600000 (10 min). */
  roomMinIdleMs?: number;
  /** Whether the room has members now (their rooms' history is never dropped). Default: never. */
  isOccupied?: (room: string) => boolean;
  /** How long idempotency keys are remembered. */
  idempotency?: IdempotencyWindow;
  /** Milliseconds since the epoch; tests inject a fake one. */
  clock?: () => number;
}

/**
 * The bus of a single instance: history in memory, events delivered to this process only.
 * Events are delivered on a later turn of the event loop, as a network bus would deliver
 * them, so subscribers never run inside `publish` (a sender learns its message id first).
 */
export class InMemoryChatBus implements ChatBus {
  readonly historySize: number;
  readonly maxRooms: number;
  readonly roomMinIdleMs: number;
  private readonly isOccupied: (room: string) => boolean;
  private readonly clock: () => number;
  private readonly ids: MessageIdGenerator;
  private readonly rooms = new Map<string, RoomHistory>();
  /** The idempotency keys of the rooms in `rooms` that were sent any. */
  private readonly keys = new Map<string, RecentKeys>();
  private readonly idempotency: ResolvedIdempotencyWindow;
  private readonly subject = new Subject<ChatEvent>();
  readonly events$: Observable<ChatEvent> = this.subject.asObservable();
  private queue: ChatEvent[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private closed = false;
  /** Messages at or before this id may be gone for rooms with no history kept. */
  private lostHorizon: string;

  constructor(options: InMemoryChatBusOptions = {}) {
    this.historySize = positiveInteger(options.historySize ?? 100, 'historySize');
    this.maxRooms = positiveInteger(options.maxRooms ?? 1000, 'maxRooms');
    this.roomMinIdleMs = nonNegativeInteger(options.roomMinIdleMs ?? 600_000, 'roomMinIdleMs');
    this.isOccupied = options.isOccupied ?? (() => false);
    this.clock = options.clock ?? Date.now;
    this.idempotency = resolveIdempotencyWindow(options.idempotency);
    this.ids = new MessageIdGenerator(this.clock());
    // Ids handed out by an earlier process are all older than this one's floor: a client
    // resuming from one of them may have missed messages this process never saw.
    this.lostHorizon = this.ids.floor;
  }

  async publish(draft: MessageDraft): Promise<ChatMessage> {
    if (this.closed) throw new Error('the chat bus is closed');
    assertDeliverable(draft);
    return this.store(draft);
  }

  /** All or nothing: the drafts are checked first, and only the first can hit the room limit. */
  async publishMany(drafts: MessageDraft[]): Promise<ChatMessage[]> {
    if (this.closed) throw new Error('the chat bus is closed');
    assertOneRoomBatch(drafts);
    return drafts.map((draft) => this.store(draft));
  }

  private store(draft: MessageDraft): ChatMessage {
    const now = this.clock();
    const key = idempotencyKeyOf(draft);
    const sent = key === undefined ? undefined : this.keys.get(draft.room)?.find(key, now);
    // A resend: the message as stored, or as sent once the history no longer holds it.
    if (sent !== undefined) return this.rooms.get(draft.room)?.find(sent.id) ?? messageOf(draft, sent.id, sent.at);
    const history = this.historyFor(draft.room, now);
    const message = messageOf(draft, this.ids.next(now), now);
    history.append(message);
    if (key !== undefined) this.keysOf(draft.room).remember(key, message.id, now);
    this.enqueue({ type: 'message', message });
    return message;
  }

  async announce(presence: PresenceNotice): Promise<void> {
    if (!this.closed) this.enqueue({ type: 'presence', presence });
  }

  async history(room: string, query: HistoryQuery): Promise<HistoryPage> {
    const history = this.rooms.get(room);
    if (history !== undefined) return history.page(query);
    const truncated = query.since !== undefined && compareMessageIds(query.since, this.lostHorizon) < 0;
    return { messages: [], truncated };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.queue = [];
    this.subject.complete();
  }

  /** Rooms whose history is currently kept (for tests and metrics). */
  get roomCount(): number {
    return this.rooms.size;
  }

  private keysOf(room: string): RecentKeys {
    let keys = this.keys.get(room);
    if (keys === undefined) this.keys.set(room, (keys = new RecentKeys(this.idempotency)));
    return keys;
  }

  private historyFor(room: string, now: number): RoomHistory {
    let history = this.rooms.get(room);
    if (history === undefined) {
      if (this.rooms.size >= this.maxRooms) this.forgetIdlestRoom(now);
      history = new RoomHistory(this.historySize, this.lostHorizon);
    } else {
      // Re-inserting keeps the Map in least-recently-written order.
      this.rooms.delete(room);
    }
    this.rooms.set(room, history);
    return history;
  }

  /** Drops the history of the least recently written idle room; RoomLimitError when none is idle. */
  private forgetIdlestRoom(now: number): void {
    const idleBefore = now - this.roomMinIdleMs;
    // Least recently written first: once past the idle rooms, only recent ones are left.
    for (const [room, history] of this.rooms) {
      if (lastWriteOf(history) > idleBefore) break;
      if (this.isOccupied(room)) continue;
      this.rooms.delete(room);
      this.keys.delete(room);
      const newest = history.newest as ChatMessage;
      if (compareMessageIds(newest.id, this.lostHorizon) > 0) this.lostHorizon = newest.id;
      return;
    }
    throw new RoomLimitError(this.maxRooms, this.secondsUntilOneIsIdle(now));
  }

  /** When the first unoccupied room turns idle (a hint for clients; 60 when every room is occupied). */
  private secondsUntilOneIsIdle(now: number): number {
    for (const [room, history] of this.rooms) {
      if (!this.isOccupied(room))
        return Math.max(1, Math.ceil((lastWriteOf(history) + this.roomMinIdleMs - now) / 1000));
    }
    return 60;
  }

  private enqueue(event: ChatEvent): void {
    this.queue.push(event);
    this.flushing ??= setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    this.flushing = undefined;
    for (const event of batch) this.subject.next(event);
  };
}

function messageOf(draft: MessageDraft, id: string, at: number): ChatMessage {
  const message: ChatMessage = {
    id,
    room: draft.room,
    from: draft.from,
    fromId: draft.fromId ?? '',
    text: draft.text,
    at: new Date(at).toISOString(),
  };
  if (draft.ref !== undefined) message.ref = draft.ref;
  return message;
}

/** Milliseconds of the room's newest message id (ids follow the bus's clock). */
function lastWriteOf(history: RoomHistory): number {
  const id = (history.newest as ChatMessage).id;
  return Number(id.slice(0, id.indexOf('-')));
}
