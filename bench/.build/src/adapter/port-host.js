import * as http from 'node:http';
import { UpgradeRouter } from '../websocket/index.js';
/** What a gateway's own HTTP server says to a request that is not an upgrade. */
function answerUpgradeRequired(_request, response) {
    const body = 'Upgrade Required';
    response.writeHead(426, {
        'Content-Type': 'text/plain',
        'Content-Length': Buffer.byteLength(body),
        Upgrade: 'websocket',
    });
    response.end(body);
}
/**
 * The HTTP server carrying the upgrades of one gateway port: the app's own
 * server (port 0), or one the adapter created and listens on a port of its
 * own. Upgrades are routed by path; on an own port, a gateway without a path
 * takes every path, as a standalone `ws` server does.
 */
export class PortHost {
    constructor(httpServer, owned, port) {
        this.httpServer = httpServer;
        this.owned = owned;
        this.port = port;
    }
    static shared(httpServer) {
        return new PortHost(httpServer, false, 0);
    }
    static listen(port, logger) {
        const httpServer = http.createServer(answerUpgradeRequired);
        httpServer.on('error', (error) => logger.error(`WebSocket gateway port ${port}: ${String(error)}`));
        httpServer.listen(port);
        return new PortHost(httpServer, true, port);
    }
    /**
     * Routes upgrades for `path` (normalised) to `server`; with `anyPath`, every
     * upgrade on this port goes to it.
     */
    attach(path, server, anyPath) {
        if (this.anyPath !== undefined || (anyPath && this.router !== undefined)) {
            throw new Error(`A WebSocket gateway without a path takes every path of port ${this.port}: ` +
                'give every gateway on that port a path');
        }
        if (anyPath) {
            const listener = (request, socket, head) => server.handleUpgrade(request, socket, head);
            this.httpServer.on('upgrade', listener);
            this.anyPath = { path, listener };
            return;
        }
        this.router ??= UpgradeRouter.for(this.httpServer);
        this.router.add(path, server);
    }
    detach(path) {
        if (this.anyPath?.path === path) {
            this.httpServer.off('upgrade', this.anyPath.listener);
            this.anyPath = undefined;
            return;
        }
        this.router?.remove(path);
    }
    /** Stops routing; closes the HTTP server if the adapter created it. */
    async close() {
        if (this.anyPath !== undefined)
            this.detach(this.anyPath.path);
        this.router?.detach();
        this.router = undefined;
        if (!this.owned)
            return;
        await new Promise((resolve) => this.httpServer.close(() => resolve()));
    }
}
//# sourceMappingURL=port-host.js.map