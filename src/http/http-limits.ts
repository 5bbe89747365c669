import type { ServerOptions } from 'node:http';

export interface HttpLimits {
  /** Largest request head (request line and headers) in bytes; larger ones get 431. */
  maxHeaderBytes: number;
  /**
   * A client whose request head (an upgrade request included) is not complete after this
   * long is answered 408 and dropped: the slowloris guard.
   */
  handshakeTimeoutMs: number;
}

/** Node checks for expired request heads on a timer: this many checks per timeout at least. */
const CHECKS_PER_TIMEOUT = 10;
const MIN_CHECK_INTERVAL_MS = 50;
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * The http.Server options that enforce the limits. Node only reads `maxHeaderSize` when the
 * server is created, and checks `headersTimeout` every `connectionsCheckingInterval` (30 s by
 * default, which would let a slow client hold a socket for up to timeout + 30 s): the
 * interval is set to a tenth of the timeout, between 50 ms and 1 s.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  const timeout = limits.handshakeTimeoutMs;
  const interval = Math.min(MAX_CHECK_INTERVAL_MS, Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(timeout / CHECKS_PER_TIMEOUT)));
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: timeout,
    // Node refuses a headersTimeout above requestTimeout; bodies get at least 30 s.
    requestTimeout: Math.max(timeout, 30_000),
    connectionsCheckingInterval: interval,
  };
}
