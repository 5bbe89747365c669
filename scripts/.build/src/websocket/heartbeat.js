import { ReadyState } from './constants.js';
/** Default ping interval: a peer silent for two of them is dropped. */
export const DEFAULT_HEARTBEAT_MS = 30_000;
/**
 * The interval is cut into this many ticks; each connection belongs to one slot, swept once
 * per interval at its slot's tick. Random slots spread the pings of a mass reconnect over
 * the whole interval instead of sending them in one burst.
 */
const SLOTS = 16;
/**
 * Keeps connections alive and finds the dead ones (half-open TCP: the peer vanished without
 * a FIN, so the socket never closes by itself), with one timer for all connections.
 *
 * Each sweep of a connection increments `idleSweeps`: at 1 the peer was heard during the
 * last interval and nothing happens; at 2 it has been silent for a whole interval and gets
 * a ping; at 3 it stayed silent for another interval, ping unanswered, and is terminated.
 * A silent peer is therefore dropped between two and three intervals after its last bytes.
 */
export class Heartbeat {
    /**
     * @param intervalMs ping interval; must be > 0 (a server with heartbeats off has none).
     * @param onTimeout called for every peer dropped for silence, after terminate().
     */
    constructor(intervalMs, onTimeout) {
        this.intervalMs = intervalMs;
        this.onTimeout = onTimeout;
        this.slots = [];
        this.cursor = 0;
        this.size = 0;
        this.timer = undefined;
        if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
            throw new RangeError(`heartbeat interval must be a positive number, got ${intervalMs}`);
        }
        this.tickMs = Math.max(1, intervalMs / SLOTS);
        for (let i = 0; i < SLOTS; i++)
            this.slots.push(new Set());
    }
    /** Number of connections watched. */
    get watched() {
        return this.size;
    }
    add(peer) {
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
    remove(peer) {
        for (const slot of this.slots) {
            if (slot.delete(peer)) {
                this.size--;
                break;
            }
        }
        if (this.size === 0)
            this.stopTimer();
    }
    /** Forgets every connection and stops the timer. */
    stop() {
        for (const slot of this.slots)
            slot.clear();
        this.size = 0;
        this.stopTimer();
    }
    stopTimer() {
        if (this.timer !== undefined) {
            clearInterval(this.timer);
            this.timer = undefined;
        }
    }
    static tick(heartbeat) {
        const slot = heartbeat.slots[heartbeat.cursor];
        heartbeat.cursor = (heartbeat.cursor + 1) % SLOTS;
        for (const peer of slot) {
            // Closing peers are bounded by their close timeout; the server removes them on 'close'.
            if (peer.readyState !== ReadyState.OPEN)
                continue;
            const sweeps = ++peer.idleSweeps;
            if (sweeps === 2) {
                peer.ping();
            }
            else if (sweeps >= 3) {
                slot.delete(peer);
                heartbeat.size--;
                peer.terminate();
                heartbeat.onTimeout?.(peer);
            }
        }
        if (heartbeat.size === 0)
            heartbeat.stopTimer();
    }
}
//# sourceMappingURL=heartbeat.js.map