/**
 * Counters of one WebSocketServer, shared by all its connections. They are plain integers
 * bumped on the hot paths (no labels, no allocation per message); whoever exports metrics
 * reads them when it is asked to (src/metrics does so on each Prometheus scrape).
 *
 * The maps are keyed by HTTP status and close code: a handful of keys each, touched once
 * per upgrade or close, never per message.
 */
export class WebSocketStats {
  /** Upgrades answered with 101. */
  upgradesAccepted = 0;
  /** Refused upgrades by the HTTP status they got. */
  readonly upgradesRejected = new Map<number, number>();
  /** Data messages received (after reassembly) and handed to send() / sendFrame(). */
  messagesIn = 0;
  messagesOut = 0;
  /**
   * Bytes received on the wire after the handshake, and bytes of the frames handed to the
   * sockets (compressed size with permessage-deflate), headers and control frames included,
   * close frames aside.
   */
  bytesIn = 0;
  bytesOut = 0;
  /** Connections gone, by the code their 'close' event reported (1006: no close frame). */
  readonly closeCodes = new Map<number, number>();
  /** Peers dropped with 1013 because their send buffer went over the limit. */
  slowConsumerDrops = 0;
  /** Peers dropped by the heartbeat: nothing heard from them for two intervals. */
  heartbeatTimeouts = 0;

  recordRejection(status: number): void {
    this.upgradesRejected.set(status, (this.upgradesRejected.get(status) ?? 0) + 1);
  }

  recordClose(code: number): void {
    this.closeCodes.set(code, (this.closeCodes.get(code) ?? 0) + 1);
  }
}
