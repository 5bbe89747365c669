import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import {
  headTimeoutOptions,
  requestPath,
  tightenHeadTimeout,
  UpgradeRouter,
  type WebSocketServer,
  type WebSocketStats,
} from '../websocket/index.js';
import type { ErrorLogger } from './message-dispatcher.js';
import { isWebSocketAttempt, refuseWebSocketAttempt } from './plain-request-guard.js';

type RequestListener = (request: http.IncomingMessage, response: http.ServerResponse) => void;
type UpgradeListener = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The HTTP limits the adapter was given; unset ones keep the server's own. */
export interface PortLimits {
  maxHeaderBytes?: number;
  handshakeTimeoutMs?: number;
}

/** Options for a server the adapter creates; Node's defaults for what is unset. */
function ownServerOptions({ maxHeaderBytes = 0, handshakeTimeoutMs = 0 }: PortLimits): http.ServerOptions {
  return {
    ...(handshakeTimeoutMs > 0 ? headTimeoutOptions(handshakeTimeoutMs) : {}),
    // Heads below Node's limit are refused (431) by the WebSocketServer's own check; a larger
    // limit must be the server's.
    ...(maxHeaderBytes > http.maxHeaderSize ? { maxHeaderSize: maxHeaderBytes } : {}),
  };
}

/** What a gateway's own HTTP server says to a request that is not an upgrade. */
function answerUpgradeRequired(response: http.ServerResponse): void {
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
 *
 * On the paths it serves, a request that tries to open a WebSocket but that
 * Node did not treat as an upgrade (no `Connection: upgrade`, say) gets 400
 * like any other bad handshake instead of reaching the app's HTTP routes.
 * Refusals no WebSocketServer sees (no WebSocket on that path, not a
 * WebSocket upgrade, the 400 above) are counted in `refusals`; the router reports its own.
 */
export class PortHost {
  private router: UpgradeRouter | undefined;
  private anyPath: { path: string; listener: UpgradeListener } | undefined;
  private readonly paths = new Set<string>();
  /** The app's own 'request' listeners, while the guard stands in front of them. */
  private guarded: RequestListener[] | undefined;

  private constructor(
    readonly httpServer: http.Server,
    readonly owned: boolean,
    private readonly port: number,
    private readonly refusals: WebSocketStats,
  ) {}

  static shared(httpServer: http.Server, refusals: WebSocketStats, limits: PortLimits = {}): PortHost {
    tightenHeadTimeout(httpServer, limits.handshakeTimeoutMs ?? 0);
    return new PortHost(httpServer, false, 0, refusals);
  }

  static listen(port: number, logger: ErrorLogger, refusals: WebSocketStats, limits: PortLimits = {}): PortHost {
    const httpServer = http.createServer(ownServerOptions(limits));
    const host = new PortHost(httpServer, true, port, refusals);
    httpServer.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      if (!host.refusedAsBadHandshake(request, response)) answerUpgradeRequired(response);
    });
    httpServer.on('error', (error) => logger.error(`WebSocket gateway port ${port}: ${String(error)}`));
    httpServer.listen(port);
    return host;
  }

  /**
   * Routes upgrades for `path` (normalised) to `server`; with `anyPath`, every
   * upgrade on this port goes to it.
   */
  attach(path: string, server: WebSocketServer, anyPath: boolean): void {
    if (this.anyPath !== undefined || (anyPath && this.router !== undefined)) {
      throw new Error(
        `A WebSocket gateway without a path takes every path of port ${this.port}: ` +
          'give every gateway on that port a path',
      );
    }
    if (!this.owned) this.guardRequests();
    if (anyPath) {
      const listener: UpgradeListener = (request, socket, head) => server.handleUpgrade(request, socket, head);
      this.httpServer.on('upgrade', listener);
      this.anyPath = { path, listener };
      return;
    }
    if (this.router === undefined) {
      this.router = UpgradeRouter.for(this.httpServer);
      this.router.onRefusal(this.countRefusal);
    }
    this.router.add(path, server);
    this.paths.add(path);
  }

  detach(path: string): void {
    if (this.anyPath?.path === path) {
      this.httpServer.off('upgrade', this.anyPath.listener);
      this.anyPath = undefined;
      return;
    }
    this.router?.remove(path);
    this.paths.delete(path);
  }

  /** Stops routing; closes the HTTP server if the adapter created it. */
  async close(): Promise<void> {
    if (this.anyPath !== undefined) this.detach(this.anyPath.path);
    this.router?.detach();
    this.router = undefined;
    this.paths.clear();
    this.unguardRequests();
    if (!this.owned) return;
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  /** Answers 400 to a WebSocket attempt on a WebSocket path; false when it is none of ours. */
  private refusedAsBadHandshake(request: http.IncomingMessage, response: http.ServerResponse): boolean {
    if (!isWebSocketAttempt(request)) return false;
    if (this.anyPath === undefined && !this.paths.has(requestPath(request.url ?? '/'))) return false;
    this.refusals.recordRejection(400);
    refuseWebSocketAttempt(request, response);
    return true;
  }

  // Node calls the 'request' listeners of a server one after the other; to answer a request
  // instead of the app, the guard must be the only listener and call the app's itself.
  private guardRequests(): void {
    if (this.guarded !== undefined) return;
    this.guarded = this.httpServer.listeners('request') as RequestListener[];
    this.httpServer.removeAllListeners('request');
    this.httpServer.on('request', this.onSharedRequest);
  }

  private unguardRequests(): void {
    const original = this.guarded;
    if (original === undefined) return;
    this.guarded = undefined;
    this.httpServer.off('request', this.onSharedRequest);
    for (const listener of original) this.httpServer.on('request', listener);
  }

  private readonly onSharedRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    if (this.refusedAsBadHandshake(request, response)) return;
    for (const listener of this.guarded ?? []) listener.call(this.httpServer, request, response);
  };

  private readonly countRefusal = (status: number): void => this.refusals.recordRejection(status);
}
