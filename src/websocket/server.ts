import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketConnection } from './connection.js';
import { CloseCode, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, DEFAULT_SEND_BUFFER_LIMIT } from './constants.js';
import { HandshakeRejection } from './errors.js';
import {
  abortHandshake,
  buildAcceptResponse,
  isOriginAllowed,
  normaliseOrigin,
  requestHeadSize,
  validateHandshake,
} from './handshake.js';
import { DEFAULT_HEARTBEAT_MS, Heartbeat } from './heartbeat.js';
import { CompressionPool } from './compression-pool.js';
import { negotiateDeflate } from './deflate-negotiation.js';
import { resolveDeflateOptions, type DeflateSettings, type PerMessageDeflateOptions } from './deflate-options.js';
import type { ExtensionOffer } from './header-tokens.js';
import { nonNegativeNumber } from './number-checks.js';
import { PerMessageDeflate } from './permessage-deflate.js';
import { WebSocketStats } from './stats.js';

export interface WebSocketServerOptions {
  /** Largest incoming message in bytes; larger ones close the connection with 1009. */
  maxPayload?: number;
  /** Origins allowed to connect; empty = any. Others (and requests without Origin) get 403. */
  allowedOrigins?: string[];
  /** Most open connections; 0 = unlimited. Upgrades beyond it get 503. */
  maxConnections?: number;
  /**
   * Largest upgrade request head (request line and headers) in bytes; larger ones get 431.
   * 0 (the default) leaves the limit to the HTTP server (`maxHeaderSize`, 16 KiB in Node),
   * which refuses larger heads before any upgrade: this option can only lower it.
   */
  maxHeaderBytes?: number;
  /** How long to wait for the peer's close frame once closing before dropping the socket. */
  closeTimeoutMs?: number;
  /** Bytes queued for one peer before it is dropped with 1013; 0 = unlimited. */
  sendBufferLimit?: number;
  /**
   * Ping interval for idle peers (default 30000); a peer silent for two intervals is dropped
   * (half-open TCP). 0 = no heartbeat.
   */
  heartbeatMs?: number;
  /**
   * permessage-deflate (RFC 7692): true for the defaults, an object to tune them, false (the
   * default, as in `ws`) to decline it. See PerMessageDeflateOptions for the memory trade-off.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Picks the subprotocol from the client's offer; without it none is selected. */
  handleProtocols?: (offered: string[], req: IncomingMessage) => string | false;
  /**
   * Runs before the upgrade. A truthy result accepts and becomes `connection.principal`;
   * false/undefined answers 401; throw a HandshakeRejection for another status.
   */
  authorize?: (req: IncomingMessage) => unknown;
}

export interface ResolvedServerOptions {
  maxPayload: number;
  allowedOrigins: string[];
  maxConnections: number;
  maxHeaderBytes: number;
  closeTimeoutMs: number;
  sendBufferLimit: number;
  heartbeatMs: number;
  /** The permessage-deflate settings, or false when the extension is declined. */
  perMessageDeflate: DeflateSettings | false;
  handleProtocols: WebSocketServerOptions['handleProtocols'];
  authorize: WebSocketServerOptions['authorize'];
}

export type UpgradeCallback = (conn: WebSocketConnection, req: IncomingMessage) => void;

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;

/** Back-reference from a connection to the server tracking it. */
const kServer = Symbol('websocket.server');
type TrackedConnection = WebSocketConnection & { [kServer]?: WebSocketServer };

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  return value === undefined ? fallback : nonNegativeNumber(value, name);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

function onHandshakeSocketError(this: Duplex): void {
  this.destroy();
}

interface PendingUpgrade {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  key: string;
  protocols: string[];
  extensions: ExtensionOffer[];
  cb: UpgradeCallback | undefined;
  /** Bytes that arrived while authorize() ran; replayed after the 101. */
  early: Buffer[] | undefined;
  earlyBytes: number;
}

/** Reads at most this much from a client still waiting for authorize(), then pauses it. */
const MAX_EARLY_BYTES = 64 * 1024;

/** Back-reference from a socket to its upgrade while authorize() runs. */
const kPending = Symbol('websocket.pendingUpgrade');
type PendingSocket = Duplex & { [kPending]?: PendingUpgrade };

// The socket keeps being read during an async authorize() so that a peer that goes away is
// noticed (a paused socket would not report its FIN) instead of being upgraded.
function onPendingData(this: PendingSocket, chunk: Buffer): void {
  const upgrade = this[kPending];
  if (upgrade === undefined) return;
  (upgrade.early ??= []).push(chunk);
  upgrade.earlyBytes += chunk.length;
  if (upgrade.earlyBytes >= MAX_EARLY_BYTES) this.pause();
}

