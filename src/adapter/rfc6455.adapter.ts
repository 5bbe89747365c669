import { type INestApplicationContext, Logger, type WsMessageHandler } from '@nestjs/common';
import { AbstractWsAdapter } from '@nestjs/websockets';
import type * as http from 'node:http';
import type { Observable } from 'rxjs';
import {
  WebSocketServer,
  WebSocketStats,
  type WebSocketConnection,
  type WebSocketServerOptions,
} from '../websocket/index.js';
import {
  type ClientAddressResolver,
  type ConnectionWatcher,
  defaultMessageParser,
  jsonMessageParser,
  type MessageParser,
  type Rfc6455AdapterOptions,
  serverOptionsFor,
} from './adapter-options.js';
import { normalizeGatewayPath } from './gateway-path.js';
import { GatewayRegistry } from './gateway-registry.js';
import { DispatchSettings, MessageDispatcher } from './message-dispatcher.js';
import { PortHost } from './port-host.js';

/** The options object of `@WebSocketGateway(port, options)` as Nest hands it over. */
export type GatewayOptions = Record<string, unknown> & {
  path?: string;
  namespace?: string;
  server?: unknown;
};

/** A server the adapter created, where it is served. */
export interface GatewayServer {
  /** The decorator's port; 0 is the application's own HTTP server. */
  readonly port: number;
  /** The normalised gateway path. */
  readonly path: string;
  readonly server: WebSocketServer;
}

/** Gateways on port 0 share the HTTP server of the application. */
const APP_PORT = 0;

const logger = new Logger('Rfc6455Adapter');

/**
 * Errors a peer causes (bad frames, bad UTF-8, oversized messages) carry the
 * close code they ended with; they are the peer's fault and would let anyone
 * flood the log, so they are logged at debug level only.
 */
function logClientError(error: Error & { closeCode?: number }): void {
  if (error.closeCode === undefined) logger.error(error);
  else logger.debug(`WebSocket peer error: ${error.message}`);
}

function watchClientErrors(client: WebSocketConnection): void {
  client.on('error', logClientError);
}

/**
 * Nest WebSocket adapter on our RFC 6455 server: a drop-in for `WsAdapter` of
 * `@nestjs/platform-ws`. Gateways get `WebSocketConnection` clients and a
 * `WebSocketServer`; all protocol work happens in src/websocket.
 *
 * (No type arguments on the base class: its `BaseWsInstance` constraint wants
 * `on(event, callback: Function)`, which EventEmitter's typing does not meet.)
 */
export class Rfc6455Adapter extends AbstractWsAdapter {
  private readonly serverOptions: WebSocketServerOptions;
  private messageParser: MessageParser;
  /** False for a parser of our own: it throws on client input, and logging that lets any client flood the log. */
  private reportParseErrors: boolean;
  /** Shared by the dispatchers of every client; rebuilt when the parser changes. */
  private dispatchSettings: DispatchSettings | undefined = undefined;
  private readonly gateways = new GatewayRegistry<WebSocketServer>();
  private readonly hosts = new Map<number, PortHost>();
  private readonly connectionLog: ConnectionWatcher | undefined;
  private readonly handshakeTimeoutMs: number | undefined;
  /** Works out the client address of every upgrade before anything else sees it (TRUST_PROXY). */
  private readonly rememberAddress: ClientAddressResolver | undefined;
  /**
   * Upgrades refused before any gateway's server saw them: no gateway on the path (404),
   * not a WebSocket upgrade, or a WebSocket attempt Node did not treat as an upgrade (400).
   */
  readonly routingStats = new WebSocketStats();

  constructor(appOrHttpServer?: INestApplicationContext | http.Server, options: Rfc6455AdapterOptions = {}) {
    super(appOrHttpServer);
    const { messageParser, maxJsonDepth, connectionLog, handshakeTimeoutMs, resolveClientAddress, ...serverOptions } =
      options;
    if (handshakeTimeoutMs !== undefined && !(Number.isFinite(handshakeTimeoutMs) && handshakeTimeoutMs >= 0)) {
      throw new RangeError(`handshakeTimeoutMs must be a number >= 0, got ${handshakeTimeoutMs}`);
    }
    this.serverOptions = serverOptions;
    this.handshakeTimeoutMs = handshakeTimeoutMs || undefined;
    this.messageParser =
      messageParser ?? (maxJsonDepth === undefined ? defaultMessageParser : jsonMessageParser(maxJsonDepth));
    this.reportParseErrors = messageParser !== undefined && messageParser !== defaultMessageParser;
    this.connectionLog = connectionLog;
    this.rememberAddress = resolveClientAddress;
  }

