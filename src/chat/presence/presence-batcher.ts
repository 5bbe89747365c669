import type { Roster } from './room-presence.js';

/** How the presence notices of one room are spaced out (ChatRuntimeOptions.presenceBatch). */
export interface PresenceBatchOptions {
  /** Length of a room's window, in ms. */
  intervalMs: number;
  /** Notices a room sends one by one in a window before its changes are summed up. */
  burst: number;
}

/** One notice to send: a single change, or the sum of the changes since the last notice. */
export interface PresenceChange {
  name: string;
  event: 'join' | 'leave';
  /** Only on a summary: joins and leaves it sums up (the name and event are the last of them). */
  joins?: number;
  leaves?: number;
}

interface RoomWindow {
  sent: number;
  joins: number;
  leaves: number;
  name: string;
  event: 'join' | 'leave';
  timer: NodeJS.Timeout;
}

/**
 * Spaces out the presence notices of busy rooms. A room's changes are announced one by one,
 * at once, up to `burst` in a window of `intervalMs`; past that, the rest of the window's
 * changes are summed up in one notice at the window's end, and the room stays summed up until a
 * window passes without a change. A reconnect storm of N members into one room then costs
 * about one notice per window to each member instead of N.
 */
export class PresenceBatcher {
  private readonly windows = new Map<string, RoomWindow>();

  constructor(
    private readonly options: PresenceBatchOptions,
    /** `roster` is the room's after a single change; undefined for a summary (read it then). */
    private readonly send: (room: string, change: PresenceChange, roster: Roster | undefined) => Promise<void>,
  ) {}

  /** Resolves once the change is announced, or at once when it waits for its room's summary. */
  change(room: string, name: string, event: 'join' | 'leave', roster: Roster): Promise<void> {
    const window = this.windows.get(room);
    if (window === undefined) {
      this.windows.set(room, { sent: 1, joins: 0, leaves: 0, name, event, timer: this.startTimer(room) });
      return this.send(room, { name, event }, roster);
    }
    if (window.sent < this.options.burst && window.joins + window.leaves === 0) {
      window.sent++;
      return this.send(room, { name, event }, roster);
    }
    if (event === 'join') window.joins++;
    else window.leaves++;
    window.name = name;
    window.event = event;
    return Promise.resolve();
  }

  /** Rooms with a window open (for tests). */
  get openWindows(): number {
    return this.windows.size;
  }

  /**
   * Sends every pending summary now and forgets the windows (shutdown: the leaves of the
   * members this instance lets go must reach the other instances before the bus closes).
   */
  async flush(): Promise<void> {
    const pending: Array<Promise<void>> = [];
    for (const [room, window] of this.windows) {
      clearTimeout(window.timer);
      const { joins, leaves, name, event } = window;
      if (joins + leaves > 0) pending.push(this.send(room, summaryOf(name, event, joins, leaves), undefined));
    }
    this.windows.clear();
    await Promise.all(pending);
  }

  private startTimer(room: string): NodeJS.Timeout {
    const timer = setTimeout(() => this.endWindow(room), this.options.intervalMs);
    timer.unref();
    return timer;
  }

  private endWindow(room: string): void {
    const window = this.windows.get(room);
    if (window === undefined) return;
    const { joins, leaves, name, event } = window;
    if (joins + leaves === 0) {
      this.windows.delete(room);
      return;
    }
    // Still busy: the next window sums up from its first change.
    window.sent = this.options.burst;
    window.joins = 0;
    window.leaves = 0;
    window.timer = this.startTimer(room);
    void this.send(room, summaryOf(name, event, joins, leaves), undefined);
  }
}

function summaryOf(name: string, event: 'join' | 'leave', joins: number, leaves: number): PresenceChange {
  return joins + leaves === 1 ? { name, event } : { name, event, joins, leaves };
}