// A peer that ended or closed while authorize() ran is gone: its socket is destroyed, which is
// what the rest of the upgrade checks.
function onPendingGone(this: PendingSocket): void {
  this.destroy();
}

function watchPending(upgrade: PendingUpgrade): void {
  const socket = upgrade.socket as PendingSocket;
  socket[kPending] = upgrade;
  socket.on('data', onPendingData);
  socket.on('end', onPendingGone);
  socket.on('close', onPendingGone);
}

function unwatchPending(upgrade: PendingUpgrade): void {
  const socket = upgrade.socket as PendingSocket;
  // Paused first: without a 'data' listener a flowing stream would drop what it reads.
  socket.pause();
  socket.removeListener('data', onPendingData);
  socket.removeListener('end', onPendingGone);
  socket.removeListener('close', onPendingGone);
  delete socket[kPending];
  if (upgrade.early !== undefined) {
    upgrade.head = Buffer.concat([upgrade.head, ...upgrade.early]);
    upgrade.early = undefined;
  }
}

/**
 * Accepts WebSocket upgrades handed to it (by an UpgradeRouter or an 'upgrade' listener) and
 * tracks the resulting connections. It never listens on a port itself.
 */
export class WebSocketServer extends EventEmitter {
  readonly clients = new Set<WebSocketConnection>();
  readonly options: ResolvedServerOptions;
  /** Upgrade, message, byte and close counters of this server and its connections. */
  readonly stats = new WebSocketStats();

  private readonly origins: ReadonlySet<string>;
  private readonly heartbeat: Heartbeat<WebSocketConnection> | undefined;
  /** zlib contexts and concurrency limit shared by this server's connections. */
  private readonly compression: CompressionPool | undefined;
  private state = RUNNING;
  /** Upgrades waiting for authorize(); they count against maxConnections. */
  private pending = 0;