  /** The servers of the gateways, with their port and path (metrics read their stats). */
  gatewayServers(): GatewayServer[] {
    return this.gateways.entries();
  }

  create(port: number, options: GatewayOptions = {}): WebSocketServer {
    const { path, namespace, server, ...overrides } = options;
    if (namespace) {
      const error = new Error('"Rfc6455Adapter" does not support namespaces: give each gateway its own path instead.');
      logger.error(error);
      throw error;
    }
    // Nest passes `server` only when it decorates an existing server with a namespace.
    if (server) return server as WebSocketServer;

    const key = normalizeGatewayPath(path);
    this.gateways.assertFree(port, key);
    const host = this.hostFor(port);
    const wsServer = new WebSocketServer(serverOptionsFor(this.serverOptions, overrides));
    host.attach(key, wsServer, host.owned && path === undefined);
    this.gateways.add(port, key, wsServer);
    wsServer.on('error', (error: Error) => logger.error(error));
    wsServer.on('connection', watchClientErrors);
    this.connectionLog?.watch(wsServer);
    return wsServer;
  }

  override bindClientDisconnect(client: WebSocketConnection, callback: (...args: unknown[]) => void): void {
    client.once('close', callback);
  }

  /**
   * Gateways without `@SubscribeMessage` handlers get no dispatcher: they read
   * raw frames themselves (the /echo gateway), and parsing JSON for them
   * would be wasted work.
   */
  bindMessageHandlers(
    client: WebSocketConnection,
    handlers: WsMessageHandler[],
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    if (handlers.length === 0) return;
    this.dispatchSettings ??= new DispatchSettings(this.messageParser, this.reportParseErrors, logger);
    MessageDispatcher.attach(client, handlers, this.dispatchSettings);
  }

  setMessageParser(parser: MessageParser): void {
    this.messageParser = parser;
    this.reportParseErrors = parser !== defaultMessageParser;
    this.dispatchSettings = undefined;
  }

  /**
   * Closes `server` (its clients get 1001, or are dropped when force-closing), then stops
   * routing to it. While its clients finish the closing handshake, upgrades to its path are
   * still answered, by the closing server: 503.
   */
  override async close(server: WebSocketServer): Promise<void> {
    if (this.forceCloseConnections) {
      for (const client of server.clients) client.terminate();
    }
    await new Promise<void>((resolve) =>
      server.close((error?: Error) => {
        if (error) logger.error(error);
        resolve();
      }),
    );
    const place = this.gateways.remove(server);
    if (place !== undefined) this.hosts.get(place.port)?.detach(place.path);
  }

  /** Closes what is left, then the HTTP servers the adapter created; clears the registries. */
  override async dispose(): Promise<void> {
    await Promise.all(this.gateways.servers().map((server) => this.close(server)));
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    if (this.rememberAddress) for (const host of hosts) host.httpServer.off('upgrade', this.rememberAddress);
    this.gateways.clear();
    await Promise.all(hosts.map((host) => host.close()));
  }

  private hostFor(port: number): PortHost {
    let host = this.hosts.get(port);
    if (host === undefined) {
      const limits = { maxHeaderBytes: this.serverOptions.maxHeaderBytes, handshakeTimeoutMs: this.handshakeTimeoutMs };
      host =
        port === APP_PORT && this.httpServer
          ? PortHost.shared(this.httpServer as http.Server, this.routingStats, limits)
          : PortHost.listen(port, logger, this.routingStats, limits);
      this.hosts.set(port, host);
      // First in line, so that routing, authorize() and the gateways all see the same address.
      if (this.rememberAddress) host.httpServer.prependListener('upgrade', this.rememberAddress);
    }
    return host;
  }
}
