import type { TrustProxy } from '../http/client-address.js';
import type { ConnectionLog } from '../logging/connection-log.js';
import type { WebSocketServerOptions } from '../websocket/index.js';

/** What a message parser extracts from a frame; nothing means "drop it silently". */
export type ParsedMessage = { event: unknown; data?: unknown } | null | undefined | void;

/**
 * Turns a frame into `{event, data}`. Like platform-ws it gets a string for a
 * text frame and a Buffer for a binary one.
 */
export type MessageParser = (data: string | Buffer) => ParsedMessage;

export interface Rfc6455AdapterOptions extends WebSocketServerOptions {
  messageParser?: MessageParser;
  /**
   * The slowloris guard of the HTTP servers carrying this adapter's upgrades: a client whose
   * request head is not complete after this long is answered 408 and dropped. Servers the
   * adapter creates (gateways on a port of their own) are created with it; on the app's own
   * server it lowers the head timeout (never raises it), and Node checks for expired heads
   * every tenth of it if the server is not listening yet, as in app.listen() after the adapter
   * is set. Unset: the servers' own settings (Node's default is 60 s, checked every 30 s).
   */
  handshakeTimeoutMs?: number;
  /** Logs one line per connection open and close (src/logging); none without it. */
  connectionLog?: ConnectionLog;
  /**
   * Proxies whose `X-Forwarded-For` gives the client address of an upgrade (`clientAddress(req)`
   * in gateways, hooks and logs), like Express's `trust proxy`: a hop count or addresses/CIDRs.
   * Default false: the socket's peer is the client. Set Express's own setting to the same value.
   */
  trustProxy?: TrustProxy;
}

export const defaultMessageParser: MessageParser = (data) =>
  JSON.parse(typeof data === 'string' ? data : data.toString()) as ParsedMessage;

/**
 * The server options a gateway may override in its decorator. Written as a
 * Record so the compiler flags an option added to WebSocketServerOptions but
 * not here.
 */
const OVERRIDABLE: Record<keyof WebSocketServerOptions, true> = {
  maxPayload: true,
  allowedOrigins: true,
  maxConnections: true,
  maxHeaderBytes: true,
  closeTimeoutMs: true,
  sendBufferLimit: true,
  heartbeatMs: true,
  perMessageDeflate: true,
  handleProtocols: true,
  authorize: true,
};
const OVERRIDABLE_KEYS = Object.keys(OVERRIDABLE);

/**
 * What platform-ws does without `handleProtocols`: `ws` selects the first
 * protocol the client offered. Selecting none instead would make a `ws`
 * client that offers protocols fail the connection.
 */
export const selectFirstProtocol = (offered: readonly string[]): string | false => offered[0] ?? false;

/**
 * The adapter options with a gateway's overrides on top. Other gateway
 * options (`path`, options meant for other adapters) are ignored.
 */
export function serverOptionsFor(
  adapterOptions: WebSocketServerOptions,
  gatewayOptions: Record<string, unknown>,
): WebSocketServerOptions {
  const merged: Record<string, unknown> = { handleProtocols: selectFirstProtocol, ...adapterOptions };
  for (const key of OVERRIDABLE_KEYS) {
    if (gatewayOptions[key] !== undefined) merged[key] = gatewayOptions[key];
  }
  return merged as WebSocketServerOptions;
}
