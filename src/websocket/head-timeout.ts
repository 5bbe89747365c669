import type { Server, ServerOptions } from 'node:http';

/** Node checks for expired request heads on a timer: this many checks per timeout at least. */
const CHECKS_PER_TIMEOUT = 10;
const MIN_CHECK_INTERVAL_MS = 50;
const MAX_CHECK_INTERVAL_MS = 1000;

function checkingIntervalFor(timeoutMs: number): number {
  return Math.min(MAX_CHECK_INTERVAL_MS, Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(timeoutMs / CHECKS_PER_TIMEOUT)));
}

/**
 * The options of an http.Server that enforce a request head timeout (the slowloris guard of a
 * server carrying upgrades): a client whose request head is not complete after `timeoutMs` is
 * answered 408 and dropped. Node checks for expired heads every `connectionsCheckingInterval`
 * (30 s by default, which would let a slow client hold a socket for up to timeout + 30 s): the
 * interval is set to a tenth of the timeout, between 50 ms and 1 s.
 */
export function headTimeoutOptions(timeoutMs: number): ServerOptions {
  return {
    headersTimeout: timeoutMs,
    // Node refuses a headersTimeout above requestTimeout; bodies get at least 30 s.
    requestTimeout: Math.max(timeoutMs, 30_000),
    connectionsCheckingInterval: checkingIntervalFor(timeoutMs),
  };
}

/** The writable settings of an http.Server behind its request head timeout. */
type HeadTimeoutSettings = Pick<Server, 'headersTimeout' | 'listening'> & {
  connectionsCheckingInterval: number;
};

/**
 * The slowloris guard on a server someone else created (the app's, for an embedding app that
 * did not create it with headTimeoutOptions): lowers its request head timeout to `timeoutMs`,
 * never raises it. Node reads `headersTimeout` at every check, but the checking interval only
 * when the server starts listening: on a server already listening, expired heads are found
 * at its own interval (30 s by default) instead.
 */
export function tightenHeadTimeout(server: Server, timeoutMs: number): void {
  if (!(timeoutMs > 0)) return;
  const settings = server as unknown as HeadTimeoutSettings;
  if (settings.headersTimeout > 0 && settings.headersTimeout <= timeoutMs) return;
  settings.headersTimeout = timeoutMs;
  const interval = checkingIntervalFor(timeoutMs);
  if (!settings.listening && !(settings.connectionsCheckingInterval <= interval)) {
    settings.connectionsCheckingInterval = interval;
  }
}
