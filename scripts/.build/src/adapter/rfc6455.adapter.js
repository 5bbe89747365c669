import { Logger } from '@nestjs/common';
import { AbstractWsAdapter } from '@nestjs/websockets';
import { WebSocketServer, WebSocketStats, } from '../websocket/index.js';
import { defaultMessageParser, serverOptionsFor, } from './adapter-options.js';
import { normalizeGatewayPath } from './gateway-path.js';
import { GatewayRegistry } from './gateway-registry.js';
import { MessageDispatcher } from './message-dispatcher.js';
import { PortHost } from './port-host.js';
/** Gateways on port 0 share the HTTP server of the application. */
const APP_PORT = 0;
const logger = new Logger('Rfc6455Adapter');
/**
 * Errors a peer causes (bad frames, bad UTF-8, oversized messages) carry the
 * close code they ended with; they are the peer's fault and would let anyone
 * flood the log, so they are logged at debug level only.
 */
function logClientError(error) {
    if (error.closeCode === undefined)
        logger.error(error);
    else
        logger.debug(`WebSocket peer error: ${error.message}`);
}
function watchClientErrors(client) {
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
    constructor(appOrHttpServer, options = {}) {
        super(appOrHttpServer);
        this.gateways = new GatewayRegistry();
        this.hosts = new Map();
        /**
         * Upgrades refused before any gateway's server saw them: no gateway on the path (404),
         * not a WebSocket upgrade, or a WebSocket attempt Node did not treat as an upgrade (400).
         */
        this.routingStats = new WebSocketStats();
        const { messageParser, connectionLog, ...serverOptions } = options;
        this.serverOptions = serverOptions;
        this.messageParser = messageParser ?? defaultMessageParser;
        this.connectionLog = connectionLog;
    }
    /** The servers of the gateways, with their port and path (metrics read their stats). */
    gatewayServers() {
        return this.gateways.entries();
    }
    create(port, options = {}) {
        const { path, namespace, server, ...overrides } = options;
        if (namespace) {
            const error = new Error('"Rfc6455Adapter" does not support namespaces: give each gateway its own path instead.');
            logger.error(error);
            throw error;
        }
        // Nest passes `server` only when it decorates an existing server with a namespace.
        if (server)
            return server;
        const key = normalizeGatewayPath(path);
        this.gateways.assertFree(port, key);
        const host = this.hostFor(port);
        const wsServer = new WebSocketServer(serverOptionsFor(this.serverOptions, overrides));
        host.attach(key, wsServer, host.owned && path === undefined);
        this.gateways.add(port, key, wsServer);
        wsServer.on('error', (error) => logger.error(error));
        wsServer.on('connection', watchClientErrors);
        this.connectionLog?.watch(wsServer);
        return wsServer;
    }
    bindClientDisconnect(client, callback) {
        client.once('close', callback);
    }
    /**
     * Gateways without `@SubscribeMessage` handlers get no dispatcher: they read
     * raw frames themselves (the /echo gateway), and parsing JSON for them
     * would be wasted work.
     */
    bindMessageHandlers(client, handlers, _transform) {
        if (handlers.length === 0)
            return;
        const reportParseErrors = this.messageParser !== defaultMessageParser;
        const dispatcher = new MessageDispatcher(client, handlers, this.messageParser, reportParseErrors, logger);
        client.on('message', dispatcher.onMessage);
    }
    setMessageParser(parser) {
        this.messageParser = parser;
    }
    /**
     * Closes `server` (its clients get 1001, or are dropped when force-closing), then stops
     * routing to it. While its clients finish the closing handshake, upgrades to its path are
     * still answered, by the closing server: 503.
     */
    async close(server) {
        if (this.forceCloseConnections) {
            for (const client of server.clients)
                client.terminate();
        }
        await new Promise((resolve) => server.close((error) => {
            if (error)
                logger.error(error);
            resolve();
        }));
        const place = this.gateways.remove(server);
        if (place !== undefined)
            this.hosts.get(place.port)?.detach(place.path);
    }
    /** Closes what is left, then the HTTP servers the adapter created; clears the registries. */
    async dispose() {
        await Promise.all(this.gateways.servers().map((server) => this.close(server)));
        const hosts = [...this.hosts.values()];
        this.hosts.clear();
        this.gateways.clear();
        await Promise.all(hosts.map((host) => host.close()));
    }
    hostFor(port) {
        let host = this.hosts.get(port);
        if (host === undefined) {
            host =
                port === APP_PORT && this.httpServer
                    ? PortHost.shared(this.httpServer, this.routingStats)
                    : PortHost.listen(port, logger, this.routingStats);
            this.hosts.set(port, host);
        }
        return host;
    }
}
//# sourceMappingURL=rfc6455.adapter.js.map