import { Logger } from '@nestjs/common';
import { loggablePath, peerOf } from './loggable-path.js';
/**
 * One log line when a WebSocket opens (peer, path) and one when it closes (peer, path, close
 * code, duration). Never the query string (tokens travel there), never message content.
 */
export class ConnectionLog {
    constructor(logger = new Logger('WebSocket')) {
        this.logger = logger;
        this.open = new Map();
        const log = this;
        this.onConnection = (conn, request) => log.opened(conn, request);
        this.onClose = function (code) {
            log.closed(this, code);
        };
    }
    /** Logs the connections of `server` from now on. */
    watch(server) {
        server.on('connection', this.onConnection);
    }
    unwatch(server) {
        server.off('connection', this.onConnection);
    }
    /** Connections opened and not closed yet. */
    get openCount() {
        return this.open.size;
    }
    opened(conn, request) {
        const entry = {
            peer: peerOf(request.socket.remoteAddress, request.socket.remotePort),
            path: loggablePath(request.url),
            openedAt: performance.now(),
        };
        this.open.set(conn, entry);
        conn.once('close', this.onClose);
        this.logger.log('WebSocket open', { peer: entry.peer, path: entry.path });
    }
    closed(conn, code) {
        const entry = this.open.get(conn);
        if (entry === undefined)
            return;
        this.open.delete(conn);
        this.logger.log('WebSocket closed', {
            peer: entry.peer,
            path: entry.path,
            code,
            durationMs: Math.round(performance.now() - entry.openedAt),
        });
    }
}
//# sourceMappingURL=connection-log.js.map