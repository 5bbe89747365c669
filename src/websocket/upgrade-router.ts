import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { abortHandshake } from './handshake.js';
import { headerHasToken } from './header-tokens.js';
import type { WebSocketServer } from './server.js';

const routers = new WeakMap<Server, UpgradeRouter>();

/** Told of every upgrade the router answers itself (400: not a WebSocket upgrade, 404: no server at the path). */
export type RefusalListener = (status: number, request: IncomingMessage) => void;

const SLASH = 0x2f;
const QUESTION = 0x3f;
const HASH = 0x23;

/**
 * The path of a request target: origin-form ("/chat?x=1") or absolute-form
 * ("http://host/chat"), without query or fragment, normalised like routes.
 */
export function requestPath(url: string): string {
  let start = 0;
  if (url.charCodeAt(0) !== SLASH) {
    const scheme = url.indexOf('://');
    if (scheme === -1) return normalisePath(url);
    start = scheme + 3;
    while (start < url.length) {
      const c = url.charCodeAt(start);
      if (c === SLASH || c === QUESTION || c === HASH) break;
      start++;
    }
  }
  let end = start;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === QUESTION || c === HASH) break;
    end++;
  }
  return normalisePath(url.slice(start, end));
}

/** Leading slash, no trailing slash (except for the root): "chat/" -> "/chat", "" -> "/". */
export function normalisePath(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === SLASH) end--;
  const trimmed = path.slice(0, end);
  if (trimmed.length === 0) return '/';
  return trimmed.charCodeAt(0) === SLASH ? trimmed : `/${trimmed}`;
}

/**
 * Routes the 'upgrade' events of one http.Server to WebSocketServers by URL path. An upgrade
 * that is not for WebSocket gets 400, an unknown path 404; neither is left hanging.
 */
export class UpgradeRouter {
  private readonly servers = new Map<string, WebSocketServer>();
  private readonly httpServer: Server;
  private readonly listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private refusalListener: RefusalListener | undefined;

  /** The router of `httpServer`, created (and attached) on first use. */
  static for(httpServer: Server): UpgradeRouter {
    let router = routers.get(httpServer);
    if (router === undefined) {
      router = new UpgradeRouter(httpServer);
      routers.set(httpServer, router);
    }
    return router;
  }

  private constructor(httpServer: Server) {
    this.httpServer = httpServer;
    this.listener = (req, socket, head) => this.route(req, socket, head);
    httpServer.on('upgrade', this.listener);
  }

  /** Serves `path` ("/chat", "/"; query strings never take part in routing) with `server`. */
  add(path: string, server: WebSocketServer): void {
    const key = normalisePath(path);
    if (this.servers.has(key)) throw new Error(`A WebSocket server is already attached to ${key}`);
    this.servers.set(key, server);
  }

  remove(path: string): void {
    this.servers.delete(normalisePath(path));
  }

  /** Calls `listener` for every upgrade the router refuses itself (one listener; a later one replaces it). */
  onRefusal(listener: RefusalListener | undefined): void {
    this.refusalListener = listener;
  }

  /** Stops routing: removes the 'upgrade' listener and forgets this router. */
  detach(): void {
    this.httpServer.removeListener('upgrade', this.listener);
    if (routers.get(this.httpServer) === this) routers.delete(this.httpServer);
    this.servers.clear();
    this.refusalListener = undefined;
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const upgrade = req.headers.upgrade;
    if (!headerHasToken(Array.isArray(upgrade) ? upgrade.join(',') : upgrade, 'websocket')) {
      return this.refuse(req, socket, 400, 'Only WebSocket upgrades are supported');
    }
    const server = this.servers.get(requestPath(req.url ?? '/'));
    if (server === undefined) return this.refuse(req, socket, 404, 'No WebSocket endpoint at this path');
    server.handleUpgrade(req, socket, head);
  }

  private refuse(req: IncomingMessage, socket: Duplex, status: number, reason: string): void {
    this.refusalListener?.(status, req);
    abortHandshake(socket, status, reason);
  }
}
