import type { Subscription } from 'rxjs';
import type { ChatBus, ChatEvent, ChatMessage, PresenceNotice } from '../../src/chat/index.js';
import { within } from './waiting.js';

/**
 * Every event one bus delivers, recorded as it arrives, so a test can await them (bounded)
 * instead of sleeping.
 */
export class BusEventLog {
  readonly events: ChatEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly subscription: Subscription;
  private completed = false;

  constructor(
    readonly name: string,
    bus: Pick<ChatBus, 'events$'>,
  ) {
    this.subscription = bus.events$.subscribe({
      next: (event) => {
        this.events.push(event);
        this.wakeAll();
      },
      complete: () => {
        this.completed = true;
        this.wakeAll();
      },
    });
  }

  /** Whether the bus completed its stream (it was closed). */
  get isComplete(): boolean {
    return this.completed;
  }

  messages(room: string): ChatMessage[] {
    const messages: ChatMessage[] = [];
    for (const event of this.events)
      if (event.type === 'message' && event.message.room === room) messages.push(event.message);
    return messages;
  }

  presence(room: string): PresenceNotice[] {
    const notices: PresenceNotice[] = [];
    for (const event of this.events)
      if (event.type === 'presence' && event.presence.room === room) notices.push(event.presence);
    return notices;
  }

  /** The events of one room in delivery order, messages as their text and notices as `name event`. */
  timeline(room: string): string[] {
    const lines: string[] = [];
    for (const event of this.events) {
      if (event.type === 'message' && event.message.room === room) lines.push(event.message.text);
      else if (event.type === 'presence' && event.presence.room === room)
        lines.push(`${event.presence.name} ${event.presence.event}`);
    }
    return lines;
  }

  /** Resolves once `condition` holds for the events delivered so far. */
  until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    let wake!: () => void;
    const reached = new Promise<void>((resolve) => {
      wake = () => {
        if (condition()) resolve();
      };
      this.waiters.add(wake);
    });
    return within(reached, `${this.name}: ${what}`, ms).finally(() => this.waiters.delete(wake));
  }

  stop(): void {
    this.subscription.unsubscribe();
  }

  private wakeAll(): void {
    for (const wake of this.waiters) wake();
  }
}
