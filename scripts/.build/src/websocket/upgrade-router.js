import { abortHandshake } from './handshake.js';
import { headerHasToken } from './header-tokens.js';
const routers = new WeakMap();
const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;
/**
 * The path of a request target: origin-form ("/chat?x=1") or absolute-form
 * ("http://host/chat"), without query or fragment, normalised like routes.
 */
export function requestPath(url) {
    let start = 0;
    if (url.charCodeAt(0) !== SLASH) {
        const scheme = url.indexOf('://');
        if (scheme === -1)
            return normalisePath(url);
        start = scheme + 3;
        while (start < url.length) {
            const c = url.charCodeAt(start);
            if (c === SLASH || c === QUESTION || c === HASH)
                break;
            start++;
        }
    }
    let end = start;
    while (end < url.length) {
        const c = url.charCodeAt(end);
        if (c === QUESTION || c === HASH)
            break;
        end++;
    }
    return normalisePath(url.slice(start, end));
}
/** Leading slash, no trailing slash (except for the root): "chat/" -> "/chat", "" -> "/". */
export function normalisePath(path) {
    let end = path.length;
    while (end > 0 && path.charCodeAt(end - 1) === SLASH)
        end--;
    const trimmed = path.slice(0, end);
    if (trimmed.length === 0)
        return '/';
    return trimmed.charCodeAt(0) === SLASH ? trimmed : `/${trimmed}`;
}
/**
 * Routes the 'upgrade' events of one http.Server to WebSocketServers by URL path. An upgrade
 * that is not for WebSocket gets 400, an unknown path 404; neither is left hanging.
 */
export class UpgradeRouter {
    /** The router of `httpServer`, created (and attached) on first use. */
    static for(httpServer) {
        let router = routers.get(httpServer);
        if (router === undefined) {
            router = new UpgradeRouter(httpServer);
            routers.set(httpServer, router);
        }
        return router;
    }
    constructor(httpServer) {
        this.servers = new Map();
        this.httpServer = httpServer;
        this.listener = (req, socket, head) => this.route(req, socket, head);
        httpServer.on('upgrade', this.listener);
    }
    /** Serves `path` ("/chat", "/"; query strings never take part in routing) with `server`. */
    add(path, server) {
        const key = normalisePath(path);
        if (this.servers.has(key))
            throw new Error(`A WebSocket server is already attached to ${key}`);
        this.servers.set(key, server);
    }
    remove(path) {
        this.servers.delete(normalisePath(path));
    }
    /** Stops routing: removes the 'upgrade' listener and forgets this router. */
    detach() {
        this.httpServer.removeListener('upgrade', this.listener);
        if (routers.get(this.httpServer) === this)
            routers.delete(this.httpServer);
        this.servers.clear();
    }
    route(req, socket, head) {
        const upgrade = req.headers.upgrade;
        if (!headerHasToken(Array.isArray(upgrade) ? upgrade.join(',') : upgrade, 'websocket')) {
            return abortHandshake(socket, 400, 'Only WebSocket upgrades are supported');
        }
        const server = this.servers.get(requestPath(req.url ?? '/'));
        if (server === undefined)
            return abortHandshake(socket, 404, 'No WebSocket endpoint at this path');
        server.handleUpgrade(req, socket, head);
    }
}
//# sourceMappingURL=upgrade-router.js.map