import type { IncomingMessage } from 'node:http';
import type { WebSocketServer, WebSocketServerOptions } from '../websocket/index.js';
import { DEFAULT_MAX_JSON_DEPTH, exceedsJsonDepth } from './json-depth.js';

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
   * Deepest nesting of arrays and objects the default message parser accepts (default 64),
   * checked by a byte scan before JSON.parse: what a handler's pipes do with a deeply nested
   * value (class-transformer and class-validator recurse) costs far more than parsing it. A
   * deeper frame is treated like an unparsable one: dropped. Ignored with `messageParser`.
   */
  maxJsonDepth?: number;
  /**
   * The slowloris guard of the HTTP servers carrying this adapter's upgrades: a client whose
   * request head is not complete after this long is answered 408 and dropped. Servers the
   * adapter creates (gateways on a port of their own) are created with it; on the app's own
   * server it lowers the head timeout (never raises it), and Node checks for expired heads
   * every tenth of it if the server is not listening yet, as in app.listen() after the adapter
   * is set. Unset: the servers' own settings (Node's default is 60 s, checked every 30 s).
   */
  handshakeTimeoutMs?: number;
  /** Logs one line per connection open and close (src/logging's ConnectionLog); none without it. */
  connectionLog?: ConnectionWatcher;
  /**
   * The client address of every upgrade (`clientAddress(req)` in gateways, hooks and logs):
   * `clientAddressResolver(trustProxy)` believes the `X-Forwarded-For` of the proxies a `trust
   * proxy` setting names (set Express's own setting to the same value). Default: none, the
   * socket's peer is the client.
   */
  resolveClientAddress?: ClientAddressResolver;
}

/** Watches the connections of the adapter's servers (src/logging's ConnectionLog is one). */
export interface ConnectionWatcher {
  /** Called once for every server the adapter creates, before its first upgrade. */
  watch(server: WebSocketServer): void;
}

/**
 * Works out the client address of an upgrade request (the one `clientAddress(req)` then
 * returns); the adapter calls it first, before routing, `authorize()` and the gateways.
 * src/http's `clientAddressResolver(trustProxy)` makes one from a `trust proxy` setting.
 */
export type ClientAddressResolver = (request: IncomingMessage) => unknown;

/** Thrown by the JSON message parser for a frame nested deeper than its limit. */
export class JsonTooDeepError extends SyntaxError {
  constructor(maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/** The default parser with another depth limit: JSON.parse of frames at most `maxDepth` deep. */
export function jsonMessageParser(maxDepth: number): MessageParser {
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError(`maxJsonDepth must be an integer >= 1, got ${maxDepth}`);
  }
  return (data) => {
    const text = typeof data === 'string' ? data : data.toString();
    if (exceedsJsonDepth(text, maxDepth)) throw new JsonTooDeepError(maxDepth);
    return JSON.parse(text) as ParsedMessage;
  };
}

export const defaultMessageParser: MessageParser = jsonMessageParser(DEFAULT_MAX_JSON_DEPTH);

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
  return merged;
}
