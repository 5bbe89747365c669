import { EventEmitter } from 'node:events';
import { WebSocketConnection } from './connection.js';
import { CloseCode, DEFAULT_CLOSE_TIMEOUT_MS, DEFAULT_MAX_PAYLOAD, DEFAULT_SEND_BUFFER_LIMIT, } from './constants.js';
import { HandshakeRejection } from './errors.js';
import { abortHandshake, buildAcceptResponse, isOriginAllowed, normaliseOrigin, validateHandshake, } from './handshake.js';
import { DEFAULT_HEARTBEAT_MS, Heartbeat } from './heartbeat.js';
import { CompressionPool } from './compression-pool.js';
import { negotiateDeflate } from './deflate-negotiation.js';
import { resolveDeflateOptions } from './deflate-options.js';
import { PerMessageDeflate } from './permessage-deflate.js';
import { WebSocketStats } from './stats.js';
const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;
/** Back-reference from a connection to the server tracking it. */
const kServer = Symbol('websocket.server');
function nonNegative(name, value, fallback) {
    if (value === undefined)
        return fallback;
    if (!Number.isFinite(value) || value < 0)
        throw new RangeError(`${name} must be a number >= 0, got ${value}`);
    return value;
}
function isPromiseLike(value) {
    return (value !== null &&
        (typeof value === 'object' || typeof value === 'function') &&
        typeof value.then === 'function');
}
function onHandshakeSocketError() {
    this.destroy();
}
/** Reads at most this much from a client still waiting for authorize(), then pauses it. */
const MAX_EARLY_BYTES = 64 * 1024;
/** Back-reference from a socket to its upgrade while authorize() runs. */
const kPending = Symbol('websocket.pendingUpgrade');
// The socket keeps being read during an async authorize() so that a peer that goes away is
// noticed (a paused socket would not report its FIN) instead of being upgraded.
function onPendingData(chunk) {
    const upgrade = this[kPending];
    if (upgrade === undefined)
        return;
    (upgrade.early ??= []).push(chunk);
    upgrade.earlyBytes += chunk.length;
    if (upgrade.earlyBytes >= MAX_EARLY_BYTES)
        this.pause();
}
function onPendingGone() {
    const upgrade = this[kPending];
    if (upgrade !== undefined)
        upgrade.gone = true;
    this.destroy();
}
function watchPending(upgrade) {
    const socket = upgrade.socket;
    socket[kPending] = upgrade;
    socket.on('data', onPendingData);
    socket.on('end', onPendingGone);
    socket.on('close', onPendingGone);
}
function unwatchPending(upgrade) {
    const socket = upgrade.socket;
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
    constructor(options = {}) {
        super();
        this.clients = new Set();
        /** Upgrade, message, byte and close counters of this server and its connections. */
        this.stats = new WebSocketStats();
        this.state = RUNNING;
        /** Upgrades waiting for authorize(); they count against maxConnections. */
        this.pending = 0;
        this.options = {
            maxPayload: nonNegative('maxPayload', options.maxPayload, DEFAULT_MAX_PAYLOAD),
            allowedOrigins: [...(options.allowedOrigins ?? [])],
            maxConnections: nonNegative('maxConnections', options.maxConnections, 0),
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
    handleUpgrade(req, socket, head, cb) {
        socket.on('error', onHandshakeSocketError);
        if (this.state !== RUNNING)
            return this.abort(socket, 503, 'Server is shutting down');
        const handshake = validateHandshake(req);
        if (!handshake.ok)
            return this.abort(socket, handshake.status, handshake.message, handshake.headers);
        if (!isOriginAllowed(req.headers.origin, this.origins))
            return this.abort(socket, 403, 'Origin not allowed');
        const { maxConnections } = this.options;
        if (maxConnections > 0 && this.clients.size + this.pending >= maxConnections) {
            return this.abort(socket, 503, 'Connection limit reached');
        }
        const upgrade = {
            req,
            socket,
            head,
            key: handshake.key,
            protocols: handshake.protocols,
            extensions: handshake.extensions,
            cb,
            early: undefined,
            earlyBytes: 0,
            gone: false,
        };
        const { authorize } = this.options;
        if (authorize === undefined)
            return this.complete(upgrade, undefined);
        let result;
        try {
            result = authorize(req);
        }
        catch (error) {
            return this.refuse(upgrade, error);
        }
        if (!isPromiseLike(result))
            return this.authorized(upgrade, result);
        this.pending++;
        watchPending(upgrade);
        result.then((principal) => {
            this.pending--;
            unwatchPending(upgrade);
            this.authorized(upgrade, principal);
        }, (error) => {
            this.pending--;
            unwatchPending(upgrade);
            this.refuse(upgrade, error);
        });
    }
    /**
     * Stops accepting upgrades and closes every client with 1001. 'close' is emitted (and `cb`
     * called) once the last client is gone, at most about closeTimeoutMs later.
     */
    close(cb) {
        if (cb) {
            if (this.state === CLOSED)
                process.nextTick(cb);
            else
                this.once('close', () => cb());
        }
        if (this.state !== RUNNING)
            return;
        this.state = CLOSING;
        this.heartbeat?.stop();
        for (const client of this.clients)
            client.close(CloseCode.GOING_AWAY, 'Server shutting down');
        if (this.clients.size === 0)
            process.nextTick(WebSocketServer.finishClose, this);
    }
    authorized(upgrade, principal) {
        if (upgrade.gone)
            return;
        if (!principal)
            return this.reject(upgrade.socket, 401, 'Unauthorized');
        this.complete(upgrade, principal);
    }
    refuse(upgrade, error) {
        if (upgrade.gone)
            return;
        if (error instanceof HandshakeRejection) {
            // Only an error status may refuse an upgrade; anything else is a bug in the hook.
            const status = Number.isInteger(error.status) && error.status >= 400 && error.status <= 599 ? error.status : 500;
            return this.reject(upgrade.socket, status, error.message, error.headers);
        }
        this.reject(upgrade.socket, 500, 'Internal Server Error');
        if (this.listenerCount('error') > 0)
            this.emit('error', error);
    }
    reject(socket, status, message, headers) {
        // The socket may have died while authorize() was running.
        if (socket.destroyed)
            return;
        this.abort(socket, status, message, headers);
    }
    /** Every refusal goes through here, so that the stats see each status. */
    abort(socket, status, message, headers) {
        this.stats.recordRejection(status);
        abortHandshake(socket, status, message, headers);
    }
    complete(upgrade, principal) {
        const { req, socket, head, key, protocols, extensions, cb } = upgrade;
        if (upgrade.gone || socket.destroyed || !socket.writable) {
            socket.destroy();
            return;
        }
        if (this.state !== RUNNING)
            return this.abort(socket, 503, 'Server is shutting down');
        let protocol = '';
        const { handleProtocols } = this.options;
        if (handleProtocols !== undefined && protocols.length > 0) {
            const chosen = handleProtocols(protocols, req);
            // The server may only select one of the offered values (RFC 6455 section 4.2.2).
            if (typeof chosen === 'string' && protocols.includes(chosen))
                protocol = chosen;
        }
        // Extensions are declined by leaving them out of the 101; permessage-deflate is the only
        // one we know.
        const settings = this.options.perMessageDeflate;
        const agreement = settings === false ? undefined : negotiateDeflate(extensions, settings);
        const deflate = agreement === undefined || settings === false
            ? undefined
            : new PerMessageDeflate(this.compression, agreement.params, settings);
        socket.write(buildAcceptResponse(key, protocol, agreement?.response));
        const conn = new WebSocketConnection(socket, head, {
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
    static onClientClose() {
        const server = this[kServer];
        if (server === undefined)
            return;
        server.clients.delete(this);
        server.heartbeat?.remove(this);
        if (server.state === CLOSING && server.clients.size === 0)
            WebSocketServer.finishClose(server);
    }
    static finishClose(server) {
        if (server.state === CLOSED)
            return;
        server.state = CLOSED;
        server.compression?.close();
        server.emit('close');
    }
}
//# sourceMappingURL=server.js.map