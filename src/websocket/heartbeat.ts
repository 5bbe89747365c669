import { ReadyState } from './constants.js';
import { positiveNumber } from './number-checks.js';

/** Default ping interval: a peer silent for two of them is dropped. */
export const DEFAULT_HEARTBEAT_MS = 30_000;

/**
 * The interval is cut into this many ticks; each connection belongs to one slot, swept once
 * per interval at its slot's tick. Random slots spread the pings of a mass reconnect over
 * the whole interval instead of sending them in one burst.
 */
const SLOTS = 16;

/** What the heartbeat needs from a connection (WebSocketConnection has all of it). */
export interface HeartbeatPeer {
  /**
   * Sweeps since the peer was last heard from: the connection sets it to 0 whenever bytes
   * arrive (any frame counts, not only pongs), the heartbeat increments it.
   */
  idleSweeps: number;
  readonly readyState: number;
  ping(): void;
  terminate(): void;
}

/**
 * Keeps connections alive and finds the dead ones (half-open TCP: the peer vanished without
 * a FIN, so the socket never closes by itself), with one timer for all connections.
 *
 * Each sweep of a connection increments `idleSweeps`: at 1 the peer was heard during the
 * last interval and nothing happens; at 2 it has been silent for a whole interval and gets
 * a ping; at 3 it stayed silent for another interval, ping unanswered, and is terminated.
 * A silent peer is therefore dropped between two and three intervals after its last bytes.
 */
export class Heartbeat<T extends HeartbeatPeer = HeartbeatPeer> {
  private readonly slots: Array<Set<T>> = [];
  private cursor = 0;
  private size = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private readonly tickMs: number;

  /**
   * @param intervalMs ping interval; must be > 0 (a server with heartbeats off has none).
   * @param onTimeout called for every peer dropped for silence, after terminate().
   */
  constructor(
    readonly intervalMs: number,
    private readonly onTimeout?: (peer: T) => void,
  ) {
    positiveNumber(intervalMs, 'heartbeat interval');
    this.tickMs = Math.max(1, intervalMs / SLOTS);
    for (let i = 0; i < SLOTS; i++) this.slots.push(new Set());
  }

  /** Number of connections watched. */
  get watched(): number {
    return this.size;
  }

  add(peer: T): void {
    const slot = this.slots[Math.floor(Math.random() * SLOTS)];
    peer.idleSweeps = 0;
    slot.add(peer);
    this.size++;
    if (this.timer === undefined) {
      this.timer = setInterval(Heartbeat.tick, this.tickMs, this);
      // Heartbeats alone must never keep the process alive.
      this.timer.unref();
    }
  }

  remove(peer: T): void {
    for (const slot of this.slots) {
      if (slot.delete(peer)) {
        this.size--;
        break;
      }
    }
    if (this.size === 0) this.stopTimer();
  }

  /** Forgets every connection and stops the timer. */
  stop(): void {
    for (const slot of this.slots) slot.clear();
    this.size = 0;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private static tick<T extends HeartbeatPeer>(heartbeat: Heartbeat<T>): void {
    const slot = heartbeat.slots[heartbeat.cursor];
    heartbeat.cursor = (heartbeat.cursor + 1) % SLOTS;
    for (const peer of slot) {
      // Closing peers are bounded by their close timeout; the server removes them on 'close'.
      if (peer.readyState !== ReadyState.OPEN) continue;
      const sweeps = ++peer.idleSweeps;
      if (sweeps === 2) {
        peer.ping();
      } else if (sweeps >= 3) {
        slot.delete(peer);
        heartbeat.size--;
        peer.terminate();
        heartbeat.onTimeout?.(peer);
      }
    }
    if (heartbeat.size === 0) heartbeat.stopTimer();
  }
}
