import { Subject, type Observable } from 'rxjs';
import type { ChatBus, HistoryPage, HistoryQuery } from './chat-bus.js';
import type { ChatEvent, ChatMessage, MessageDraft, PresenceNotice } from './chat-events.js';
import { compareMessageIds, MessageIdGenerator } from './message-id.js';
import { RoomHistory } from './room-history.js';

export interface InMemoryChatBusOptions {
  /** Messages kept per room. Default 100. */
  historySize?: number;
  /**
   * Rooms whose history is kept; beyond it the room written to least recently loses its
   * history, so creating rooms cannot exhaust memory. Default 1000.
   */
  maxRooms?: number;
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
  private readonly clock: () => number;
  private readonly ids: MessageIdGenerator;
  private readonly rooms = new Map<string, RoomHistory>();
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
    this.clock = options.clock ?? Date.now;
    this.ids = new MessageIdGenerator(this.clock());
    // Ids handed out by an earlier process are all older than this one's floor: a client
    // resuming from one of them may have missed messages this process never saw.
    this.lostHorizon = this.ids.floor;
  }

  async publish(draft: MessageDraft): Promise<ChatMessage> {
    if (this.closed) throw new Error('the chat bus is closed');
    const now = this.clock();
    const message: ChatMessage = {
      id: this.ids.next(now),
      room: draft.room,
      from: draft.from,
      fromId: draft.fromId ?? '',
      text: draft.text,
      at: new Date(now).toISOString(),
    };
    this.historyFor(draft.room).append(message);
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

  private historyFor(room: string): RoomHistory {
    let history = this.rooms.get(room);
    if (history === undefined) {
      history = new RoomHistory(this.historySize, this.lostHorizon);
      if (this.rooms.size >= this.maxRooms) this.forgetLeastRecentRoom();
    } else {
      // Re-inserting keeps the Map in least-recently-written order.
      this.rooms.delete(room);
    }
    this.rooms.set(room, history);
    return history;
  }

  private forgetLeastRecentRoom(): void {
    const [room, history] = this.rooms.entries().next().value as [string, RoomHistory];
    this.rooms.delete(room);
    const newest = history.newest;
    if (newest !== undefined && compareMessageIds(newest.id, this.lostHorizon) > 0) {
      this.lostHorizon = newest.id;
    }
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

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}