  constructor(options: WebSocketServerOptions = {}) {
    super();
    this.options = {
      maxPayload: nonNegative('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
      allowedOrigins: [...(options.allowedOrigins ?? [])],
      maxConnections: nonNegative('maxConnections', options.maxConnections, 0),
      maxHeaderBytes: nonNegative('maxHeaderBytes', options.maxHeaderBytes, 0),
      closeTimeoutMs: nonNegative('closeTimeoutMs', options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS),
      sendBufferLimit: nonNegative('sendBufferLimit', options.sendBufferLimit, DEFAULT_SEND_BUFFER_LIMIT),
      heartbeatMs: nonNegative('heartbeatMs', options.heartbeatMs, DEFAULT_HEARTBEAT_MS),
      perMessageDeflate: resolveDeflateOptions(options.perMessageDeflate) ?? false,
      handleProtocols: options.handleProtocols,
      authorize: options.authorize,
    };
    this.origins = new Set(this.options.allowedOrigins.map(normaliseOrigin));
    const deflate = this.options.perMessageDeflate;
    this.compression = deflate === false ? undefined : new CompressionPool(deflate.concurrencyLimit);
    const { heartbeatMs } = this.options;
    this.heartbeat = heartbeatMs > 0 ? new Heartbeat(heartbeatMs, () => this.stats.heartbeatTimeouts++) : undefined;
  }

  /**
   * Validates the upgrade (RFC 6455 section 4.2.1 plus the options), answers HTTP errors itself
   * and destroys the socket on rejection; on success writes the 101, creates the connection,
   * adds it to `clients`, emits 'connection' (conn, req) and calls cb(conn, req).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb?: UpgradeCallback): void {
    socket.on('error', onHandshakeSocketError);
    if (this.state !== RUNNING) return this.abort(socket, 503, 'Server is shutting down');
    const { maxHeaderBytes } = this.options;
    if (maxHeaderBytes > 0 && requestHeadSize(req) > maxHeaderBytes) {
      return this.abort(socket, 431, `Request header fields larger than ${maxHeaderBytes} bytes`);
    }

    const handshake = validateHandshake(req);
    if (!handshake.ok) return this.abort(socket, handshake.status, handshake.message, handshake.headers);
    if (!isOriginAllowed(req.headers.origin, this.origins)) return this.abort(socket, 403, 'Origin not allowed');
    const { maxConnections } = this.options;
    if (maxConnections > 0 && this.clients.size + this.pending >= maxConnections) {
      return this.abort(socket, 503, 'Connection limit reached');
    }

    const upgrade: PendingUpgrade = {
      req,
      socket,
      head,
      key: handshake.key,
      protocols: handshake.protocols,
      extensions: handshake.extensions,
      cb,
      early: undefined,
      earlyBytes: 0,
    };
    const { authorize } = this.options;
    if (authorize === undefined) return this.complete(upgrade, undefined);

    let result: unknown;
    try {
      result = authorize(req);
    } catch (error) {
      return this.refuse(upgrade, error);
    }
    if (!isPromiseLike(result)) return this.authorized(upgrade, result);
    this.pending++;
    watchPending(upgrade);
    result.then(
      (principal) => {
        this.pending--;
        unwatchPending(upgrade);
        this.authorized(upgrade, principal);
      },
      (error: unknown) => {
        this.pending--;
        unwatchPending(upgrade);
        this.refuse(upgrade, error);
      },
    );
  }

  /**
   * Stops accepting upgrades and closes every client with 1001. 'close' is emitted (and `cb`
   * called) once the last client is gone, at most about closeTimeoutMs later.
   */
  close(cb?: (err?: Error) => void): void {
    if (cb) {
      if (this.state === CLOSED) process.nextTick(cb);
      else this.once('close', () => cb());
    }
    if (this.state !== RUNNING) return;
    this.state = CLOSING;
    this.heartbeat?.stop();
    for (const client of this.clients) client.close(CloseCode.GOING_AWAY, 'Server shutting down');
    if (this.clients.size === 0) process.nextTick(WebSocketServer.finishClose, this);
  }

  private authorized(upgrade: PendingUpgrade, principal: unknown): void {
    if (!principal) return this.reject(upgrade.socket, 401, 'Unauthorized');
    this.complete(upgrade, principal);
  }

  private refuse(upgrade: PendingUpgrade, error: unknown): void {
    // Nobody is left to answer, and a hook failing because its peer left is no server error.
    if (upgrade.socket.destroyed) return;
    if (error instanceof HandshakeRejection) {
      // Only an error status may refuse an upgrade; anything else is a bug in the hook.
      const status = Number.isInteger(error.status) && error.status >= 400 && error.status <= 599 ? error.status : 500;
      return this.reject(upgrade.socket, status, error.message, error.headers);
    }
    this.reject(upgrade.socket, 500, 'Internal Server Error');
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private reject(socket: Duplex, status: number, message: string, headers?: Record<string, string>): void {
    // The socket may have died while authorize() was running.
    if (socket.destroyed) return;
    this.abort(socket, status, message, headers);
  }

  /** Every refusal goes through here, so that the stats see each status. */
  private abort(socket: Duplex, status: number, message: string, headers?: Record<string, string>): void {
    this.stats.recordRejection(status);
    abortHandshake(socket, status, message, headers);
  }

  private complete(upgrade: PendingUpgrade, principal: unknown): void {
    const { req, socket, head, key, protocols, extensions, cb } = upgrade;
    if (socket.destroyed || !socket.writable) {
      socket.destroy();
      return;
    }
    if (this.state !== RUNNING) return this.abort(socket, 503, 'Server is shutting down');

    let protocol = '';
    const { handleProtocols } = this.options;
    if (handleProtocols !== undefined && protocols.length > 0) {
      const chosen = handleProtocols(protocols, req);
      // The server may only select one of the offered values (RFC 6455 section 4.2.2).
      if (typeof chosen === 'string' && protocols.includes(chosen)) protocol = chosen;
    }

    // Extensions are declined by leaving them out of the 101; permessage-deflate is the only
    // one we know.
    const settings = this.options.perMessageDeflate;
    const agreement = settings === false ? undefined : negotiateDeflate(extensions, settings);
    const deflate =
      agreement === undefined || settings === false
        ? undefined
        : new PerMessageDeflate(this.compression!, agreement.params, settings);
    socket.write(buildAcceptResponse(key, protocol, agreement?.response));
    const conn: TrackedConnection = new WebSocketConnection(socket, head, {
      maxPayload: this.options.maxPayload,
      closeTimeoutMs: this.options.closeTimeoutMs,
      sendBufferLimit: this.options.sendBufferLimit,
      protocol,
      extensions: agreement?.response,
      deflate,
      stats: this.stats,
    });
    socket.removeListener('error', onHandshakeSocketError);
    conn.principal = principal;
    conn[kServer] = this;
    this.clients.add(conn);
    this.stats.upgradesAccepted++;
    this.heartbeat?.add(conn);
    conn.on('close', WebSocketServer.onClientClose);
    this.emit('connection', conn, req);
    cb?.(conn, req);
  }

  private static onClientClose(this: TrackedConnection): void {
    const server = this[kServer];
    if (server === undefined) return;
    server.clients.delete(this);
    server.heartbeat?.remove(this);
    if (server.state === CLOSING && server.clients.size === 0) WebSocketServer.finishClose(server);
  }

  private static finishClose(server: WebSocketServer): void {
    if (server.state === CLOSED) return;
    server.state = CLOSED;
    server.compression?.close();
    server.emit('close');
  }
}
