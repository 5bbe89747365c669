import type { ServerOptions } from 'node:http';
import { headTimeoutOptions } from '../websocket/index.js';

export { tightenHeadTimeout } from '../websocket/index.js';

export interface HttpLimits {
  /** Largest request head (request line and headers) in bytes; larger ones get 431. */
  maxHeaderBytes: number;
  /**
   * A client whose request head (an upgrade request included) is not complete after this
   * long is answered 408 and dropped: the slowloris guard.
   */
  handshakeTimeoutMs: number;
}

/**
 * The http.Server options that enforce the limits (Node only reads `maxHeaderSize` when the
 * server is created); the head timeout is the protocol layer's, which sets it on the servers
 * the WebSocket adapter creates too.
 */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return { maxHeaderSize: limits.maxHeaderBytes, ...headTimeoutOptions(limits.handshakeTimeoutMs) };
}
