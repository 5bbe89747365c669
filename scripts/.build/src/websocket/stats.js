/**
 * Counters of one WebSocketServer, shared by all its connections. They are plain integers
 * bumped on the hot paths (no labels, no allocation per message); whoever exports metrics
 * reads them when it is asked to (src/metrics does so on each Prometheus scrape).
 *
 * The maps are keyed by HTTP status and close code: a handful of keys each, touched once
 * per upgrade or close, never per message.
 */
export class WebSocketStats {
    constructor() {
        /** Upgrades answered with 101. */
        this.upgradesAccepted = 0;
        /** Refused upgrades by the HTTP status they got. */
        this.upgradesRejected = new Map();
        /** Data messages received (after reassembly) and handed to send() / sendFrame(). */
        this.messagesIn = 0;
        this.messagesOut = 0;
        /** Bytes on the wire after the handshake, frame headers and control frames included. */
        this.bytesIn = 0;
        this.bytesOut = 0;
        /** Connections gone, by the code their 'close' event reported (1006: no close frame). */
        this.closeCodes = new Map();
        /** Peers dropped with 1013 because their send buffer went over the limit. */
        this.slowConsumerDrops = 0;
        /** Peers dropped by the heartbeat: nothing heard from them for two intervals. */
        this.heartbeatTimeouts = 0;
    }
    recordRejection(status) {
        this.upgradesRejected.set(status, (this.upgradesRejected.get(status) ?? 0) + 1);
    }
    recordClose(code) {
        this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
    }
}
//# sourceMappingURL=stats.js.map